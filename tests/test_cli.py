"""The command line as a person uses it: messages and exit codes, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from dashboard.__main__ import main
from data_access.models import Area, Episode
from tests.builders import EPISODE_HEADER, GEOGRAPHY, unclosed_quote, write_folder

ROOT = Path(__file__).resolve().parent.parent


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
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
