"""The planning model (dashboard/planning) against queueing theory, against SimPy on the same
draws, and on hand-worked cases (docs/planning.md, "Validation").

How the simulation is compared with theory: each replication starts empty and runs far longer
than the queue takes to settle; the first ``WARM_UP`` days are discarded; each replication gives
one estimate (share of arrivals who waited, their mean wait, the time-average number waiting);
the 99% confidence interval is mean ± t(0.995, R-1) × standard deviation / √R over the R
replications. The exact answer must lie inside it. 99% rather than 95% because ten answers are
checked: a correct model would miss one of ten 95% intervals by chance in 40% of seeds, one of
ten 99% intervals in under 10%. Seeds are fixed, so a run is repeatable.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import simpy

from dashboard.planning.model import Queue, simulate
from dashboard.planning.needed import places_needed, share_within_24h
from dashboard.planning.outputs import UnitCosts, bands, daily
from dashboard.planning.queueing import erlang_c
from dashboard.planning.stays import Empirical, Exponential, LogNormal

REPLICATIONS = 30
T_995_29 = 2.756  # Student's t, 99.5th percentile, 29 degrees of freedom
WARM_UP, HORIZON = 400, 4000


def _inside_ci(per_replication: np.ndarray, exact: float) -> tuple[bool, str]:
    mean = float(np.mean(per_replication))
    half = T_995_29 * float(np.std(per_replication, ddof=1)) / np.sqrt(len(per_replication))
    return abs(mean - exact) <= half, f"{mean:.4f} ± {half:.4f} against {exact:.4f}"


def test_erlang_c_known_answers():
    """Two places, one arrival a day, stays of mean 1 day: a = 1, ρ = 0.5.
    C = (1²/2!)·2/(2-1) / (1 + 1 + 1) = 1/3; Lq = (1/3)·0.5/0.5 = 1/3; Wq = Lq/λ = 1/3.
    One place at ρ = 0.8 (M/M/1): C = ρ = 0.8; Lq = ρ²/(1-ρ) = 3.2; Wq = 3.2/0.8 = 4."""
    two = erlang_c(1.0, 1.0, 2)
    assert two.probability_of_waiting == pytest.approx(1 / 3)
    assert two.mean_queue == pytest.approx(1 / 3)
    assert two.mean_wait == pytest.approx(1 / 3)
    one = erlang_c(0.8, 1.0, 1)
    assert (one.probability_of_waiting, one.mean_queue, one.mean_wait) == pytest.approx(
        (0.8, 3.2, 4.0))


def test_erlang_c_refuses_a_load_without_a_steady_state():
    with pytest.raises(ValueError, match="grows without limit"):
        erlang_c(2.0, 1.0, 2)


@pytest.mark.parametrize("load", [0.5, 0.8, 0.9])
def test_m_m_c_agrees_with_erlang_c_within_its_confidence_interval(load):
    """Five places, exponential stays of mean 1 day, Poisson arrivals at 5ρ a day."""
    places, rate = 5, 5 * load
    exact = erlang_c(rate, 1.0, places)
    run = simulate(Queue(np.full(HORIZON, rate), Exponential(1.0), np.full(HORIZON, places)),
                   REPLICATIONS, seed=19)
    kept = np.isfinite(run.arrival) & (run.arrival >= WARM_UP) & (run.arrival < HORIZON)
    waited = np.where(kept, run.start > run.arrival, False).sum(axis=1) / kept.sum(axis=1)
    with np.errstate(invalid="ignore"):
        wait = np.where(kept, run.start - run.arrival, 0.0).sum(axis=1) / kept.sum(axis=1)
    queue = daily(run).delayed_bed_days[:, WARM_UP:].mean(axis=1)  # time-average number waiting
    for estimate, answer in ((waited, exact.probability_of_waiting), (wait, exact.mean_wait),
                             (queue, exact.mean_queue)):
        inside, text = _inside_ci(estimate, answer)
        assert inside, text


def test_unlimited_places_hold_arrival_rate_times_mean_stay():
    """M/G/∞ with log-normal stays (median 5, σ 0.8: mean 5·e^0.32 = 6.886 days), 3 a day:
    the mean number in service is 3 × 6.886 = 20.66, whatever the distribution's shape."""
    stays = LogNormal(np.log(5.0), 0.8)
    run = simulate(Queue(np.full(400, 3.0), stays), REPLICATIONS, seed=7)
    occupancy = daily(run).occupancy[:, 100:].mean(axis=1)
    assert stays.mean == pytest.approx(6.886, abs=0.001)
    inside, text = _inside_ci(occupancy, 3.0 * stays.mean)
    assert inside, text


def _simpy_starts(places: int, arrival: np.ndarray, stays: np.ndarray,
                  occupant_end: np.ndarray) -> np.ndarray:
    # ``arrival``: when each person asks for a place (NCTR, or ready after the process time).
    """The reference: one SimPy process per person on a Resource of ``places``, first come first
    served. People in service at the start hold a place until their end; when they are more than
    the places, no one new starts until they are fewer: the places are held by the ``places``
    who leave last."""
    env = simpy.Environment(initial_time=float(min(arrival.min(initial=0.0), 0.0)))
    beds = simpy.Resource(env, capacity=places)
    starts = np.full(len(arrival), np.inf)

    def occupant(end: float, holding: simpy.Event):
        with beds.request() as request:
            yield request
            holding.succeed()
            yield env.timeout(end - env.now)

    def person(number: int):
        yield env.timeout(arrival[number] - env.now)
        with beds.request() as request:
            yield request
            starts[number] = env.now
            yield env.timeout(stays[number])

    for end in np.sort(occupant_end)[-places:]:  # placed before anyone waiting
        env.process(occupant(end, env.event()))
    for number in np.argsort(arrival, kind="stable"):
        env.process(person(int(number)))
    env.run()
    return starts


@pytest.mark.parametrize("process", [None, LogNormal(np.log(0.5), 1.0)])
def test_the_numpy_queue_gives_simpy_s_start_times_on_the_same_draws(process):
    """Three places, four people in service at the start (one more than places), three waiting,
    log-normal stays, 2.5 arrivals a day for 60 days, with and without a process time (then
    people queue in the order they become ready, not the order of NCTR): every start time of
    every replication is SimPy's to rounding."""
    queue = Queue(np.full(60, 2.5), LogNormal(np.log(1.0), 0.7), np.full(60, 3),
                  in_service_days=np.array([0.5, 3.0, 1.0, 2.0]),
                  waiting_days=np.array([0.2, 1.5, 0.7]), process=process)
    run = simulate(queue, 5, seed=3)
    occupants = 4
    for row in range(5):
        people = np.isfinite(run.start[row]) & np.isfinite(run.arrival[row])
        ready = run.ready[row][people]
        stays = run.end[row][people] - run.start[row][people]
        reference = _simpy_starts(3, ready, stays, run.end[row][:occupants])
        assert people.sum() > 100
        np.testing.assert_allclose(run.start[row][people], reference, rtol=0, atol=1e-9)
    if process is not None:  # the order of readiness differs from the order of NCTR
        assert np.any(np.diff(run.ready[0][occupants:][np.isfinite(run.ready[0][occupants:])]) < 0)


def test_a_closed_place_takes_no_one_and_reopens_only_when_its_occupant_has_left():
    """Stays of exactly 3 days. One place, open on day 0, closed on day 1, open again from day 2;
    two people waiting at the start. A starts at 0 and leaves at 3: the place reopens on day 2
    but A is still in it, so B starts at 3, not 2."""
    queue = Queue(np.zeros(8), Empirical(np.array([3.0])), np.array([1, 0, 1, 1, 1, 1, 1, 1]),
                  waiting_days=np.array([2.0, 1.0]))
    run = simulate(queue, 2, seed=1)
    np.testing.assert_allclose(run.start, [[0.0, 3.0]] * 2)


def test_daily_outputs_on_a_hand_worked_case():
    """Stays of exactly 1.5 days. Places: 1 on day 0, none on days 1-3, 2 from day 4. Waiting
    at the start: A for 3 days, B for 2, C for 1; no one new.
    A starts at 0 (waited 3 days) and stays to 1.5 though the place closes at the end of day 0;
    no one starts before day 4, when two places open: B and C start at 4 (waited 6 and 5 days)
    and leave at 5.5.
    End of day (T = 1..7): in service 1, 0, 0, 0, 2, 0, 0; waiting 2, 2, 2, 2, 0, 0, 0.
    Delayed bed days per day: 2 on days 0-3 (B and C all day), then 0.
    Service days: day 0: 1; day 1: 0.5; day 4: 2; day 5: 2 × 0.5 = 1.
    Starts on day 0: A, median wait 3 days, none within 24 h; on day 4: B and C, median 5.5."""
    queue = Queue(np.zeros(7), Empirical(np.array([1.5])), np.array([1, 0, 0, 0, 2, 2, 2]),
                  waiting_days=np.array([3.0, 2.0, 1.0]))
    days = daily(simulate(queue, 1, seed=1))
    assert days.occupancy[0].tolist() == [1, 0, 0, 0, 2, 0, 0]
    assert days.waiting[0].tolist() == [2, 2, 2, 2, 0, 0, 0]
    np.testing.assert_allclose(days.delayed_bed_days[0], [2, 2, 2, 2, 0, 0, 0])
    np.testing.assert_allclose(days.service_days[0], [1, 0.5, 0, 0, 2, 1, 0])
    assert days.starts[0].tolist() == [1, 0, 0, 0, 2, 0, 0]
    assert days.median_wait[0][[0, 4]].tolist() == [3.0, 5.5]
    assert days.within_24h[0][[0, 4]].tolist() == [0.0, 0.0]
    table = bands(days, pd.Timestamp("2026-12-07"))
    assert table.waiting_mean.tolist() == [2, 2, 2, 2, 0, 0, 0]
    assert str(table.date.iloc[4]) == "2026-12-11"


def test_remaining_stays_are_drawn_from_the_stays_longer_than_already_had():
    """Completed stays 1, 5, 9 days; in service for 4 days: the stay is 5 or 9, so 1 or 5 days
    remain; in service for 10 days (longer than any): leaves within the next day."""
    stays = Empirical(np.array([9.0, 1.0, 5.0]))
    rng = np.random.default_rng(2)
    remaining = stays.draw_remaining(rng, np.full(200, 4.0))
    assert set(np.round(remaining, 9)) == {1.0, 5.0}
    beyond = stays.draw_remaining(rng, np.full(50, 10.0))
    assert np.all((beyond >= 0) & (beyond < 1))
    lognormal = LogNormal(np.log(10.0), 0.5).draw_remaining(rng, np.full(500, 20.0))
    assert np.all(lognormal >= 0)


def test_the_places_needed_for_90_percent_within_24_hours_match_m_m_c():
    """4 arrivals a day, exponential stays of mean 1 day. In M/M/c the wait is within t with
    probability 1 - C · e^-(c - 4)t. Five places: C = 0.5541, 1 - 0.5541 · e^-1 = 0.796; six:
    C = 0.2848, 1 - 0.2848 · e^-2 = 0.961. So 90% within 24 h needs six places: one more than
    five. 95% of runs meeting it needs no fewer."""
    queue = Queue(np.full(400, 4.0), Exponential(1.0), np.full(400, 5))
    needed = places_needed(queue, REPLICATIONS, seed=5)
    assert needed.extra_places == 1
    assert needed.confident_extra_places is not None and needed.confident_extra_places >= 1
    assert needed.share is not None and needed.share[0] == pytest.approx(0.961, abs=0.02)
    assert share_within_24h(queue, REPLICATIONS, seed=5).mean() == pytest.approx(0.796, abs=0.03)


def test_the_cost_of_the_places_needed_is_care_given_plus_delayed_bed_days():
    """The M/M/6 case above, £100 a day of care and £400 a delayed bed day, over 400 days: about
    4 a day × 1 day's stay × 400 days = 1,600 days of care (£160,000), and each of the 1,600
    people waits Wq = C / (cμ - λ) = 0.2848 / 2 = 0.1424 days on average: 228 delayed bed days
    (£91,100). About £251,100 in all; without unit costs, no cost is given."""
    queue = Queue(np.full(400, 4.0), Exponential(1.0), np.full(400, 5))
    costed = places_needed(queue, REPLICATIONS, seed=5, costs=UnitCosts(100.0, 400.0))
    assert costed.extra_places == 1 and costed.cost is not None
    mean, low, high = costed.cost
    assert mean == pytest.approx(251_100, rel=0.05) and low <= mean <= high
    assert places_needed(queue, REPLICATIONS, seed=5).cost is None


def test_no_capacity_meets_a_target_the_searched_range_cannot_reach():
    """A share above 1 is never met, whatever the places: the answer is None, not a guess."""
    queue = Queue(np.full(14, 1.0), Exponential(1.0), np.full(14, 1))
    assert places_needed(queue, 5, seed=1, target=1.01).extra_places is None


def test_a_run_in_which_no_one_becomes_nctr_does_not_count_as_missing_the_target():
    """No arrivals at all: no run has anyone to count, so the share is unknown (NaN) in every run
    and no capacity can be said to meet the target."""
    queue = Queue(np.zeros(14), Exponential(1.0), np.full(14, 1))
    assert np.isnan(share_within_24h(queue, 3, seed=1)).all()
    assert places_needed(queue, 3, seed=1).extra_places is None


def test_process_time_comes_before_the_queue_for_a_place():
    """Process time of exactly 2 days, stays of exactly 1 day, one place. A has waited 1 day at
    the start, B half a day: their processes end 1 and 1.5 days from now (ready at 1.0 and 1.5).
    A starts at 1.0 and leaves at 2.0; B, ready at 1.5, waits for the place: starts at 2.0, 2.5
    days after NCTR. With no process time both are ready at once: A at 0, B at 1."""
    queue = Queue(np.zeros(5), Empirical(np.array([1.0])), np.full(5, 1),
                  waiting_days=np.array([0.5, 1.0]), process=Empirical(np.array([2.0])))
    run = simulate(queue, 2, seed=1)
    np.testing.assert_allclose(run.ready, [[1.0, 1.5]] * 2)
    np.testing.assert_allclose(run.start, [[1.0, 2.0]] * 2)
    np.testing.assert_allclose((run.start - run.arrival)[0], [2.0, 2.5])
    without = simulate(replace(queue, process=None), 2, seed=1)
    np.testing.assert_allclose(without.start, [[0.0, 1.0]] * 2)
