"""Background callbacks: long work (a planning run) in a process of its own, with progress and
cancel, so no request is held while it runs (docs/architecture.md, "Background callbacks").

The backend is Dash's ``DiskcacheManager``: a process per job, results and progress in a
diskcache folder shared by every worker on the machine; nothing to set up.

Dash's background protocol trusts the browser with the job: every poll names it
(``cacheKey`` and ``job``, the job's process id), and ``oldJob`` and ``cancelJob`` ask Dash to
kill a process by its id. Left as it is, anyone signed in could read another user's result, or
have the server kill any of its processes. So every job is recorded with the user it was started
for (``remember_owners``, after the request that started it), and every call that names a job
is refused unless the job is the caller's own (``check_jobs``, from the callback guard, which has
already checked the role on every poll: the poll is the callback's own call again).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from dash import Dash
from flask import Response, request

from dashboard.auth import CALLBACK_PATH

JOB_ARGUMENTS = ("job", "oldJob", "cancelJob")
OWNER_SECONDS = 24 * 3600  # a job's owner is kept a day: far longer than any run
RESULT_SECONDS = 3600  # a finished run's result, until the browser fetches it
EXTENSION = "dashboard_background"


class NotYourJob(Exception):
    """A call naming a job (or a result) started for someone else, or for no one."""


def jobs_folder() -> Path:
    """Where jobs keep their progress and results: ``DASHBOARD_JOBS_DIR``, else a folder in the
    machine's temporary folder (shared by every worker of the machine)."""
    given = os.environ.get("DASHBOARD_JOBS_DIR")
    return Path(given) if given else Path(tempfile.gettempdir()) / f"dashboard-jobs-{os.getuid()}"


def manager_for(app: Dash) -> object:
    """The app's background manager, made on first use (one per app)."""
    found = app.server.extensions.get(EXTENSION)
    if found is None:
        import diskcache  # the zero-set-up backend's own packages: imported where used
        from dash import DiskcacheManager

        found = DiskcacheManager(diskcache.Cache(str(jobs_folder())), expire=RESULT_SECONDS)
        app.server.extensions[EXTENSION] = found
    return found


def _owner_key(kind: str, value: str) -> str:
    return f"owner:{kind}:{value}"


def remember_owners(app: Dash, username_now: object) -> None:
    """After a call that started a job, record whose it is (its cache key and process id)."""

    @app.server.after_request
    def remember(response: Response) -> Response:
        manager = app.server.extensions.get(EXTENSION)
        if manager is None or request.method != "POST" or request.args.get("cacheKey") \
                or response.status_code != 200 or request.path != CALLBACK_PATH:
            return response
        try:
            started = json.loads(response.get_data(as_text=True))
        except ValueError:
            return response
        if isinstance(started, dict) and "cacheKey" in started and "job" in started:
            username = username_now()  # type: ignore[operator]
            manager.handle.set(_owner_key("key", str(started["cacheKey"])), username,
                               expire=OWNER_SECONDS)
            manager.handle.set(_owner_key("job", str(started["job"])), username,
                               expire=OWNER_SECONDS)
        return response


def check_jobs(app: Dash, username: str) -> None:
    """Refuse (``NotYourJob``) a call that names a job or result not started for ``username``."""
    named = [("key", value) for value in request.args.getlist("cacheKey")] + [
        ("job", value) for name in JOB_ARGUMENTS for value in request.args.getlist(name)]
    if not named:
        return
    manager = app.server.extensions.get(EXTENSION)
    for kind, value in named:
        owner = None if manager is None else manager.handle.get(_owner_key(kind, value))
        if owner != username:
            raise NotYourJob(f"The {'job' if kind == 'job' else 'result'} {value[:80]!r} was "
                             "not started for you.")
