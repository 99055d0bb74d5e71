"""A scenario run: the estimated inputs of each pathway changed as the scenario says, the queue
simulated, and its outputs per day and over the horizon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.planning.inputs import Arrivals, Capacity, State, Stays
from dashboard.planning.model import Queue, simulate
from dashboard.planning.outputs import Daily, UnitCosts, bands, daily, totals
from dashboard.planning.scenario import Scenario, ScenarioError
from dashboard.planning.stays import Empirical, Scaled, StayDistribution


@dataclass(frozen=True, eq=False)
class PathwayInputs:
    arrivals: Arrivals
    stays: Stays
    capacity: Capacity
    state: State
    process: Stays  # process times (durations from NCTR until a place can be taken)


@dataclass(frozen=True, eq=False)
class PathwayPlan:
    """One pathway's result, and what went in, each with its source."""

    pathway: int
    inputs: PathwayInputs
    stay_model: StayDistribution
    places: pd.Series  # per day
    arrivals: pd.Series  # expected per day, after the scenario's changes
    daily: pd.DataFrame
    totals: pd.DataFrame
    runs: Daily  # every run's days, for the back-test
    queue: Queue  # what was run, for "what capacity do we need?"
    seed: tuple[int, int]


def run_plan(scenario: Scenario, inputs: dict[int, PathwayInputs],
             first_day: date) -> list[PathwayPlan]:
    """Run every pathway of the scenario from ``first_day`` (each from its own seed, so a
    pathway's figures do not change when another is added)."""
    days = scenario.horizon_days
    base = {pathway: inputs[pathway].arrivals.expected(first_day, days, scenario.trend)
            for pathway in scenario.pathways}
    demand = scenario.demand(base, first_day)
    dates = pd.date_range(first_day, periods=days, freq="D")
    plans = []
    for pathway in scenario.pathways:
        given = inputs[pathway]
        stays = _stay_model(scenario, pathway, given.stays)
        places = scenario.capacity(pathway, given.capacity.places, first_day)
        queue = Queue(demand[pathway], stays, places, given.state.in_service_days,
                      given.state.waiting_days, _process_model(scenario, pathway, given.process))
        seed = (scenario.seed, pathway)
        run = simulate(queue, scenario.replications, seed=seed)
        days_out = daily(run)
        unit = unit_costs(scenario, pathway)
        plans.append(PathwayPlan(
            pathway, given, stays, pd.Series(places, index=dates.date),
            pd.Series(demand[pathway], index=dates.date),
            bands(days_out, pd.Timestamp(first_day), unit), totals(run, days_out, unit),
            days_out, queue, seed))
    return plans


def unit_costs(scenario: Scenario, pathway: int) -> UnitCosts | None:
    """The scenario's unit costs of a pathway, if it gives them."""
    costs = scenario.unit_costs.get(pathway)
    return None if costs is None else UnitCosts(costs.service_day, costs.delayed_bed_day)


def _process_model(scenario: Scenario, pathway: int, process: Stays) -> Empirical | None:
    if scenario.process == "none":
        return None
    if len(process.completed) == 0:
        raise ScenarioError(f"pathway {pathway}: no service started in the history window, so no "
                            "process time to draw from; use \"process\": \"none\" (capacity "
                            "waits only) or a longer \"history_weeks\"")
    return process.empirical()


def _stay_model(scenario: Scenario, pathway: int, stays: Stays) -> StayDistribution:
    if len(stays.completed) == 0:
        raise ScenarioError(f"pathway {pathway}: no completed stays in the history, so no length "
                            "of stay to draw from")
    if scenario.stays == "lognormal":
        if stays.lognormal is None:
            raise ScenarioError(f"pathway {pathway}: too few completed stays for a log-normal "
                                "fit; use \"stays\": \"empirical\"")
        chosen: StayDistribution = stays.lognormal
    else:
        chosen = stays.empirical()
    factor = scenario.length_of_stay.get(pathway, 1.0)
    return chosen if factor == 1.0 else Scaled(chosen, factor)
