"""Separators of an interchange, as its ISA header declares them."""

from __future__ import annotations

from dataclasses import dataclass

#: The byte length of a fixed-format ISA segment, terminator included.
ISA_LENGTH = 106


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four X12 separators. ``repetition`` is empty when the sender declared none."""

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"
    #: Written after each segment terminator (``""``, ``"\\n"`` or ``"\\r\\n"``).
    line_break: str = ""

    def check(self) -> None:
        """Raise ``ValueError`` unless the separators are distinct, single characters."""
        seps = [self.element, self.component, self.segment]
        if self.repetition:
            seps.append(self.repetition)
        if any(len(s) != 1 for s in seps):
            raise ValueError("each separator must be exactly one character")
        if len(set(seps)) != len(seps):
            raise ValueError("separators must be distinct")
        if any(s.isalnum() or s == " " for s in seps):
            raise ValueError("separators may not be letters, digits or spaces")

    def translation_to(self, other: Delimiters) -> dict[int, str] | None:
        """A ``str.translate`` table turning text written with ``self`` into ``other``.

        X12 has no escape character: inside an element, a component or repetition
        separator can only be a separator, so a character map is an exact re-encoding.
        """
        if (self.component, self.repetition) == (other.component, other.repetition):
            return None
        table = {ord(self.component): other.component}
        if self.repetition:
            table[ord(self.repetition)] = other.repetition or self.repetition
        return table


DEFAULT = Delimiters()
