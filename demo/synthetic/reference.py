"""Reading the public reference data the synthetic system is calibrated to (reference_data/)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.vocabulary import DELAY_REASONS
from demo.synthetic.parameters import MIN_SITREP_DAYS_FOR_PATTERN, MONTH_FACTOR_BOUNDS

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "reference_data"
GEOGRAPHY_CSV = REFERENCE_DIR / "geography" / "icb_subicb_la_population.csv"
TRUSTS_CSV = REFERENCE_DIR / "geography" / "nhs_trusts.csv"
UPPER_TIER_CSV = REFERENCE_DIR / "geography" / "ltla_utla.csv"
TRUST_DAILY_CSV = REFERENCE_DIR / "nhse_discharge_sitrep" / "trust_daily_nctr.csv"
TRUST_REASONS_CSV = REFERENCE_DIR / "nhse_discharge_sitrep" / "trust_monthly_delay_reasons.csv"


@dataclass(frozen=True)
class TrustCalibration:
    """What the published daily sitrep says about one acute trust (zero and blank days ignored)."""

    trust_code: str
    discharges_per_day: float  # mean discharged_total = mean new NCTR people a day
    remaining: float  # mean nctr_patients - discharged_total: still waiting at midnight
    weekday_factors: np.ndarray  # (7,) of discharges, Monday first, mean 1
    month_factors: np.ndarray  # (12,) of discharges, January first, mean 1
    remaining_month_factors: np.ndarray  # (12,) of the remaining level (winter waits are longer)


@lru_cache(maxsize=1)
def geography() -> pd.DataFrame:
    """One row per (sub-ICB location, district) pair with populations, in file order."""
    return pd.read_csv(GEOGRAPHY_CSV, dtype={"population_all": "int64",
                                             "population_65_plus": "int64"})


@lru_cache(maxsize=1)
def upper_tiers() -> dict[str, tuple[str, str]]:
    """Each district's (2022 code) upper-tier local authority: its code and name."""
    table = pd.read_csv(UPPER_TIER_CSV, dtype=str)
    return {row.ltla22_code: (row.utla22_code, row.utla22_name) for row in table.itertuples()}


@lru_cache(maxsize=1)
def trusts() -> pd.DataFrame:
    return pd.read_csv(TRUSTS_CSV)


@lru_cache(maxsize=1)
def _valid_trust_days() -> pd.DataFrame:
    daily = pd.read_csv(TRUST_DAILY_CSV, parse_dates=["date"])
    valid = daily[(daily["nctr_patients"] > 0) & (daily["discharged_total"] > 0)].copy()
    valid["remaining"] = valid["nctr_patients"] - valid["discharged_total"]
    return valid


def sitrep_trust_days(trust_code: str) -> pd.DataFrame:
    """The trust's valid published days: date, nctr_patients, discharged_total, remaining."""
    valid = _valid_trust_days()
    return valid[valid["nhs_trust22_code"] == trust_code].reset_index(drop=True)


def acute_trusts(icb_code: str) -> list[tuple[str, str]]:
    """(code, name) of the ICB's trusts that publish the acute discharge sitrep."""
    reporting = set(_valid_trust_days()["nhs_trust22_code"].unique())
    rows = trusts()[(trusts()["icb22_code"] == icb_code)
                    & trusts()["nhs_trust22_code"].isin(reporting)]
    return sorted(zip(rows["nhs_trust22_code"], rows["nhs_trust22_name"], strict=True))


def calibrate_trust(trust_code: str) -> TrustCalibration:
    days = sitrep_trust_days(trust_code)
    enough = len(days) >= MIN_SITREP_DAYS_FOR_PATTERN
    return TrustCalibration(
        trust_code,
        discharges_per_day=float(days["discharged_total"].mean()),
        remaining=float(days["remaining"].mean()),
        weekday_factors=_weekday_factors(days) if enough else np.ones(7),
        month_factors=_month_factors(days, "discharged_total") if enough else np.ones(12),
        remaining_month_factors=_month_factors(days, "remaining") if enough else np.ones(12),
    )


def _weekday_factors(days: pd.DataFrame) -> np.ndarray:
    means = days["discharged_total"].groupby(days["date"].dt.day_of_week).mean()
    factors = means.reindex(range(7)).fillna(means.mean()).to_numpy()
    return factors / factors.mean()


def _month_factors(days: pd.DataFrame, column: str) -> np.ndarray:
    """Seasonal factors as ratios to a centred 13-month moving average, median over the years.

    Ratios to the trend rather than plain month means, because some trusts' series change level
    (reporting changes) part-way through a year; the clip keeps one odd month from dominating.
    """
    monthly = days[column].groupby(days["date"].dt.to_period("M")).mean()
    monthly = monthly.reindex(pd.period_range(monthly.index.min(), monthly.index.max(), freq="M"))
    ratio = (monthly / monthly.rolling(13, center=True, min_periods=7).mean()).dropna()
    by_month = ratio.groupby(ratio.index.month).median().reindex(range(1, 13)).fillna(1.0)
    factors = np.clip(by_month.to_numpy(), *MONTH_FACTOR_BOUNDS)
    return factors / factors.mean()


# Published delay reason texts -> our codes. Texts vary in dashes, spacing and stray characters,
# so both are compared after normalising to lower-case words: (group words, distinctive words).
_REASON_MATCHERS: dict[str, tuple[str, str]] = {
    "H1": ("hospital process", "therapy review"),
    "H2": ("hospital process", "medical review"),
    "H3": ("hospital process", "referral to care transfer hub"),
    "H4": ("hospital process", "patient transport"),
    "H5": ("hospital process", "medicines to take home"),
    "H6": ("hospital process", "infection prevention"),
    "H7": ("hospital process", "formal decision to discharge"),
    "W1": ("wellbeing concerns", "concerns over discharge readiness"),
    "W2": ("wellbeing concerns", "safeguarding"),
    "W3": ("wellbeing concerns", "mental capacity"),
    "W4": ("wellbeing concerns", "discharge destination"),
    "T1": ("care transfer hub process", "immediate care needs"),
    "T2": ("care transfer hub process", "necessary referrals"),
    "T3": ("care transfer hub process", "funding eligibility"),
    "I1": ("interface process", "home based rehabilitation"),
    "I2": ("interface process", "other home based social care"),
    "I3": ("interface process", "other home based community health"),
    "I4": ("interface process", "housing provision arrangement for homelessness"),
    "I5": ("interface process", "bed based rehabilitation"),
    "I6": ("interface process", "residential nursing home"),
    "I7": ("interface process", "end of life"),
    "I8": ("interface process", "further action requested"),
    "I9": ("interface process", "no recourse to public funds"),
    "I10": ("interface process", "self funded"),
    "I11": ("interface process", "choice discussions"),
    "I12": ("interface process", "out of area"),
    "C1": ("capacity", "home based rehabilitation"),
    "C2": ("capacity", "other home based social care"),
    "C3": ("capacity", "other home based community health"),
    "C4": ("capacity", "housing provision not yet available"),
    "C5": ("capacity", "bed based rehabilitation"),
    "C6": ("capacity", "mental health"),
    "C7": ("capacity", "residential nursing home"),
    "C8": ("capacity", "end of life"),
    "C9": ("capacity", "housing adaptations"),
    "C10": ("capacity", "equipment"),
    "C11": ("capacity", "restart of existing social care"),
}
assert set(_REASON_MATCHERS) == set(DELAY_REASONS)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def reason_code(published_text: str) -> str | None:
    """Our code for a published reason text, or None if it matches none (or several)."""
    words = _words(published_text)
    found = [code for code, (group, phrase) in _REASON_MATCHERS.items()
             if words.startswith(group) and phrase in words]
    return found[0] if len(found) == 1 else None


@lru_cache(maxsize=1)
def _reason_counts() -> pd.DataFrame:
    """Patients per (trust, reason code), summed over the published months."""
    raw = pd.read_csv(TRUST_REASONS_CSV)
    codes = {text: reason_code(text) for text in raw["delay_reason"].unique()}
    raw["code"] = raw["delay_reason"].map(codes)
    raw = raw.dropna(subset=["code", "patients"])
    return raw.groupby(["nhs_trust22_code", "code"])["patients"].sum().reset_index()


def reason_mix(trust_code: str) -> dict[str, float]:
    """The trust's share of waiting patients per reason code; the national mix if unpublished."""
    counts = _reason_counts()
    own = counts[counts["nhs_trust22_code"] == trust_code]
    if own["patients"].sum() <= 0:
        own = counts.groupby("code", as_index=False)["patients"].sum()
    total = float(own["patients"].sum())
    return {code: float(n) / total for code, n in zip(own["code"], own["patients"], strict=True)}
