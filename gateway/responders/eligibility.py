"""The built-in payer responder for 270 inquiries."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import load_records
from transactions.records import Record

SOURCE_ROLE = "information_source"


def _subtree(records: list[Record], keep: str) -> list[Record]:
    """The records of one subscriber: its ancestors, itself and its descendants."""
    by_key = {r.key: r for r in records}
    wanted = {keep}
    node = by_key.get(keep)
    while node is not None and node.parent:
        wanted.add(node.parent)
        node = by_key.get(node.parent)
    changed = True
    while changed:
        changed = False
        for r in records:
            if r.parent in wanted and r.key not in wanted:
                wanted.add(r.key)
                changed = True
    return [r for r in records if r.key in wanted or r.entity == "transaction"]


def _copy(r: Record) -> Record:
    return Record(r.entity, r.key, r.parent, r.ordinal, dict(r.fields), dict(r.index))


async def answer_270(db: Database, inquiry: list[Record]) -> list[Record]:
    """The 271 records answering the 270 ``inquiry`` records."""
    subscriber = next(
        (r for r in inquiry if r.entity == "party" and r.fields.get("role") == "subscriber"), None
    )
    member = None
    if subscriber is not None:
        member = (
            subscriber.index.get("member_id")
            or subscriber.fields.get("memberId")
            or subscriber.fields.get("identifier")
        )
    trace = next((r for r in inquiry if r.entity == "trace"), None)
    found: list[Record] = []
    if member:
        async with db.session() as s:
            row = (
                await s.execute(
                    select(m.RecordRow.transaction_set_id, m.RecordRow.key)
                    .join(m.TransactionSet, m.TransactionSet.id == m.RecordRow.transaction_set_id)
                    .where(
                        m.RecordRow.entity == "party",
                        m.RecordRow.member_id == member,
                        m.RecordRow.fields["role"].astext == "subscriber",
                        m.TransactionSet.kind == "271",
                        m.TransactionSet.status == m.Status.STORED,
                    )
                    .order_by(m.RecordRow.id.desc())
                    .limit(1)
                )
            ).first()
            if row is not None:
                found = _subtree(await load_records(s, row.transaction_set_id), row.key)
    if found:
        answer = [_copy(r) for r in found if r.entity != "trace"]
        asking = next(
            (
                r
                for r in inquiry
                if r.entity == "party" and r.fields.get("role") == "information_receiver"
            ),
            None,
        )
        for r in answer:  # the answer names the provider who asked, not whoever asked last time
            if (
                asking is not None
                and r.entity == "party"
                and r.fields.get("role") == "information_receiver"
            ):
                r.fields = dict(asking.fields)
                r.index = dict(asking.index)
    else:
        answer = [_copy(r) for r in inquiry if r.entity not in ("inquiry", "trace")]
        for r in answer:
            if r.entity == "party" and r.fields.get("role") == "subscriber":
                r.fields["rejections"] = [
                    {
                        "validRequestIndicator": "N",
                        "rejectReasonCode": "75",
                        "followUpActionCode": "C",
                    }
                ]
    now = dt.datetime.now(dt.UTC)
    for r in answer:
        if r.entity == "transaction":
            r.fields.update(
                purposeCode="11",
                referenceIdentification=secrets.token_hex(6),
                creationDate=now.date().isoformat(),
                creationTime=now.strftime("%H:%M"),
            )
    subscriber_key = next(
        (r.key for r in answer if r.entity == "party" and r.fields.get("role") == "subscriber"),
        None,
    )
    if trace is not None and subscriber_key is not None:
        echo = _copy(trace)
        echo.parent = subscriber_key
        echo.key = f"{subscriber_key}/trace:1"
        echo.fields["traceType"] = "2"  # the inquiry's trace, echoed
        position = next(i for i, r in enumerate(answer) if r.key == subscriber_key) + 1
        answer.insert(position, echo)
    return answer
