"""A page's queries side by side (dashboard/concurrency.py), also in a forked process."""

from __future__ import annotations

import os
import signal

from dashboard.concurrency import gather


def test_gather_returns_each_call_by_name() -> None:
    assert gather(one=lambda: 1, two=lambda: "two") == {"one": 1, "two": "two"}


def test_a_forked_process_gathers_with_a_pool_of_its_own() -> None:
    """A process forked after its parent gathered (gunicorn's workers, if the master ever
    draws a page) has none of the parent's threads: its pool must be its own, or every page
    waits for ever."""
    assert gather(warm=lambda: True) == {"warm": True}  # the parent's threads now exist
    child = os.fork()
    if child == 0:  # the child: exit 0 only if gathering works, killed if it waits 10 s
        signal.alarm(10)
        os._exit(0 if gather(a=lambda: 2) == {"a": 2} else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
