"""The small-number rule for figures shared outside the operational team (domain.md):
person counts 1 to 7 are shown as "*", other counts are rounded to the nearest 5, and no mean or
median is given over fewer than 8 people.

Tables say what each column holds (``kinds``), so the rule knows a count from a median:
- ``label``: a name (left as it is);
- ``count``: a number of people (the rule above);
- ``average:<column>``: a median or mean over the people counted in ``<column>`` of the same row
  ("*" when that count is under 8);
- ``share:<column>``: a percentage over the people counted in ``<column>``. We define that it is
  withheld as "*" when that count is 1 to 7, or when the people it implies on either side (the
  share of the count, and the rest) number 1 to 7: 30% of 10 would give away 3 people;
- ``measure``: any other figure (hours, a date). With no base count to judge it by, a measure is
  withheld ("*") in a shared export: we publish only what the rule can vouch for.
"""

from __future__ import annotations

from collections.abc import Sequence

SUPPRESSED = "*"
MIN_PEOPLE_FOR_AVERAGE = 8
RULE_TEXT = ("Small-number rule applied for sharing outside the operational team: counts of 1 "
             "to 7 people are shown as *, other counts are rounded to the nearest 5, and no "
             "mean, median or share is given over fewer than 8 people (*).")


def shared_count(count: int) -> str:
    """A count of people as it may be shared: 0 stays 0, 1-7 is "*", others to the nearest 5."""
    if count < 0:
        raise ValueError("a count of people cannot be negative")
    if 1 <= count <= 7:
        return SUPPRESSED
    return str(5 * round(count / 5))


def parse_count(text: str) -> int | None:
    """A displayed count ("1,234") as a number; None for a blank ("–", "")."""
    cleaned = text.replace(",", "").strip()
    return int(cleaned) if cleaned.isdigit() else None


def shared_rows(columns: Sequence[str], rows: Sequence[Sequence[str]],
                kinds: Sequence[str]) -> list[list[str]]:
    """Rows of displayed values with the rule applied, column by column, by ``kinds``."""
    if len(kinds) != len(columns):
        raise ValueError("one kind per column")
    index = {name: i for i, name in enumerate(columns)}
    shared = []
    for row in rows:
        counts = [parse_count(str(value)) for value in row]
        out = []
        for value, kind, count in zip(row, kinds, counts, strict=True):
            text = str(value)
            if kind == "label":
                out.append(text)
            elif kind == "count":
                out.append(text if count is None else shared_count(count))
            elif kind.startswith("average:"):
                base = counts[index[kind.split(":", 1)[1]]]
                small = base is None or base < MIN_PEOPLE_FOR_AVERAGE
                out.append(SUPPRESSED if small else text)
            elif kind.startswith("share:"):
                base = counts[index[kind.split(":", 1)[1]]]
                out.append(text if _share_is_safe(text, base) else SUPPRESSED)
            elif kind == "measure":
                out.append(SUPPRESSED)
            else:
                raise ValueError(f"unknown column kind {kind!r}")
        shared.append(out)
    return shared


def _share_is_safe(text: str, base: int | None) -> bool:
    """A displayed share ("45%", "45% (38-52%)") may be shared: no group of 1-7 is implied."""
    if base is None or base == 0:
        return text.strip() in ("", "–")  # nothing to disclose
    if base < MIN_PEOPLE_FOR_AVERAGE:
        return False
    try:
        percent = float(text.split("%", 1)[0].replace(",", "").strip())
    except ValueError:
        return False
    implied = round(percent / 100 * base)
    return all(not 1 <= group < MIN_PEOPLE_FOR_AVERAGE for group in (implied, base - implied))


def inferred_kinds(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Kinds for a table that does not declare them: the first column is its label; a column
    whose every value is a whole number is a count; anything else is a measure."""
    kinds = ["label"]
    for i in range(1, len(columns)):
        values = [str(row[i]) for row in rows]
        whole = all(parse_count(v) is not None or v.strip() in ("", "–") for v in values)
        kinds.append("count" if whole and values else "measure")
    return kinds
