"""The one registry of transaction plugins, keyed by guide (ST01 + implementation guide).

Plugins are found through the ``x12gw.transactions`` entry-point group, so a third
party adds a transaction type (say, an 834) from its own package; the built-in
plugins register the same way in this project's ``pyproject.toml``. Every plugin
is checked when it registers: a missing method, a wrong signature or a second
plugin for the same guide fails at start, not at the first call in production.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import ClassVar, Protocol, runtime_checkable

from parsers.envelope import TransactionSet
from parsers.guides import BY_NAME
from parsers.writer import TransactionBuilder
from transactions.records import Record

ENTRY_POINT_GROUP = "x12gw.transactions"


@runtime_checkable
class TransactionPlugin(Protocol):
    """X12 loops <-> normalized records for the guides in ``guides``."""

    #: guide short names this plugin handles (``parsers.guides.GUIDES``: "837P", "271", ...)
    guides: ClassVar[tuple[str, ...]]

    def read(self, ts: TransactionSet) -> list[Record]:
        """The normalized records of a parsed transaction set (its tree is kept)."""
        ...

    def write(self, records: list[Record], ts: TransactionBuilder) -> None:
        """Add the segments between ST and SE that carry ``records``."""
        ...


class PluginError(Exception):
    pass


def _check(plugin: object, origin: str) -> TransactionPlugin:
    if not isinstance(plugin, TransactionPlugin):
        raise PluginError(f"{origin}: not a transaction plugin (needs guides, read, write)")
    for name, params in (("read", ["ts"]), ("write", ["records", "ts"])):
        found = list(inspect.signature(getattr(plugin, name)).parameters)
        if found != params:
            raise PluginError(f"{origin}: {name}{tuple(found)} should take {tuple(params)}")
    unknown = [g for g in plugin.guides if g not in BY_NAME]
    if unknown or not plugin.guides:
        raise PluginError(f"{origin}: unknown guides {unknown or '(none)'}")
    return plugin


class Registry:
    def __init__(self, plugins: Iterable[tuple[str, object]] = ()) -> None:
        self._by_guide: dict[str, TransactionPlugin] = {}
        for origin, plugin in plugins:
            self.register(plugin, origin)

    def register(self, plugin: object, origin: str = "") -> TransactionPlugin:
        checked = _check(plugin, origin or type(plugin).__name__)
        for guide in checked.guides:
            if guide in self._by_guide:
                raise PluginError(f"{origin}: a plugin for {guide} is already registered")
            self._by_guide[guide] = checked
        return checked

    def for_guide(self, name: str) -> TransactionPlugin | None:
        return self._by_guide.get(name)

    @property
    def guides(self) -> list[str]:
        return sorted(self._by_guide)


def load_registry() -> Registry:
    """Every plugin installed under the entry-point group, checked."""
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        target = ep.load()
        found.append((f"{ep.name} = {ep.value}", target() if inspect.isclass(target) else target))
    return Registry(found)
