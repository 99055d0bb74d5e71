"""``app:server`` with every SQL statement it runs appended to a file per instance (named by its
port, in ``$DASHBOARD_TEST_STATEMENTS``), so a test can tell whether an instance computed a view
or took it from the shared cache."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import event

from app import engine, server  # noqa: F401 (server is what gunicorn serves)

LOG = Path(os.environ["DASHBOARD_TEST_STATEMENTS"]) / f"{os.environ['PORT']}.sql"


@event.listens_for(engine, "before_cursor_execute")
def _record(_connection, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
    with LOG.open("a", encoding="utf-8") as log:  # one short line per write: appends stay whole
        log.write(" ".join(statement.split()) + "\n")
