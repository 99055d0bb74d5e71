"""Known answers for places side by side: counts, rates per 100,000 aged 65+ and percentages
per place (the Today case of tests/builders.py; place one has 1,000 people aged 65+, place two
2,000)."""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard.clock import LONDON
from data_access.metrics.places import place_comparison
from tests.builders import (
    GEOGRAPHY,
    TODAY_AT,
    TODAY_CAPACITY,
    TODAY_EPISODES,
    load_files,
    system_area,
)


def test_places_side_by_side(engine, tmp_path):
    load_files(engine, tmp_path / "p", {**GEOGRAPHY, "episodes.csv": TODAY_EPISODES,
                                        "capacity.csv": TODAY_CAPACITY})
    start = datetime(2026, 11, 2, tzinfo=LONDON)
    end = datetime(2026, 11, 25, tzinfo=LONDON)
    frame = place_comparison(engine, system_area(engine, "ICB1"), "district", TODAY_AT, start, end)
    frame = frame.set_index("area_code")
    # Waiting now: place one E1, E2, E5 (E5 for 24 days: a long wait); place two E3, E4 (5 days).
    assert frame.loc["D1", ["waiting", "long_waits"]].tolist() == [3, 1]
    assert frame.loc["D2", ["waiting", "long_waits"]].tolist() == [2, 0]
    assert frame.loc["D1", "waiting_rate"] == pytest.approx(300.0)  # 3 per 1,000
    assert frame.loc["D2", "waiting_rate"] == pytest.approx(100.0)  # 2 per 2,000
    assert frame.loc["D1", "long_waits_rate"] == pytest.approx(100.0)
    # Pathway 1 starts in the period: E7 and E11, both place one.
    assert frame.loc["D1", "p1_starts"] == 2 and frame.loc["D2", "p1_starts"] == 0
    assert frame.loc["D1", "p1_starts_rate"] == pytest.approx(200.0)
    # Started and within 24 h: place one E7 (28 h), E11 (24.0 h); place two E9 (24.0 h),
    # E10 (50 h).
    assert frame.loc["D1", ["started", "within_24h"]].tolist() == [2, 1]
    assert frame.loc["D2", "within_24h_percent"] == pytest.approx(50.0)
    # Nobody's 91-day point falls in the period.
    assert frame.loc["D1", "at_home_counted"] == 0
