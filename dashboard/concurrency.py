"""Run a page's independent queries at the same time.

The database drivers release the GIL while a query runs, so a page's dozen queries overlap on the
machine's cores (and on PostgreSQL's server processes) instead of queueing one behind another.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="page-query")


def gather(**calls: Callable[[], Any]) -> dict[str, Any]:
    """Call every function concurrently; return their results by name (errors re-raised)."""
    futures = {name: _POOL.submit(call) for name, call in calls.items()}
    return {name: future.result() for name, future in futures.items()}
