"""The command line as a person uses it: messages and exit codes, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from dashboard.__main__ import main
from data_access.models import Area, Episode
from tests.builders import (
    EPISODE_HEADER,
    GEOGRAPHY,
    STAYS,
    TODAY_CAPACITY,
    TODAY_DELAYS,
    TODAY_EPISODES,
    load_files,
    unclosed_quote,
    write_folder,
)

ROOT = Path(__file__).resolve().parent.parent


def run_cli(database_url: str, *args: str,
            now: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    if now is not None:
        env["DASHBOARD_NOW"] = now
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_load_rejects_a_malformed_file_with_line_numbers_and_loads_nothing(engine, database_url,
                                                                          tmp_path):
    episodes = EPISODE_HEADER + "E1,p1,S1,N1,eighty,F,2026-11-20T10:00,,,,,,,,,,\n"
    folder = write_folder(tmp_path / "bad", {**GEOGRAPHY, "episodes.csv": episodes})
    result = run_cli(database_url, "load", str(folder))
    assert result.returncode == 1
    assert "episodes.csv line 2: age: 'eighty' is not a whole number" in result.stderr
    assert "Nothing was loaded" in result.stderr
    assert "Traceback" not in result.stderr
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Area)) == 0


def test_load_twice_says_the_rows_are_already_present_and_keeps_row_counts(engine, database_url,
                                                                          tmp_path):
    episodes = EPISODE_HEADER + ("E1,p1,S1,N1,80,F,2026-11-20T10:00,2026-11-24T08:00,,,,,,,,,\n"
                                 "E2,p2,S1,N2,81,M,2026-11-20T10:00,,,,,,,,,,\n")
    folder = write_folder(tmp_path / "good", {**GEOGRAPHY, "episodes.csv": episodes})
    first = run_cli(database_url, "load", str(folder))
    second = run_cli(database_url, "load", str(folder))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "episodes.csv: 2 rows read, 2 new, 0 rows already present, 0 changed, 0 unchanged, " \
        "0 ignored as stale, 0 rejected" in first.stdout
    assert "episodes.csv: 2 rows read, 0 new, 2 rows already present, 0 changed, 2 unchanged, " \
        "0 ignored as stale, 0 rejected" in second.stdout
    assert "areas.csv: 5 rows read, 0 new, 5 rows already present, 0 changed" in second.stdout
    # One row edited: the third load says which.
    write_folder(folder, {"episodes.csv": episodes.replace("p2,S1,N2,81", "p2,S1,N2,82")})
    third = run_cli(database_url, "load", str(folder))
    assert "episodes.csv: 2 rows read, 0 new, 2 rows already present, 1 changed, 1 unchanged, " \
        "0 ignored as stale, 0 rejected" in third.stdout
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Episode)) == 2
        assert connection.scalar(select(func.count()).select_from(Area)) == 5


def test_load_names_the_line_of_a_short_line_and_of_an_unclosed_quote(database_url, tmp_path):
    short = EPISODE_HEADER + "E1,p1,S1,N1,80,F,2026-11-20T10:00\n"
    result = run_cli(database_url, "load", str(write_folder(tmp_path / "short", {
        **GEOGRAPHY, "episodes.csv": short})))
    assert result.returncode == 1
    assert "episodes.csv line 2: has 7 values; the header has 17 columns" in result.stderr
    delays = unclosed_quote("episode_id,effective_at,reason_code\n",
                            lambda n: f"E{n},2026-11-24T09:00,T1")
    result = run_cli(database_url, "load", str(write_folder(tmp_path / "quote", {
        "delays.csv": delays})))
    assert result.returncode == 2
    assert result.stderr == ("error: delays.csv cannot be read as CSV (line 7000: a quoted value "
                             "opened in this record is never closed); nothing was loaded\n")


def test_load_of_a_missing_folder_is_a_message(database_url, tmp_path):
    result = run_cli(database_url, "load", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'nowhere'} is not a folder"


def test_a_source_sends_nothing_until_granted_and_its_grants_are_shown(database_url, monkeypatch,
                                                                       capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["token", "create", "Ward A", "--every", "15"]) == 0
    assert "Ward A: no grants; it can send nothing until an administrator runs python -m " \
        "dashboard source grant 'Ward A'" in capsys.readouterr().out
    assert main(["source", "grant", "Ward A", "--kinds", "episodes,delays", "--site", "S1",
                 "--area", "D1", "D2"]) == 0
    assert capsys.readouterr().out == ("Ward A: may send episodes, delays; for sites S1; areas "
                                       "(each with everything inside it) D1, D2\n")
    assert main(["source", "revoke", "Ward A", "--area", "D2"]) == 0
    assert main(["source", "show", "Ward A"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("areas (each with everything "
                                                             "inside it) D1")
    assert main(["source", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == [
        "Ward", "A", "episodes,", "delays", "sites", "S1;", "areas", "D1"]
    # Mistakes are messages, and change nothing.
    for wrong, message in ((["grant", "Ward B", "--kinds", "episodes", "--site", "S1"],
                            "there is no source 'Ward B'"),
                           (["grant", "Ward A", "--kinds", "patients"], "unknown kind(s) patients"),
                           (["grant", "Ward A", "--site", "S 1"], "'S 1' is not a code"),
                           (["revoke", "Ward A"], "name what to revoke")):
        assert main(["source", *wrong]) == 2
        assert message in capsys.readouterr().err
    assert main(["source", "revoke", "Ward A", "--all"]) == 0
    assert "Ward A: no grants" in capsys.readouterr().out
    # The actions on people (through /api/v1/actions) are a kind to grant like the others.
    assert main(["source", "grant", "Ward A", "--kinds", "episodes,actions", "--area", "D1"]) == 0
    assert capsys.readouterr().out == ("Ward A: may send episodes, actions; for areas (each "
                                       "with everything inside it) D1\n")


def test_plan_writes_daily_bands_and_a_report_from_the_data(engine, database_url, tmp_path):
    """Today's case with October's completed stays, at 25 Nov 08:30: pathway 1 has 14 places
    open (tests/test_planning_inputs.py works them), 3 in service (E7, E11, and L4 since 10 Sep)
    and 3 waiting; a 2-week run with 5 more places from 1 Dec."""
    load_files(engine, tmp_path / "data", {
        **GEOGRAPHY, "episodes.csv": TODAY_EPISODES + STAYS.removeprefix(EPISODE_HEADER),
        "capacity.csv": TODAY_CAPACITY, "delays.csv": TODAY_DELAYS})
    scenario = tmp_path / "more.json"
    scenario.write_text(json.dumps({
        "name": "Five more", "area": "ICB1", "pathways": [1], "horizon_weeks": 2,
        "replications": 20, "stays": "empirical", "history_weeks": 8,
        "capacity_changes": [{"pathway": 1, "from": "2026-12-01", "places": 5}],
        "unit_costs": {"1": {"service_day": 60, "delayed_bed_day": 400}}}))
    result = run_cli(database_url, "plan", str(scenario), "--out", str(tmp_path / "out"),
                     "--capacity-for", "0.9", now="2026-11-25T08:30")
    assert result.returncode == 0, result.stderr
    assert "Plan 'Five more' for Test system from 2026-11-25" in result.stdout
    daily = pd.read_csv(tmp_path / "out" / "daily.csv")
    assert len(daily) == 14 and set(daily.pathway) == {1}
    assert daily.places.tolist() == [14] * 6 + [19] * 8
    for measure in ("occupancy", "waiting", "within_24h", "delayed_bed_days", "cost"):
        assert {f"{measure}_mean", f"{measure}_low", f"{measure}_high"} <= set(daily.columns)
    assert (daily.occupancy_high <= daily.places).all()
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "# Plan: Five more" in report
    assert "- pathway 1: +5 places from 01 Dec 2026" in report
    assert "places open now: 14; from Test system, pathway 1: latest reports of 2 of 2" in report
    assert "3 in service, 3 waiting" in report
    assert "empirical, 3 completed stays" in report
    # What capacity do we need: the search ran and its answer is consistent with the table.
    needed = pd.read_csv(tmp_path / "out" / "capacity.csv").iloc[0]
    assert (needed.pathway, needed.places_first_day) == (1, 14)
    assert needed.places_needed == needed.places_first_day + needed.extra_places
    assert needed.share_mean >= 0.9
    assert needed.cost_low <= needed.cost_mean <= needed.cost_high  # pathway 1 has unit costs
    assert "## What capacity do we need?" in report


def test_plan_refuses_a_wrong_scenario_with_a_message(database_url, tmp_path):
    cases = {"broken.json": ("{", "not JSON"),
             "nowhere.json": ('{"name": "X", "area": "NOPE"}', "there is no area 'NOPE'"),
             "later.json": ('{"name": "X", "area": "NOPE", "horizon_weeks": 30}',
                            "horizon_weeks: from 1 to 26, not 30")}
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        result = run_cli(database_url, "plan", str(tmp_path / name), "--out", str(tmp_path))
        assert result.returncode == 2
        assert message in result.stderr and "Traceback" not in result.stderr
    missing = run_cli(database_url, "plan", str(tmp_path / "absent.json"), "--out", str(tmp_path))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    share = run_cli(database_url, "plan", str(tmp_path / "broken.json"), "--out", str(tmp_path),
                    "--capacity-for", "90%")
    assert share.returncode == 2
    assert "a share from 0 to 1, such as 0.9, not '90%'" in share.stderr
