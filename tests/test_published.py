"""NHS England's published sitreps: rejections by line, atomic and idempotent loads, England totals
equal to the files' sums, and tolerant matching of the published delay reason texts."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select, text

from dashboard.reason_matching import PUBLISHED_TEXTS, find_reason, match_reason, normalise
from dashboard.vocabulary import DELAY_REASONS
from data_access.db import make_engine
from data_access.loader import FolderError
from data_access.models import (
    Load,
    PublishedDaily,
    PublishedOrganisation,
    PublishedReason,
    PublishedReasonText,
)
from data_access.published import load_published
from tests.builders import unclosed_quote, write_folder
from tests.test_cli import run_cli
from tests.test_migrations import empty_database_url  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent
SITREPS = ROOT / "reference_data" / "nhse_discharge_sitrep"
GEOGRAPHY = ROOT / "reference_data" / "geography"
PUBLISHED_MODELS = (PublishedOrganisation, PublishedDaily, PublishedReason, PublishedReasonText)

ICB_HEADER = ("icb22_code,date,nctr_patients,discharged_by_1700,discharged_between_1701_2359,"
              "discharged_total\n")
TRUST_HEADER = ICB_HEADER.replace("icb22_code", "nhs_trust22_code")
REASONS_HEADER = "nhs_trust22_code,nhs_trust22_name,month_start,delay_reason,patients\n"
H1_TEXT = "Hospital process \u2013 Awaiting therapy review of need for supported discharge"

# Real codes from reference_data/geography: two ICBs and a trust of the first.
GOOD_FILES = {
    "icb_daily_nctr.csv": ICB_HEADER + """\
E54000008,2024-06-01,1384,253.0,182.0,435
E54000010,2024-06-01,900,,,300
""",
    "trust_daily_nctr.csv": TRUST_HEADER + "R0A,2024-06-01,535.0,197.0,84.0,281.0\n",
    "trust_monthly_delay_reasons.csv": REASONS_HEADER
    + f"R0A,Manchester University NHS Foundation Trust,2024-06-01,{H1_TEXT},11.0\n"
    + "R0A,Manchester University NHS Foundation Trust,2024-06-01,"
      "Capacity \u2013 Housing adaptations not yet completed?(Pathway 1 or 3),\n",
}


def count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def all_rows(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {model.__tablename__: sorted(tuple(row) for row in connection.execute(
            select(model.__table__))) for model in PUBLISHED_MODELS}


def copy_files(folder: Path, *names: str) -> Path:
    folder.mkdir()
    for name in names:
        shutil.copy(SITREPS / name, folder / name)
    return folder


# (a) hand-made files: every bad row reported by its line, nothing loaded -----------------------

def test_malformed_rows_are_rejected_with_line_numbers_and_nothing_is_loaded(engine, tmp_path):
    files = {
        "icb_daily_nctr.csv": GOOD_FILES["icb_daily_nctr.csv"] + """\
E54000008,01/06/2024,1384,253,182,435
E54000008,2024-06-02,-3,,,0
E54000008,2024-06-03,12.5,,,0
E99999999,2024-06-01,10,,,3
E54000008,2024-06-01,1384,253,182,435
E54000008,2024-06-04,10,1,2,3,4
""",
        "trust_daily_nctr.csv": GOOD_FILES["trust_daily_nctr.csv"]
        + "E54000008,2024-06-01,1,0,0,0\n",
        "trust_monthly_delay_reasons.csv": GOOD_FILES["trust_monthly_delay_reasons.csv"]
        + "R0A,Manchester University,2024-06-15,"
          "Hospital process - Awaiting patient transport services,3\n"
        + "R0A,Manchester University,2024-06-01,Capacity \u2013 Waiting for a miracle,3\n",
    }
    report = load_published(engine, write_folder(tmp_path / "bad", files))

    assert not report.loaded
    assert [str(r) for r in report.rejections] == [
        "icb_daily_nctr.csv line 4: date: '01/06/2024' is not an ISO date (YYYY-MM-DD)",
        "icb_daily_nctr.csv line 5: nctr_patients: '-3' is not a whole number >= 0",
        "icb_daily_nctr.csv line 6: nctr_patients: '12.5' is not a whole number >= 0",
        "icb_daily_nctr.csv line 7: icb22_code 'E99999999' is not an ICB known to "
        "reference_data/geography or the database",
        "icb_daily_nctr.csv line 8: duplicate of line 2 (level, org_code, date = icb, E54000008, "
        "2024-06-01)",
        "icb_daily_nctr.csv line 9: has 7 values; the header has 6 columns",
        "trust_daily_nctr.csv line 3: nhs_trust22_code 'E54000008' is not a trust known to "
        "reference_data/geography or the database",
        "trust_monthly_delay_reasons.csv line 4: month_start: '2024-06-15' is not the first day "
        "of a month",
        "trust_monthly_delay_reasons.csv line 5: delay_reason: 'Capacity \u2013 Waiting for a "
        "miracle' matches none of the 37 delay reasons",
    ]
    # Atomic: neither the good rows nor the organisations were written.
    for model in PUBLISHED_MODELS:
        assert count(engine, model) == 0
    with engine.connect() as connection:
        outcomes = Counter(connection.execute(select(Load.file_name, Load.outcome)))
    assert outcomes == Counter({(name, "rejected"): 1 for name in (
        *files, "icb_subicb_la_population.csv", "nhs_trusts.csv")})
    assert "Nothing was loaded" in report.summary()


def test_allow_partial_loads_the_accepted_rows_only(engine, tmp_path):
    icb_daily = GOOD_FILES["icb_daily_nctr.csv"] + "E54000008,2024-06-02,x,,,1\n"
    files = {**GOOD_FILES, "icb_daily_nctr.csv": icb_daily}
    report = load_published(engine, write_folder(tmp_path / "partial", files), allow_partial=True)

    assert report.loaded
    assert [str(r) for r in report.rejections] == [
        "icb_daily_nctr.csv line 4: nctr_patients: 'x' is not a whole number >= 0"]
    with engine.connect() as connection:
        daily = connection.execute(select(
            PublishedDaily.level, PublishedDaily.org_code, PublishedDaily.day,
            PublishedDaily.nctr_patients, PublishedDaily.discharged_by_1700,
            PublishedDaily.discharged_total).order_by(PublishedDaily.org_code)).all()
        reasons = connection.execute(select(
            PublishedReason.reason_code, PublishedReason.patients)
            .order_by(PublishedReason.reason_code)).all()
        texts = dict(connection.execute(select(
            PublishedReasonText.published_text, PublishedReasonText.matched_by)).all())
        outcomes = dict(connection.execute(select(Load.file_name, Load.outcome)).all())
    june = date(2024, 6, 1)
    assert daily == [("icb", "E54000008", june, 1384, 253, 435),
                     ("icb", "E54000010", june, 900, None, 300),  # blank: not submitted
                     ("trust", "R0A", june, 535, 197, 281)]
    assert reasons == [("C9", None), ("H1", 11)]
    assert texts == {H1_TEXT: "mapping",
                     "Capacity \u2013 Housing adaptations not yet completed?(Pathway 1 or 3)":
                     "mapping"}
    assert outcomes["icb_daily_nctr.csv"] == "partial"
    assert outcomes["trust_daily_nctr.csv"] == "loaded"


def test_organisations_come_from_the_geography_with_65_plus_summed_per_icb(engine, tmp_path):
    geography = write_folder(tmp_path / "geography", {
        "icb_subicb_la_population.csv": """\
region_name,icb22_code,icb22_name,sicbl22_code,sicbl22_name,ltla22_code,ltla22_name,population_all,population_18_plus,population_65_plus,population_85_plus
Midlands,E54000018,Coventry ICB,E38000001,Place A,E07000001,District A,100,80,30,5
Midlands,E54000018,Coventry ICB,E38000002,Place B,E07000002,District B,200,160,45,6
London,E54000027,North London ICB,E38000003,Place C,E09000001,District C,300,240,50,7
London,E54000027,NW London ICB,E38000004,Place D,E09000002,District D,300,240,50,7
""",
        "nhs_trusts.csv": """\
nhs_trust22_code,nhs_trust22_name,nhs_region21_name,status,icb22_code
RKB,Coventry Hospitals,Midlands,open,E54000018
RQX,Homerton,London,open,E54000099
R1A,Community trust,Midlands,closed,
""",
    })
    folder = write_folder(tmp_path / "sitreps", {
        "icb_daily_nctr.csv": ICB_HEADER + "E54000018,2024-06-01,10,,,3\n"})

    rejected = load_published(engine, folder, geography=geography)
    assert [str(r) for r in rejected.rejections] == [
        "icb_subicb_la_population.csv line 5: icb22_name or region_name of E54000027 differs "
        "from line 4",
        "nhs_trusts.csv line 3: icb22_code 'E54000099' is not an ICB known to "
        "reference_data/geography or the database",
    ]
    assert count(engine, PublishedOrganisation) == 0

    loaded = load_published(engine, folder, geography=geography, allow_partial=True)
    assert loaded.loaded
    with engine.connect() as connection:
        organisations = connection.execute(select(
            PublishedOrganisation.code, PublishedOrganisation.level, PublishedOrganisation.region,
            PublishedOrganisation.icb_code, PublishedOrganisation.status,
            PublishedOrganisation.population_65_plus).order_by(PublishedOrganisation.code)
        ).all()
    assert organisations == [
        ("E54000018", "icb", "Midlands", None, None, 75),
        ("E54000027", "icb", "London", None, None, 50),
        ("R1A", "trust", "Midlands", None, "closed", None),
        ("RKB", "trust", "Midlands", "E54000018", "open", None),
    ]


def test_a_short_line_is_refused_by_its_line_in_the_extracts_and_the_geography(engine,
                                                                              tmp_path):
    geography = tmp_path / "geography"
    shutil.copytree(GEOGRAPHY, geography)
    trusts = geography / "nhs_trusts.csv"
    lines = trusts.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[2].startswith("R0B,") and lines[2].count(",") == 4
    lines[2] = lines[2].rsplit(",", 1)[0] + "\n"  # R0B without its icb22_code
    trusts.write_text("".join(lines), encoding="utf-8")
    icb_daily = GOOD_FILES["icb_daily_nctr.csv"] + "E54000008,2024-06-02,1384,253.0\n"
    folder = write_folder(tmp_path / "sitreps", {**GOOD_FILES, "icb_daily_nctr.csv": icb_daily})

    report = load_published(engine, folder, geography=geography)
    assert [str(r) for r in report.rejections] == [
        "nhs_trusts.csv line 3: has 4 values; the header has 5 columns",
        "icb_daily_nctr.csv line 4: has 4 values; the header has 6 columns"]
    assert not report.loaded and count(engine, PublishedOrganisation) == 0

    assert load_published(engine, folder, geography=geography, allow_partial=True).loaded
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).where(
            PublishedOrganisation.code == "R0B")) == 0  # never completed with a blank ICB
        assert connection.scalars(select(PublishedDaily.day).where(
            PublishedDaily.org_code == "E54000008")).all() == [date(2024, 6, 1)]


def test_an_unclosed_quote_refuses_the_file_naming_the_line_it_opens_on(engine, tmp_path):
    icb_daily = unclosed_quote(ICB_HEADER, lambda n: f"E54000008,2024-06-01,{n},,,1")
    folder = write_folder(tmp_path / "sitreps", {"icb_daily_nctr.csv": icb_daily})
    with pytest.raises(FolderError) as refusal:
        load_published(engine, folder)
    message = str(refusal.value)
    assert message == ("icb_daily_nctr.csv cannot be read as CSV (line 7000: a quoted value "
                       "opened in this record is never closed); nothing was loaded")
    assert len(message) < 500
    assert count(engine, Load) == 0 and count(engine, PublishedDaily) == 0


def test_a_rejection_quotes_at_most_100_characters_of_a_value(engine, tmp_path):
    long_code, long_count = "E5" + "4" * 2_000, "7" * 4_400  # Python reads 4,300 digits at most
    folder = write_folder(tmp_path / "sitreps", {"icb_daily_nctr.csv": ICB_HEADER
                                                 + f"{long_code},2024-06-01,1,,,1\n"
                                                 + f"E54000008,2024-06-01,{long_count},,,1\n"})
    report = load_published(engine, folder)
    assert [r.reason for r in report.rejections] == [
        f"icb22_code: {long_code[:100]!r}… (2,002 characters) is not an organisation code (up "
        "to 32 letters and digits)",
        f"nctr_patients: {long_count[:100]!r}… (4,400 characters) is more than 10000000"]


# (b) the real files, twice ---------------------------------------------------------------------

def test_loading_the_published_files_twice_changes_nothing(engine):
    first = load_published(engine, SITREPS)
    assert first.loaded and first.rejections == [], first.summary()
    before = all_rows(engine)
    second = load_published(engine, SITREPS)
    assert second.loaded and second.rejections == []
    after = all_rows(engine)

    assert {name: len(rows) for name, rows in after.items()} == {
        "published_organisations": 42 + 214, "published_daily": 41764 + 120565,
        "published_reasons": 30821, "published_reason_texts": 37}
    # Identical rows, load ids included: the second load rewrote nothing.
    assert after == before
    with engine.connect() as connection:
        first_ids = set(connection.scalars(select(Load.id).where(
            Load.batch_id == first.batch_id)))
        used_ids = set(connection.scalars(select(PublishedDaily.load_id).distinct()))
        outcomes = Counter(connection.scalars(select(Load.outcome)))
    assert used_ids <= first_ids
    assert outcomes == {"loaded": 10}
    assert "trust_daily_nctr.csv: 120565 rows read, 0 new, 120565 rows already present, " \
        "0 changed, 120565 unchanged, 0 ignored as stale, 0 rejected" in second.summary()
    assert "trust_daily_nctr.csv: 120565 rows read, 120565 new, 0 rows already present" in \
        first.summary()
    assert_analyzed(engine, "published_daily")


def assert_analyzed(engine: Engine, table: str) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            analyzed = connection.scalar(text(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = :t"), {"t": table})
        else:
            analyzed = connection.scalar(text(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = :t "
                "AND last_analyze IS NOT NULL"), {"t": table})
    assert analyzed


# (c) England totals equal the sums of the files ------------------------------------------------

def sums_from_file(name: str, column: str) -> Counter[str]:
    totals: Counter[str] = Counter()
    with (SITREPS / name).open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row[column]:
                totals[row["date"]] += int(float(row[column]))
    return totals


def test_england_totals_equal_the_sums_of_the_icb_file(engine, tmp_path):
    report = load_published(engine, copy_files(tmp_path / "icb", "icb_daily_nctr.csv"))
    assert report.loaded and report.rejections == []
    # 2023-09-01 lacks one ICB; discharged_by_1700 is blank (not submitted) on some days.
    days = ("2022-04-01", "2023-01-15", "2023-09-01", "2024-06-30", "2024-12-31")
    for column in ("nctr_patients", "discharged_total", "discharged_by_1700"):
        expected = sums_from_file("icb_daily_nctr.csv", column)
        with engine.connect() as connection:
            england = dict(connection.execute(
                select(PublishedDaily.day, func.sum(getattr(PublishedDaily, column)))
                .where(PublishedDaily.level == "icb",
                       PublishedDaily.day.in_([date.fromisoformat(d) for d in days]))
                .group_by(PublishedDaily.day)).all())
        assert {d.isoformat(): total for d, total in england.items() if total is not None} == {
            d: expected[d] for d in days if d in expected}
        if column == "nctr_patients":  # the national scale the README gives
            assert all(17_000 < expected[d] < 25_000 for d in days)


def test_icb_65_plus_populations_sum_to_the_geography_file(engine, tmp_path):
    load_published(engine, copy_files(tmp_path / "icb", "icb_daily_nctr.csv"))
    with (GEOGRAPHY / "icb_subicb_la_population.csv").open(newline="") as handle:
        total = sum(int(row["population_65_plus"]) for row in csv.DictReader(handle))
    with engine.connect() as connection:
        stored = connection.scalar(select(func.sum(PublishedOrganisation.population_65_plus))
                                   .where(PublishedOrganisation.level == "icb"))
    assert stored == total


# (d) reason matching -----------------------------------------------------------------------------

def published_texts() -> set[str]:
    with (SITREPS / "trust_monthly_delay_reasons.csv").open(newline="", encoding="utf-8-sig") as f:
        return {row["delay_reason"] for row in csv.DictReader(f)}


def test_every_published_text_maps_to_its_own_code_in_the_right_group():
    texts = published_texts()
    assert len(texts) == 37
    matches = {t: find_reason(t) for t in texts}
    assert all(m is not None and m.method == "mapping" for m in matches.values()), matches
    codes = {m.code for m in matches.values() if m}
    assert codes == set(DELAY_REASONS)  # 37 distinct codes, each of ours once
    for published, found in matches.items():
        group = re.split(r"[\u2010-\u2015-]", published)[0].strip()
        assert DELAY_REASONS[found.code].group == group, published


def test_the_explicit_mapping_covers_the_published_and_our_own_texts():
    assert sorted(PUBLISHED_TEXTS.values(), key=list(DELAY_REASONS).index) == list(DELAY_REASONS)
    for reason in DELAY_REASONS.values():
        assert match_reason(f"{reason.group} \u2014 {reason.text}") == reason.code


@pytest.mark.parametrize("variant, code", [
    ("Hospital process\u00a0\u2014\u00a0Awaiting patient transport services?", "H4"),
    ("HOSPITAL PROCESS \u2212 awaiting patient   transport services", "H4"),
    ("Hospital process\u2013Awaiting patient trans\u200bport services", "H4"),
    ("Care transfer hub process\u2012 Awaiting necessary referrals by care transfer hub", "T2"),
    ("Interface process \u2013 Homeless with no recourse to public funds", "I9"),
    ("Capacity \u2013 Equipment and associated training not yet delivered (Pathway 1\u20133)",
     "C10"),
    # Fuzzy: a small slip in a known text.
    ("Capacity \u2013 Housing adaptions not yet completed (Pathway 1 or 3)", "C9"),
    ("Interface process \u2013 Further actions requested by the agreed provider", "I8"),
])
def test_variants_of_the_published_texts_match(variant, code):
    assert match_reason(variant) == code


@pytest.mark.parametrize("text_", [
    "Capacity \u2013 Waiting for a miracle",
    "Awaiting patient transport services",  # no group: too risky to guess
    "Capacity \u2013 Further action requested by agreed provider",  # an interface reason
    # Home-based (C1) or bed-based (C5)? Too close to call.
    "Capacity \u2013 Home-based rehabilitation, reablement or recovery services not yet available "
    "(Pathway 2)",
    "Capacity \u2013 Housing adaptations not yet completed (Pathway 1)",  # other pathways
    "",
])
def test_unknown_or_ambiguous_texts_match_nothing(text_):
    assert match_reason(text_) is None


def test_normalise_reduces_dashes_spaces_case_and_stray_characters():
    assert normalise("Care transfer hub process\u2013 Awaiting  necessary referrals?") == (
        "care transfer hub process - awaiting necessary referrals")
    assert normalise("Patient /family/carer\u00a0choice (P0\u2011P1)") == (
        "patient family carer choice p0 p1")


# CLI and migration -------------------------------------------------------------------------------

def test_cli_rejects_a_malformed_file_with_line_numbers_and_no_traceback(engine, database_url,
                                                                          tmp_path):
    folder = write_folder(tmp_path / "bad", {
        "icb_daily_nctr.csv": ICB_HEADER + "E54000008,2024-06-01,many,,,1\n"})
    result = run_cli(database_url, "load-published", str(folder))
    assert result.returncode == 1
    assert "icb_daily_nctr.csv line 2: nctr_patients: 'many' is not a whole number >= 0" in (
        result.stderr)
    assert "Nothing was loaded" in result.stderr
    assert "Traceback" not in result.stderr
    assert count(engine, PublishedDaily) == 0

    good = write_folder(tmp_path / "good", GOOD_FILES)
    result = run_cli(database_url, "load-published", str(good))
    assert result.returncode == 0, result.stderr
    assert "icb_daily_nctr.csv: 2 rows read, 2 new, 0 rows already present" in result.stdout
    assert count(engine, PublishedDaily) == 3

    quote = write_folder(tmp_path / "quote", {"trust_daily_nctr.csv": unclosed_quote(
        TRUST_HEADER, lambda n: f"R0A,2024-06-01,{n},,,1")})
    result = run_cli(database_url, "load-published", str(quote))
    assert result.returncode == 2
    assert result.stderr == ("error: trust_daily_nctr.csv cannot be read as CSV (line 7000: a "
                             "quoted value opened in this record is never closed); nothing was "
                             "loaded\n")

    missing = run_cli(database_url, "load-published", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"error: {tmp_path / 'nowhere'} is not a folder"


def test_migration_0004_adds_the_tables_and_keeps_existing_data(empty_database_url):  # noqa: F811
    from alembic import command

    from data_access.migrate import alembic_config

    config = alembic_config(empty_database_url)
    command.upgrade(config, "0003")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO areas (code, name, level) VALUES ('A', 'Area', 'icb')"))
    command.upgrade(config, "head")
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        areas = connection.execute(text("SELECT code, name FROM areas")).all()
    command.downgrade(config, "0003")
    with engine.connect() as connection:
        after_downgrade = set(inspect(connection).get_table_names())
    engine.dispose()
    assert {model.__tablename__ for model in PUBLISHED_MODELS} <= tables
    assert areas == [("A", "Area")]
    assert not {model.__tablename__ for model in PUBLISHED_MODELS} & after_downgrade
