"""The small-number rule on hand-made counts (domain.md: 1-7 as "*", others to the nearest 5, no
averages over fewer than 8)."""

from __future__ import annotations

import pytest

from dashboard.disclosure import inferred_kinds, shared_count, shared_rows


@pytest.mark.parametrize(("count", "shared"), [
    (0, "0"), (1, "*"), (7, "*"), (8, "10"), (12, "10"), (13, "15"),
    (2, "*"), (17, "15"), (18, "20"), (1234, "1235")])
def test_counts_as_they_may_be_shared(count: int, shared: str) -> None:
    assert shared_count(count) == shared


def test_a_negative_count_is_an_error() -> None:
    with pytest.raises(ValueError):
        shared_count(-1)


def test_a_table_by_its_column_kinds() -> None:
    columns = ["Place", "People", "Median hours", "Within 24 h", "Hours lost"]
    kinds = ["label", "count", "average:People", "share:People", "measure"]
    rows = [["A", "0", "–", "–", "0.0"],
            ["B", "1", "30.0", "100%", "30.0"],
            ["C", "7", "12.5", "43%", "80.1"],
            ["D", "16", "20.0", "50%", "99.0"],
            ["E", "1,213", "15.5", "61%", "5,000.0"],
            ["F", "10", "18.0", "30%", "1.0"],  # 30% of 10 is 3 people: withheld
            ["G", "20", "18.0", "95%", "1.0"]]  # 95% of 20 leaves 1 person: withheld
    assert shared_rows(columns, rows, kinds) == [
        ["A", "0", "*", "–", "*"],
        ["B", "*", "*", "*", "*"],
        ["C", "*", "*", "*", "*"],
        ["D", "15", "20.0", "50%", "*"],
        ["E", "1215", "15.5", "61%", "*"],
        ["F", "10", "18.0", "*", "*"],
        ["G", "20", "18.0", "*", "*"]]


def test_kinds_are_inferred_when_a_table_does_not_declare_them() -> None:
    assert inferred_kinds(["Reason", "People", "Share"],
                          [["T1", "12", "40%"], ["C1", "–", "–"]]) == ["label", "count", "measure"]


def test_one_kind_per_column() -> None:
    with pytest.raises(ValueError):
        shared_rows(["A", "B"], [["x", "1"]], ["label"])
