"""Run a page's independent queries at the same time.

The database drivers release the GIL while a query runs, so a page's dozen queries overlap on the
machine's cores (and on PostgreSQL's server processes) instead of queueing one behind another.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def _new_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="page-query")


_POOL = _new_pool()


def _pool_after_fork() -> None:
    """A forked process (a gunicorn worker) has none of its parent's threads: a pool that had
    started some would wait for them for ever, so the child starts a pool of its own."""
    global _POOL
    _POOL = _new_pool()


os.register_at_fork(after_in_child=_pool_after_fork)


def gather(**calls: Callable[[], Any]) -> dict[str, Any]:
    """Call every function concurrently; return their results by name (errors re-raised)."""
    futures = {name: _POOL.submit(call) for name, call in calls.items()}
    return {name: future.result() for name, future in futures.items()}
