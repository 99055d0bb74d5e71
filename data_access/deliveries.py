"""Every load and feed delivery, as recorded in ``loads``, and why rows of them were rejected.

A batch (one ``load`` command's folder, one demo build, one feed delivery) writes one ``loads``
row per file, whether it was loaded or rejected; the rejection reasons of each are in
``load_rejections`` (the first ``loader.MAX_REJECTIONS_KEPT``; the count is always in full).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.clock import from_utc_naive
from data_access.models import Load, LoadRejection

WRITE_COUNTS = ["rows_new", "rows_changed", "rows_unchanged", "rows_stale"]
DELIVERY_COLUMNS = ["id", "batch_id", "source", "channel", "kind", "finished_at", "outcome",
                    "rows_read", "rows_accepted", "rows_rejected", "unit", *WRITE_COUNTS]
REASONS_PER_LOAD = 10


def recent_deliveries(engine: Engine, limit: int = 100, source: str | None = None) -> pd.DataFrame:
    """The files of the newest ``limit`` batches (of ``source`` only, if given): newest batch
    first (by its latest ``loads`` row), a batch's files together in the order they were
    written. ``kind`` is the file name without ".csv"; ``finished_at`` is a London time; the
    outcome is loaded, partial, rejected or refused; ``unit`` says what rejection positions
    count ("line" of a CSV file or body, "record" of a JSON delivery); ``rows_new``,
    ``rows_changed``, ``rows_unchanged`` and ``rows_stale`` what the write made of the accepted
    rows (None: nothing written, or loaded before they were counted)."""
    batches = select(Load.batch_id, func.max(Load.id).label("newest")).group_by(Load.batch_id)
    if source is not None:
        batches = batches.where(Load.source == source)
    newest = batches.order_by(func.max(Load.id).desc()).limit(limit).subquery()
    statement = (
        select(Load.id, Load.batch_id, Load.source, Load.channel,
               Load.file_name.label("kind"), Load.finished_at, Load.outcome, Load.rows_read,
               Load.rows_accepted, Load.rows_rejected, Load.unit, Load.rows_new,
               Load.rows_changed, Load.rows_unchanged, Load.rows_stale)
        .join(newest, newest.c.batch_id == Load.batch_id)
        .order_by(newest.c.newest.desc(), Load.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).mappings().all()
    frame = pd.DataFrame(rows, columns=DELIVERY_COLUMNS)
    frame["kind"] = frame.kind.str.removesuffix(".csv")
    for column in WRITE_COUNTS:  # whole numbers, or None (pandas would make them floats)
        frame[column] = pd.Series([None if pd.isna(v) else int(v) for v in frame[column]],
                                  index=frame.index, dtype=object)
    frame["finished_at"] = [from_utc_naive(t) for t in frame.finished_at]
    return frame


def rejection_reasons(engine: Engine, load_ids: Sequence[int],
                      per_load: int = REASONS_PER_LOAD) -> dict[int, list[tuple[int, str]]]:
    """The first ``per_load`` rejections of each load, by position (the CSV line, or the record
    index of a feed delivery): {load id: [(position, reason), ...]}, in one query. Loads
    without rejections are left out."""
    if not load_ids:
        return {}
    rank = func.row_number().over(partition_by=LoadRejection.load_id,
                                  order_by=(LoadRejection.position, LoadRejection.id))
    ranked = (select(LoadRejection.load_id, LoadRejection.position, LoadRejection.reason,
                     rank.label("rank"))
              .where(LoadRejection.load_id.in_(list(load_ids))).subquery())
    statement = (select(ranked.c.load_id, ranked.c.position, ranked.c.reason)
                 .where(ranked.c.rank <= per_load)
                 .order_by(ranked.c.load_id, ranked.c.rank))
    reasons: dict[int, list[tuple[int, str]]] = {}
    with engine.connect() as connection:
        for load_id, position, reason in connection.execute(statement):
            reasons.setdefault(int(load_id), []).append((int(position), str(reason)))
    return reasons
