"""Streaming: events come out as the input goes in, one transaction set at a time."""

from __future__ import annotations

import io

from parsers.reader import InterchangeEnded, Reader, TransactionRead, read
from tests.x12 import claim, group, interchange, professional, transaction


def big_file(sets: int, claims_per_set: int) -> bytes:
    bodies = [
        transaction(
            professional(
                [claim(f"C{s}-{i}", ["100*99213", "50*85025"]) for i in range(claims_per_set)]
            ),
            control=f"{s + 1:04d}",
        )
        for s in range(sets)
    ]
    return interchange(group(bodies)).encode()


def test_each_transaction_set_is_handed_over_before_the_input_ends() -> None:
    data = big_file(5, 60)
    reader = Reader()
    seen_at: list[int] = []
    ended = 0
    chunk = 997
    for i in range(0, len(data), chunk):
        for event in reader.feed(data[i : i + chunk]):
            if isinstance(event, TransactionRead):
                seen_at.append(i + chunk)
                assert event.transaction.errors == []
            ended += isinstance(event, InterchangeEnded)
    assert reader.close() == []
    assert len(seen_at) == 5
    assert seen_at[0] < len(data) // 3  # the first set came long before the end
    assert seen_at == sorted(seen_at) and seen_at[-1] < len(data) + chunk
    assert ended == 1


def test_read_accepts_a_file_object_and_counts_bytes() -> None:
    data = big_file(2, 5)
    events = list(read(io.BytesIO(data), chunk_size=64))
    sets = [e.transaction for e in events if isinstance(e, TransactionRead)]
    assert [ts.control for ts in sets] == ["0001", "0002"]
    assert sets[1].end_offset <= len(data)
    assert data[sets[1].start_offset : sets[1].start_offset + 3] == b"ST*"
