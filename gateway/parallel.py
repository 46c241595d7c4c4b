"""Validating a large batch on every core: transaction sets checked in worker processes.

The reader in this process skims each transaction set (the tokenizer finds its SE
without splitting the segments in between), keeps the envelope checks, and hands
the set's text to a worker that matches and rules it exactly as the reader would.
Results come back in input order. At most ``2 x workers`` sets are in flight, so
memory stays bounded by a few transaction sets whatever the file's size.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor

from parsers.guides import load_map, resolve
from parsers.reader import BodyJob, BodyResult, StreamingRules, check_body

#: Files smaller than this are read in-line: starting workers costs more than it saves.
PARALLEL_MIN_BYTES = 2 << 20


def worker_count() -> int:
    return min(
        4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


class ProcessDelegate:
    """A reader ``delegate`` that checks transaction sets in a process pool."""

    def __init__(self, rules: StreamingRules | None, workers: int | None = None) -> None:
        self.workers = workers or worker_count()
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        self.rules = rules
        self._inflight: deque[Future[BodyResult]] = deque()
        self._loaded: set[tuple[str, str, str]] = set()

    def __call__(self, job: BodyJob) -> Future[BodyResult]:
        self._preload(job)
        while len(self._inflight) >= 2 * self.workers:
            self._inflight.popleft().result()  # back-pressure: wait for the oldest
        future = self.pool.submit(check_body, job, self.rules)
        self._inflight.append(future)
        while self._inflight and self._inflight[0].done():
            self._inflight.popleft()
        return future

    def _preload(self, job: BodyJob) -> None:
        """Compile the set's map here first, so forked workers inherit it ready-made."""
        sep = job.delimiters.element
        parts = job.text[:200].split(job.delimiters.segment, 2)
        st01 = parts[0].split(sep)[1] if parts and sep in parts[0] else ""
        second = parts[1].lstrip("\r\n").split(sep) if len(parts) > 1 else []
        bht02 = second[2] if len(second) > 2 and second[0] == "BHT" else ""
        key = (job.version, st01, bht02)
        if key not in self._loaded:
            self._loaded.add(key)
            guide = resolve(job.version, st01, bht02)
            if guide is not None:
                load_map(guide)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ProcessDelegate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
