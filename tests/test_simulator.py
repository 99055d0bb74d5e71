"""The live simulator: its records meet the data contract, journeys stay in order, runs repeat
for a seed, and the HTTP loop talks to a stub push API (no network beyond 127.0.0.1)."""

from __future__ import annotations

import argparse
import json
import socket
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dashboard.clock import FixedClock
from dashboard.vocabulary import END_OUTCOMES
from data_access.contract import CAPACITY, DELAYS, EPISODES
from demo.simulator import (
    MAX_BATCH,
    NCTR_PER_DAY,
    FeedClient,
    Outbox,
    Rejected,
    Simulation,
    TokenRefused,
    Unreachable,
    UnusableReference,
    configure_parser,
    deliver,
    parse_reference,
    run,
    simulate,
)
from demo.synthetic.reasons import PATHWAY_REASONS

# Two systems: ICB1 (a place with two districts, two neighbourhoods each) and ICB2 (one
# neighbourhood). D2 has no pathway 2 service, so its pathway 2 people leave without one.
REFERENCE: dict[str, Any] = {
    "areas": [
        {"code": "R1", "name": "Region", "level": "region", "parent_code": None},
        {"code": "ICB1", "name": "System one", "level": "icb", "parent_code": "R1"},
        {"code": "SUB1", "name": "Place one", "level": "sub_icb", "parent_code": "ICB1"},
        {"code": "D1", "name": "Coventry", "level": "district", "parent_code": "SUB1"},
        {"code": "D2", "name": "Rugby", "level": "district", "parent_code": "SUB1"},
        {"code": "N1", "name": "N one", "level": "neighbourhood", "parent_code": "D1"},
        {"code": "N2", "name": "N two", "level": "neighbourhood", "parent_code": "D1"},
        {"code": "N3", "name": "N three", "level": "neighbourhood", "parent_code": "D2"},
        {"code": "N4", "name": "N four", "level": "neighbourhood", "parent_code": "D2"},
        {"code": "ICB2", "name": "System two", "level": "icb", "parent_code": "R1"},
        {"code": "D9", "name": "Elsewhere", "level": "district", "parent_code": "ICB2"},
        {"code": "N9", "name": "N nine", "level": "neighbourhood", "parent_code": "D9"},
    ],
    "sites": [
        {"code": "RKB01", "name": "Hospital one", "trust_code": "RKB", "area_code": "ICB1"},
        {"code": "RLT01", "name": "Hospital two", "trust_code": "RLT", "area_code": "ICB1"},
        {"code": "RXX01", "name": "Hospital nine", "trust_code": "RXX", "area_code": "ICB2"},
    ],
    "services": [
        {"code": "P1-SUB1", "name": "Reablement", "pathway": 1, "setting": "home",
         "area_code": "SUB1", "places": 60},
        {"code": "P1-D2", "name": "Home rehab", "pathway": 1, "setting": "home",
         "area_code": "D2", "places": 20},
        {"code": "P2-D1", "name": "Community beds", "pathway": 2, "setting": "bed",
         "area_code": "D1", "places": 30},
        {"code": "P3-ICB1", "name": "Care home beds", "pathway": 3, "setting": "bed",
         "area_code": "ICB1", "places": 40},
        {"code": "P1-ICB2", "name": "Reablement two", "pathway": 1, "setting": "home",
         "area_code": "ICB2", "places": 25},
        {"code": "P2-ICB2", "name": "Beds two", "pathway": 2, "setting": "bed",
         "area_code": "ICB2", "places": 15},
        {"code": "P3-ICB2", "name": "Care homes two", "pathway": 3, "setting": "bed",
         "area_code": "ICB2", "places": 1},
    ],
}
START = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
SPECS = {"episodes": EPISODES, "delays": DELAYS, "capacity": CAPACITY}
SITE_AREA = {s["code"]: s["area_code"] for s in REFERENCE["sites"]}
SERVICES = {s["code"]: s for s in REFERENCE["services"]}


def as_raw(record: dict[str, Any]) -> dict[str, str | None]:
    """The record as the API hands it to the contract: None missing, booleans as words."""
    raw: dict[str, str | None] = {}
    for name, value in record.items():
        if value is None:
            continue
        raw[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return raw


def run_steps(seed: int = 1, steps: int = 500, speed: float = 360.0, seconds: float = 60.0,
              reference: dict[str, Any] | None = None) -> list[dict[str, list[dict[str, Any]]]]:
    """``steps`` ticks ``seconds`` apart (at speed 360 and 60 s: 6 simulated hours a tick)."""
    simulation = Simulation(parse_reference(reference or REFERENCE), speed=speed, seed=seed,
                            run_id="T")
    return [simulation.step(START + timedelta(seconds=seconds * i), seconds if i else 0.0)
            for i in range(steps)]


@pytest.fixture(scope="module")
def batches() -> list[dict[str, list[dict[str, Any]]]]:
    return run_steps()  # 125 simulated days


def final_episodes(batches: list[dict[str, list[dict[str, Any]]]]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for batch in batches:
        for record in batch["episodes"]:
            latest[record["episode_id"]] = EPISODES.parse_row(as_raw(record))
    return latest


def test_every_record_meets_the_contract_and_refers_to_what_exists(batches):
    area_codes = {a["code"] for a in REFERENCE["areas"]}
    sent_episodes: set[str] = set()
    counts: Counter[str] = Counter()
    for batch in batches:
        assert list(batch) == ["episodes", "delays", "capacity"]
        for kind, records in batch.items():
            for record in records:
                row = SPECS[kind].parse_row(as_raw(record))  # raises RowError if broken
                counts[kind] += 1
                # Exactly the contract's fields: the API rejects unknown ones, and an episode
                # is always sent whole.
                assert set(record) == {c.name for c in SPECS[kind].columns}
                assert row["updated_at"] is not None
                if kind == "episodes":
                    assert row["home_area_code"] in area_codes
                    assert row["episode_id"].startswith("SIM-T-")
                    sent_episodes.add(row["episode_id"])
                elif kind == "delays":
                    assert row["episode_id"] in sent_episodes  # its episode went first
                else:
                    assert row["service_code"] in SERVICES
                    assert 0 <= row["occupied"] <= row["places"] == SERVICES[
                        row["service_code"]]["places"]
    assert min(counts.values()) > 100


def test_people_live_in_the_lowest_areas_inside_their_site_system(batches):
    simulation_reference = parse_reference(REFERENCE)
    for episode in final_episodes(batches).values():
        assert episode["home_area_code"].startswith("N")
        chain = simulation_reference.ancestors(episode["home_area_code"])
        assert SITE_AREA[episode["site_code"]] in chain


def test_a_journey_happens_in_order_and_its_past_never_changes(batches):
    seen: dict[str, dict[str, Any]] = {}
    order = ("admitted_at", "nctr_at", "referred_to_hub_at", "discharged_at", "service_start_at",
             "service_end_at")
    for batch in batches:
        for record in batch["episodes"]:
            row = EPISODES.parse_row(as_raw(record))
            times = [row[name] for name in order if row[name] is not None]
            assert times == sorted(times), row
            earlier = seen.get(row["episode_id"], {})
            for name, value in earlier.items():
                if name == "updated_at":
                    assert row[name] > value  # each update is newer than the last
                elif value is not None:
                    assert row[name] == value, (name, row)  # once known, a fact stays
            seen[row["episode_id"]] = row
    ended = [row for row in seen.values() if row["service_end_at"] is not None]
    assert ended and all(row["end_outcome"] in END_OUTCOMES for row in ended)
    assert all(row["nctr_at"] - row["admitted_at"] >= timedelta(hours=1) for row in seen.values())


def test_delay_reasons_follow_the_pathway_and_fall_while_waiting(batches):
    episodes = final_episodes(batches)
    reasons: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for batch in batches:
        keys = [(r["episode_id"], r["effective_at"]) for r in batch["delays"]]
        assert len(keys) == len(set(keys))  # a batch never repeats a key
        for record in batch["delays"]:
            row = DELAYS.parse_row(as_raw(record))
            reasons[row["episode_id"]].append((row["effective_at"], row["reason_code"]))
    for episode_id, history in reasons.items():
        episode = episodes[episode_id]
        assert history[0][0] == episode["nctr_at"]
        assert all(episode["nctr_at"] <= at for at, _ in history)
        if episode["discharged_at"] is not None:
            assert all(at <= episode["discharged_at"] for at, _ in history)
        if episode["pathway"]:
            interface, others, capacity, other_capacity = PATHWAY_REASONS[episode["pathway"]]
            allowed = {"H3", "T1", interface, capacity, *others, *other_capacity}
            assert {code for _, code in history} <= allowed
    assert len(reasons) == len(episodes)  # everyone gets a first reason at NCTR
    # Pathways 1-3 start awaiting referral to the hub (unless referred within the same tick).
    firsts = Counter(history[0][1] for e, history in reasons.items() if episodes[e]["pathway"])
    assert firsts["H3"] > 0 and firsts["T1"] > 0


def test_services_are_of_the_pathway_and_serve_the_home_area(batches):
    reference = parse_reference(REFERENCE)
    episodes = final_episodes(batches).values()
    for episode in episodes:
        if episode["pathway"] == 0:
            assert episode["referred_to_hub_at"] is None and episode["service_code"] is None
        if episode["service_code"] is None:
            assert episode["service_start_at"] is None
            continue
        service = SERVICES[episode["service_code"]]
        assert service["pathway"] == episode["pathway"]
        assert service["area_code"] in reference.ancestors(episode["home_area_code"])
        if service["setting"] == "bed":
            assert episode["service_start_at"] == episode["discharged_at"]
    # D2 (Rugby) has no pathway 2 service: those people leave without one.
    rugby_p2 = [e for e in episodes if e["pathway"] == 2 and e["home_area_code"] in ("N3", "N4")
                and e["discharged_at"] is not None]
    assert rugby_p2 and all(e["service_code"] is None for e in rugby_p2)
    # Home-based services start on the discharge day or later, sometimes in a later step.
    home = [e for e in episodes if e["service_start_at"] and e["pathway"] == 1]
    assert any(e["service_start_at"] > e["discharged_at"] for e in home)
    assert any(e["service_start_at"] == e["discharged_at"] for e in home)


def test_volumes_and_pathway_mix_are_realistic(batches):
    episodes = final_episodes(batches).values()
    simulated_days = 500 * 6 / 24
    per_day = len(episodes) / simulated_days
    assert 0.9 * NCTR_PER_DAY < per_day < 1.1 * NCTR_PER_DAY
    assert 100 <= per_day <= 150
    mix = Counter(e["pathway"] for e in episodes)
    assert 0.80 < mix[0] / len(episodes) < 0.90
    assert all(mix[p] > 0 for p in (1, 2, 3))
    ages = [e["age"] for e in episodes]
    assert 0.7 < sum(age >= 65 for age in ages) / len(ages) < 0.9
    outcomes = Counter(e["end_outcome"] for e in episodes if e["end_outcome"])
    assert outcomes.most_common(1)[0][0] in ("home_no_support", "care_home")
    assert outcomes["readmitted"] > 0


def test_speed_scales_the_events_per_real_second():
    slow = run_steps(seed=3, steps=100, speed=600.0, seconds=36.0)  # 6 h a tick
    fast = run_steps(seed=3, steps=100, speed=1200.0, seconds=36.0)  # 12 h a tick
    arrivals = [len({e["episode_id"] for b in run for e in b["episodes"]}) for run in (slow, fast)]
    assert 1.6 < arrivals[1] / arrivals[0] < 2.4


def test_capacity_is_reported_for_every_service_about_hourly(batches):
    assert {r["service_code"] for r in batches[0]["capacity"]} == set(SERVICES)  # first tick
    per_service = Counter(r["service_code"] for b in batches for r in b["capacity"])
    # Ticks of 6 simulated hours: at most one report per service per tick (the latest).
    assert set(per_service.values()) == {len(batches)}
    hourly = run_steps(seed=2, steps=200, speed=360.0, seconds=5.0)  # half an hour a tick
    counts = Counter(r["service_code"] for b in hourly for r in b["capacity"])
    assert all(80 <= n <= 125 for n in counts.values())  # 100 simulated hours
    rows = [CAPACITY.parse_row(as_raw(r)) for b in hourly for r in b["capacity"]]
    assert any(row["unavailable"] for row in rows)
    assert len({row["occupied"] for row in rows if row["service_code"] == "P1-SUB1"}) > 3


def test_the_same_seed_gives_the_same_records_and_another_seed_does_not():
    assert run_steps(seed=11, steps=80) == run_steps(seed=11, steps=80)
    assert run_steps(seed=11, steps=80) != run_steps(seed=12, steps=80)


def test_a_clock_set_back_does_not_put_events_out_of_order():
    simulation = Simulation(parse_reference(REFERENCE), speed=3600, seed=5, run_id="B")
    stamps = [START, START + timedelta(minutes=10), START + timedelta(minutes=5),
              START + timedelta(minutes=20)]
    sent = [simulation.step(now, 60.0) for now in stamps]
    episodes = [EPISODES.parse_row(as_raw(r)) for b in sent for r in b["episodes"]]
    assert episodes and all(e["nctr_at"] <= e["discharged_at"] for e in episodes
                            if e["discharged_at"])
    assert max(e["nctr_at"] for e in episodes) <= datetime(2026, 11, 25, 8, 50)
    assert datetime(2026, 11, 25, 8, 35) not in {e["nctr_at"] for e in episodes}


def test_unusable_references_are_refused_with_a_reason():
    with pytest.raises(UnusableReference, match="no sites"):
        parse_reference({**REFERENCE, "sites": []})
    with pytest.raises(UnusableReference, match="expected form"):
        parse_reference({"areas": [{"name": "no code"}]})
    with pytest.raises(UnusableReference, match="JSON object"):
        parse_reference([])
    # Without neighbourhoods the lowest level present is the home area.
    districts = [a for a in REFERENCE["areas"] if a["level"] != "neighbourhood"]
    reference = parse_reference({**REFERENCE, "areas": districts})
    assert {a.code for a in reference.home_areas} == {"D1", "D2", "D9"}


def test_only_the_sites_and_services_the_source_may_write_for_are_simulated():
    source = {"name": "Simulator", "kinds": ["episodes", "delays", "capacity"],
              "sites": ["RKB01"], "services": ["P1-SUB1", "P2-D1"]}
    granted = {**REFERENCE, "source": source}
    batches = run_steps(steps=40, reference=granted)
    assert {r["site_code"] for b in batches for r in b["episodes"]} == {"RKB01"}
    assert {r["service_code"] for b in batches for r in b["capacity"]} == {"P1-SUB1", "P2-D1"}
    # Without capacity granted, none is reported; without episodes, nothing can be simulated.
    no_capacity = {**source, "kinds": ["episodes", "delays"]}
    assert not any(b["capacity"] for b in run_steps(steps=5, reference={
        **REFERENCE, "source": no_capacity}))
    with pytest.raises(UnusableReference, match="may not send delays or episodes"):
        parse_reference({**REFERENCE, "source": {**source, "kinds": ["capacity"]}})
    with pytest.raises(UnusableReference, match="no sites the token's source may write for"):
        parse_reference({**REFERENCE, "source": {**source, "sites": []}})


# --- Sending, with a fake client ---------------------------------------------------------------

class FakeClient:
    url = "http://fake"

    def __init__(self, answers: list[Callable[[str, list[Any]], int]]) -> None:
        self.answers = answers
        self.posts: list[tuple[str, list[Any]]] = []

    def post(self, kind: str, records: list[Any]) -> int:
        self.posts.append((kind, records))
        return self.answers.pop(0)(kind, records) if self.answers else len(records)


def _raise(error: Exception) -> Callable[[str, list[Any]], int]:
    def answer(kind: str, records: list[Any]) -> int:
        raise error

    return answer


def test_a_network_error_keeps_the_records_for_the_next_tick():
    outbox = Outbox()
    batch = run_steps(steps=3)[2]
    outbox.add(batch)
    client = FakeClient([_raise(Unreachable("could not reach http://fake: refused"))])
    first = deliver(client, outbox)  # type: ignore[arg-type]
    assert first.held_back and "trying again next tick" in first.problems[0]
    assert [kind for kind, _ in client.posts] == ["episodes"]  # nothing after a failed kind
    second = deliver(client, outbox)  # type: ignore[arg-type]
    assert not second.problems and len(outbox) == 0
    assert [kind for kind, _ in client.posts[1:]] == ["episodes", "delays", "capacity"]
    assert client.posts[1][1] == batch["episodes"]


def test_a_rejection_drops_the_named_records_and_sends_the_rest_once_more():
    outbox = Outbox()
    outbox.add(run_steps(steps=3)[2])
    episodes = outbox.pending("episodes")
    rejected = Rejected([{"index": 0, "reason": "site_code: not known"}])
    client = FakeClient([_raise(rejected)])
    delivery = deliver(client, outbox)  # type: ignore[arg-type]
    assert "episodes: 1 rejected" in delivery.problems[0] and "site_code: not known" in \
        delivery.problems[0]
    assert client.posts[1] == ("episodes", episodes[1:])
    assert len(outbox) == 0


def test_batches_hold_at_most_a_thousand_records():
    outbox = Outbox()
    outbox.add({"capacity": [{"service_code": f"S{i}", "reported_at": "2026-11-25T08:30:00Z",
                              "places": 1, "occupied": 0, "unavailable": 0}
                             for i in range(2500)]})
    client = FakeClient([])
    assert deliver(client, outbox).applied == 2500  # type: ignore[arg-type]
    assert [len(records) for _, records in client.posts] == [MAX_BATCH, MAX_BATCH, 500]


def test_a_refused_token_while_sending_propagates():
    outbox = Outbox()
    outbox.add(run_steps(steps=1)[0])
    with pytest.raises(TokenRefused):
        deliver(FakeClient([_raise(TokenRefused("refused"))]), outbox)  # type: ignore[arg-type]


# --- The HTTP loop against a stub push API -----------------------------------------------------

def applied(body: list[Any]) -> dict[str, Any]:
    """The push API's answer when every record is new."""
    return {"loaded": True, "received": len(body), "position": "index",
            "new": list(range(len(body))), "changed": [], "unchanged": [], "stale": [],
            "rejected": [], "refused": []}


class StubApi:
    """``/api/v1/reference`` and ``/api/v1/feeds/{kind}`` on 127.0.0.1, recording every POST."""

    def __init__(self, reference_status: int = 200,
                 reply: Callable[[str, list[Any]], tuple[int, dict[str, Any]]] | None = None):
        self.reference_status = reference_status
        self.reply = reply or (lambda path, body: (200, applied(body)))
        self.posts: list[tuple[str, dict[str, str], Any]] = []
        self.auth: list[str | None] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                stub.auth.append(self.headers.get("Authorization"))
                if self.path != "/api/v1/reference":
                    self.answer(404, {"error": "not found"})
                elif stub.reference_status != 200:
                    self.answer(stub.reference_status, {"error": "no"})
                else:
                    self.answer(200, REFERENCE)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.posts.append((self.path, dict(self.headers), body))
                self.answer(*stub.reply(self.path, body))

        return Handler

    def __enter__(self) -> StubApi:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeTime:
    """A monotonic clock, ``sleep`` and a wall clock that move together, instantly."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def monotonic(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds

    def now(self) -> datetime:
        return START + timedelta(seconds=self.seconds)


@pytest.fixture
def stub() -> Iterator[StubApi]:
    with StubApi() as api:
        yield api


def simulate_against(url: str, token: str = "secret", **options: Any) -> int:
    fake = FakeTime()
    settings = {"speed": 3600.0, "interval": 5.0, "duration": 60.0, "seed": 1, "run_id": "H",
                **options}
    return simulate(FeedClient(url, token), clock=fake, sleep=fake.sleep,
                    monotonic=fake.monotonic, **settings)


def test_the_loop_posts_each_kind_in_order_with_the_bearer_token(stub, capsys):
    assert simulate_against(stub.url) == 0
    paths = [path for path, _, _ in stub.posts]
    assert set(paths) == {"/api/v1/feeds/episodes", "/api/v1/feeds/delays",
                          "/api/v1/feeds/capacity"}
    assert paths[0] == "/api/v1/feeds/capacity"  # the first tick reports every service
    assert stub.auth == ["Bearer secret"]
    sent_ids: set[str] = set()
    for path, headers, body in stub.posts:
        assert headers["Authorization"] == "Bearer secret"
        assert headers["Content-Type"] == "application/json"
        assert isinstance(body, list) and 0 < len(body) <= MAX_BATCH
        if path.endswith("/episodes"):
            sent_ids |= {r["episode_id"] for r in body}
        if path.endswith("/delays"):
            assert {r["episode_id"] for r in body} <= sent_ids
    out = capsys.readouterr().out
    assert "Feeding http://127.0.0.1" in out and "Finished." in out
    tick_lines = [line for line in out.splitlines() if " sim +" in line]
    assert len(tick_lines) == 13  # 0, 5, ..., 60 s
    assert "08:30:05  sim +5.0 h  sent episodes " in out and "; applied " in out


def test_a_refused_token_stops_with_a_message_and_no_traceback(capsys):
    with StubApi(reference_status=401) as api:
        assert simulate_against(api.url, token="wrong") == 2
    err = capsys.readouterr().err
    assert "the token was refused (HTTP 401)" in err and "Traceback" not in err


def test_a_token_refused_while_posting_stops_the_run(capsys):
    with StubApi(reply=lambda path, body: (401, {"error": "bad token"})) as api:
        assert simulate_against(api.url) == 2
        assert len(api.posts) == 1
    assert "the token was refused" in capsys.readouterr().err


def test_records_refused_by_the_grants_stop_the_run_with_the_reason(capsys):
    refused = {"loaded": False, "error": "1 record(s) are outside what source 'S' may write",
               "refused": [{"index": 0, "reason": "site RKB01 is not among the sites granted "
                                                  "to 'S', nor inside its areas"}]}
    with StubApi(reply=lambda path, body: (403, refused)) as api:
        assert simulate_against(api.url) == 2
    err = capsys.readouterr().err
    assert "the records were refused (HTTP 403): site RKB01 is not among the sites granted" \
        in err and "Traceback" not in err


def test_rejected_records_are_reported_and_the_run_goes_on(capsys):
    def reply(path: str, body: list[Any]) -> tuple[int, dict[str, Any]]:
        if path.endswith("/capacity"):
            return 422, {"loaded": False, "rejected": [{"index": 0, "reason": "places: bad"}]}
        return 200, applied(body)

    with StubApi(reply=reply) as api:
        assert simulate_against(api.url) == 0
    out = capsys.readouterr().out
    assert "capacity: 1 rejected, nothing of that batch loaded: #0: places: bad" in out
    assert "Finished." in out


def test_an_unreachable_instance_is_retried_then_reported(capsys):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert simulate_against(f"http://127.0.0.1:{port}", duration=12.0) == 1
    captured = capsys.readouterr()
    assert captured.out.count("could not reach") == 3 and "trying again in 5 s" in captured.out
    assert "could not be reached" in captured.err and "Traceback" not in captured.err


def test_ctrl_c_stops_cleanly(stub, capsys):
    fake = FakeTime()

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    code = simulate(FeedClient(stub.url, "secret"), clock=FixedClock(START), speed=60,
                    interval=5, seed=1, sleep=interrupted, monotonic=fake.monotonic)
    assert code == 0
    assert capsys.readouterr().out.rstrip().endswith("Stopped.")


def test_the_command_runs_for_its_duration_with_the_token_from_the_environment(
        stub, capsys, monkeypatch):
    monkeypatch.setenv("DASHBOARD_FEED_TOKEN", "from-env")
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    args = parser.parse_args(["--url", stub.url + "/", "--speed", "360000", "--interval", "0.05",
                              "--duration", "0.3", "--seed", "4"])
    assert run(args) == 0
    assert stub.auth == ["Bearer from-env"]
    assert any(path.endswith("/episodes") for path, _, _ in stub.posts)
    assert "Finished." in capsys.readouterr().out


def test_the_command_line_options_and_their_defaults(monkeypatch, capsys):
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    args = parser.parse_args(["--url", "http://127.0.0.1:8050"])
    assert (args.token, args.speed, args.interval, args.duration, args.seed) == (
        None, 60.0, 5.0, None, None)
    with pytest.raises(SystemExit):
        parser.parse_args(["--url", "http://x", "--speed", "0"])
    monkeypatch.delenv("DASHBOARD_FEED_TOKEN", raising=False)
    assert run(args) == 2
    assert "give --token or set DASHBOARD_FEED_TOKEN" in capsys.readouterr().err
    assert run(parser.parse_args(["--url", "ftp://x", "--token", "t"])) == 2
