"""The 837 health care claims (P 005010X222A1, I 005010X223A2, D 005010X224A2) <-> records.

Entities, in the order they are read (parents before children)::

    transaction       BHT                                   "transaction"
    party             submitter, receiver (1000A/B)         "party:submitter", "party:receiver"
    party             billing provider (2000A/2010AA)       "party:billing:1"
    party             pay-to address / plan (2010AB/AC)     "party:billing:1/pay_to"
    party             subscriber (2000B/2010BA)             "party:subscriber:1"
    party             payer (2010BB)                        "party:subscriber:1/payer"
    party             dependent patient (2000C/2010CA)      "party:patient:1"
    claim             2300 (parent: subscriber or patient)  "claim:1"
    diagnosis         HI codes of the claim                 "claim:1/diagnosis:1"
    party             2310 claim providers, by role         "claim:1/party:rendering"
    other_payer       2320/2330 COB                         "claim:1/other_payer:1"
    service_line      2400/2410                             "claim:1/line:1"
    party             2420 line providers, by role          "claim:1/line:1/party:rendering"
    line_adjudication 2430                                  "claim:1/line:1/adjudication:1"

Segments no module models are kept raw (``extra``, ``extraLoops``) so
``write`` gives back every segment: each loop's segments, modelled or raw, are
emitted in the order of the guide's map.
"""

from __future__ import annotations

from typing import ClassVar

from parsers.envelope import TransactionSet
from parsers.guides import resolve
from parsers.writer import TransactionBuilder
from transactions.claims import loop_2000
from transactions.claims.layout import Writing, emit
from transactions.claims.raw import Reading
from transactions.records import Record

__all__ = ["ClaimsPlugin"]


class ClaimsPlugin:
    """Health care claims (837 professional, institutional and dental)."""

    guides: ClassVar[tuple[str, ...]] = ("837P", "837I", "837D")

    def read(self, ts: TransactionSet) -> list[Record]:
        if ts.root is None or ts.guide is None:
            return []
        reading = Reading(ts.guide.name)
        loop_2000.read_tree(ts.root, reading)
        return reading.out

    def write(self, records: list[Record], ts: TransactionBuilder) -> None:
        guide = resolve(ts.version, ts.st01)
        if guide is None or guide.name not in self.guides:
            raise ValueError(f"not an 837 guide: {ts.st01} {ts.version}")
        writing = Writing(guide.name, records)
        tree = loop_2000.tree_node(writing)
        unplaced = writing.unplaced(records)
        if unplaced:
            raise ValueError(f"records with no place in an {guide.name}: {unplaced[:5]}")
        emit(tree, writing.lay, ts)
