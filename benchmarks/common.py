"""What the benchmark scripts share: the demo database they measure."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from dashboard.bootstrap import PUBLISHED_EXTRACTS, build_demo
from dashboard.clock import LONDON, FixedClock
from data_access.db import make_engine
from data_access.migrate import upgrade_to_head
from data_access.published import load_published

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)


def database_url(given: str | None, scratch: Path) -> str:
    """The database to measure: the one given, or the synthetic demo (Coventry and Warwickshire,
    18 months up to ``NOW``) plus NHS England's full published extracts, built into a new
    SQLite file in ``scratch``."""
    if given is not None:
        return given
    url = f"sqlite:///{scratch / 'demo.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    build_demo(engine, FixedClock(NOW))
    load_published(engine, PUBLISHED_EXTRACTS)
    engine.dispose()
    return url


def replace_between_markers(path: Path, name: str, text: str) -> None:
    """Put ``text`` between ``<!-- NAME -->`` and ``<!-- end of NAME -->`` in the Markdown file
    (added at the end if the markers are not there yet), leaving the rest as written."""
    start, end = f"<!-- {name} -->", f"<!-- end of {name} -->"
    document = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in document and end in document:
        before, rest = document.split(start, 1)
        after = rest.split(end, 1)[1]
    else:
        before, after = document.rstrip("\n") + "\n\n", "\n"
    path.write_text(f"{before}{start}\n{text}\n{end}{after}", encoding="utf-8")


def results_command(description: str, marker: str, results_markdown: Callable[[str], str]) -> None:
    """A back-test script's command line: ``[--database-url URL] [--write FILE]``; prints the
    results table made from the database (the demo, built, when none is given) and, with
    ``--write``, puts it between the file's ``marker`` markers."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        table = results_markdown(database_url(args.database_url, Path(scratch)))
    print(table)
    if args.write:
        replace_between_markers(args.write, marker, table)
