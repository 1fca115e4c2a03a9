"""Blocks of events for the array code: a loop over blocks, never over events.

Row-wise temporaries of a block of about a thousand events stay in the CPU cache, and the
blocks run on a few threads: numpy releases the GIL inside its loops and sorts, so two cores
give close to twice the speed. The number of threads is the ``threads`` setting
(:func:`analysis.config.threads`, environment variable ``ANALYSIS_THREADS``).
"""

from __future__ import annotations

import functools
import math
import operator
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import config

BLOCK = 1024        # events per block

_lock = threading.Lock()
_pools: dict[int, ThreadPoolExecutor] = {}
_local = threading.local()


MIN_BLOCK = 128     # smallest block worth handing to a thread


def blocks(n: int, size: int = BLOCK, threads: int | None = None) -> list[slice]:
    """Slices of at most ``size`` rows covering ``range(n)`` (one empty slice when n = 0).

    A small ``n`` is cut into one block per thread (of at least MIN_BLOCK rows), so that a
    thousand events still use every core.
    """
    size = max(1, min(size, max(MIN_BLOCK, -(-n // config.threads(threads)))))
    return [slice(i, min(i + size, n)) for i in range(0, max(n, 1), size)]


def _pool(workers: int) -> ThreadPoolExecutor:
    with _lock:
        if workers not in _pools:
            _pools[workers] = ThreadPoolExecutor(workers, thread_name_prefix="analysis-block")
        return _pools[workers]


def map_blocks(fn: Callable, items: Iterable, threads: int | None = None) -> list:
    """``[fn(item) for item in items]``, on ``threads`` threads (the setting when None).

    The results come back in the order of ``items``; an exception in one call is raised here.
    Runs in the calling thread when there is one item or one thread, and when called from a
    block thread itself (no nested pools).
    """
    items = list(items)
    workers = min(config.threads(threads), len(items))
    if workers <= 1 or threading.current_thread().name.startswith("analysis-block"):
        return [fn(item) for item in items]
    return list(_pool(workers).map(fn, items))


def sum_blocks(fn: Callable[[slice], tuple], n: int, size: int = BLOCK, threads: int | None = None,
               combine: Callable = operator.add) -> tuple:
    """Elementwise sums over the blocks of ``range(n)`` of the tuples of arrays ``fn(rows)``
    (or another associative ``combine``, e.g. ``np.maximum``).

    The blocks go to the threads as they become free (as in :func:`map_blocks`: a thread
    slowed by other work on the machine takes fewer blocks, the other does not wait), and the
    results are combined in a fixed binary tree over the blocks' order (block 2i with 2i + 1,
    then the pairs, ...), so the sums are the same numbers whichever thread computed which
    block, and with one thread. A result waits only for its sibling in the tree: memory holds
    a few partial totals per thread (about log2 of the number of blocks), never one result
    per block.
    """
    parts = blocks(n, size, threads)
    count = len(parts)
    workers = max(1, min(config.threads(threads), count))
    top = (count - 1).bit_length()                      # the root's level
    lock = threading.Lock()
    pending: dict[tuple[int, int], list] = {}
    root: list = []
    todo = iter(range(count))
    failed: list = []

    def settle(level: int, i: int, value: list) -> None:
        while level < top:
            sibling = i ^ 1
            if sibling < (count + (1 << level) - 1) >> level:      # nodes on this level
                with lock:
                    other = pending.pop((level, sibling), None)
                    if other is None:
                        pending[(level, i)] = value
                        return
                left, right = (other, value) if sibling < i else (value, other)
                value = [combine(x, y) for x, y in zip(left, right)]
            level, i = level + 1, i >> 1
        root.append(value)

    def work(_) -> None:
        while not failed:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            try:
                settle(0, i, list(fn(parts[i])))
            except BaseException:
                failed.append(True)              # the others stop taking blocks
                raise

    map_blocks(work, range(workers), workers)
    return tuple(root[0])


def scratch(name: str, shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
    """A per-thread reusable array for a block's temporaries (uninitialised).

    Blocks of events allocate the same few MB-sized temporaries again and again; a fresh
    allocation of that size is often returned to the system when freed and page-faulted in
    again, which costs as much as the arithmetic. Each thread keeps one buffer per ``name``
    (grown when needed), so memory stays a few blocks' worth. The array is overwritten by the
    next call with the same name in the same thread: never return it (or a view) to a caller.
    """
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    bufs = _local.__dict__.setdefault("buffers", {})
    buf = bufs.get(name)
    if buf is None or buf.nbytes < nbytes:
        buf = bufs[name] = np.empty(max(nbytes, 1), dtype=np.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)
