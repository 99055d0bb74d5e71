"""A scenario run written out: one CSV of every day with its bands, and a short Markdown report
of the inputs (with where each came from), the scenario's changes and the totals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from dashboard.planning.needed import Needed
from dashboard.planning.outputs import BAND
from dashboard.planning.plan import PathwayPlan
from dashboard.planning.scenario import Scenario

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TOTALS = {"delayed_bed_days": "acute bed days lost to waiting",
          "service_days": "days of intermediate care given",
          "starts": "people starting a service",
          "median_wait": "NCTR to service, median (days)",
          "p90_wait": "NCTR to service, 90th percentile (days)",
          "within_24h": "share within 24 hours",
          "waiting_at_end": "people waiting at the end",
          "cost": "cost (£)"}


def daily_table(plans: list[PathwayPlan]) -> pd.DataFrame:
    frames = []
    for plan in plans:
        frame = plan.daily.copy()
        frame.insert(1, "pathway", plan.pathway)
        frame.insert(2, "places", plan.places.to_numpy())
        frame.insert(3, "expected_arrivals", plan.arrivals.to_numpy().round(3))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def needed_table(plans: list[PathwayPlan], needed: dict[int, Needed]) -> pd.DataFrame:
    rows = []
    for plan in plans:
        found = needed[plan.pathway]
        now = int(plan.places.iloc[0])
        rows.append({
            "pathway": plan.pathway, "target_within_24h": found.target, "places_first_day": now,
            "extra_places": found.extra_places,
            "places_needed": None if found.extra_places is None else now + found.extra_places,
            "extra_places_95_percent_of_runs": found.confident_extra_places,
            "share_mean": None if found.share is None else found.share[0],
            "share_low": None if found.share is None else found.share[1],
            "share_high": None if found.share is None else found.share[2],
            "cost_mean": None if found.cost is None else found.cost[0],
            "cost_low": None if found.cost is None else found.cost[1],
            "cost_high": None if found.cost is None else found.cost[2]})
    return pd.DataFrame(rows)


def write(out: Path, scenario: Scenario, area_name: str, first_day: date,
          plans: list[PathwayPlan], needed: dict[int, Needed] | None = None) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    csv_path, report_path = out / "daily.csv", out / "report.md"
    daily_table(plans).to_csv(csv_path, index=False, float_format="%.4g")
    text = markdown(scenario, area_name, first_day, plans)
    if needed is not None:
        table = needed_table(plans, needed)
        table.to_csv(out / "capacity.csv", index=False, float_format="%.4g")
        text += _needed_markdown(table)
    report_path.write_text(text, encoding="utf-8")
    return csv_path, report_path


def _needed_markdown(table: pd.DataFrame) -> str:
    target = float(table.target_within_24h.iloc[0])
    lines = ["", "## What capacity do we need?", "",
             f"The fewest places to add, on every day, to the scenario's places for {target:.0%} "
             "of the people becoming NCTR to start within 24 hours of being ready for a place "
             "(NCTR plus the process time; with \"process\": \"none\", NCTR itself) as the "
             "runs' mean, and for 95% of runs to meet it; the share at that capacity with its "
             "band (docs/planning.md).", "",
             "| pathway | places (first day) | add | places needed | add (95% of runs) | share "
             "(low-high) | cost over the horizon with them (low-high) |",
             "|---|---:|---:|---:|---:|---|---|"]
    for row in table.itertuples(index=False):
        if pd.isna(row.extra_places):
            lines.append(f"| {row.pathway} | {row.places_first_day} | not met | – | – | – | – |")
            continue
        cost = "no unit costs given" if pd.isna(row.cost_mean) else \
            f"£{row.cost_mean:,.0f} (£{row.cost_low:,.0f}-£{row.cost_high:,.0f})"
        confident = "not met" if pd.isna(row.extra_places_95_percent_of_runs) else \
            f"{int(row.extra_places_95_percent_of_runs):+d}"
        lines.append(f"| {row.pathway} | {row.places_first_day} | {int(row.extra_places):+d} | "
                     f"{int(row.places_needed)} | {confident} | {row.share_mean:.0%} "
                     f"({row.share_low:.0%}-{row.share_high:.0%}) | {cost} |")
    return "\n".join(lines) + "\n"


def markdown(scenario: Scenario, area_name: str, first_day: date,
             plans: list[PathwayPlan]) -> str:
    low, high = BAND
    lines = [f"# Plan: {scenario.name}", "",
             f"{area_name}, from {first_day:%d %B %Y} for {scenario.horizon_weeks} weeks; "
             f"{scenario.replications} runs (seed {scenario.seed}). Figures are the mean of the "
             f"runs with the {low:g}th to {high:g}th percentile across them. The model, its "
             "assumptions and limits: docs/planning.md.", "", "## Scenario", ""]
    lines += [f"- {change}" for change in _changes(scenario)] or ["- no changes: the baseline"]
    for plan in plans:
        given = plan.inputs
        arrivals = given.arrivals
        weekday = ", ".join(f"{name} {factor:.2f}" for name, factor in
                            zip(WEEKDAYS, arrivals.weekday_factors, strict=True))
        lines += ["", f"## Pathway {plan.pathway}", "", "Inputs:", "",
                  f"- arrivals: {arrivals.mean_per_day:.2f} a day (weekday factors {weekday}; "
                  f"trend {arrivals.trend_per_day * 7:+.3f} a day per week, "
                  f"{'applied' if scenario.trend else 'not applied'}); from {arrivals.source}",
                  f"- length of stay: {plan.stay_model.describe()}; from {given.stays.source}",
                  "- process time (NCTR until a place can be taken): "
                  + ("none (capacity waits only)" if plan.queue.process is None else
                     f"{plan.queue.process.describe()}; from {given.process.source}"),
                  f"- places open now: {given.capacity.places}; from {given.capacity.source}"
                  + (f"; the scenario sets {scenario.places[plan.pathway]}"
                     if plan.pathway in scenario.places else ""),
                  f"- today: {given.state.source}", "",
                  "| over the horizon | mean | low | high |", "|---|---:|---:|---:|"]
        for row in plan.totals.itertuples(index=False):
            lines.append(f"| {TOTALS.get(row.measure, row.measure)} | {_figure(row.mean)} | "
                         f"{_figure(row.low)} | {_figure(row.high)} |")
    return "\n".join(lines) + "\n"


def _figure(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"


def _changes(scenario: Scenario) -> list[str]:
    said = [f"pathway {c.pathway}: {c.places:+d} places from {c.from_day:%d %b %Y}"
            for c in scenario.capacity_changes]
    said += [f"pathway {p}: length of stay × {f:g}" for p, f in scenario.length_of_stay.items()]
    if scenario.demand_growth:
        said.append(f"demand {scenario.demand_growth:+.0%}")
    if scenario.winter_surge is not None:
        surge = scenario.winter_surge
        said.append(f"winter surge {surge.increase:+.0%} from {surge.first_day:%d %b %Y} to "
                    f"{surge.last_day:%d %b %Y}")
    if scenario.shift is not None:
        said.append(f"{scenario.shift.share:.0%} of pathway {scenario.shift.from_pathway} "
                    f"moved to pathway {scenario.shift.to_pathway}")
    return said
