"""Named parameters of the synthetic system. Sources: docs domain reference (``domain.md``),
sections named in each comment; where the figure is our own choice it says "we choose"."""

from __future__ import annotations

# --- Time ---------------------------------------------------------------------------------------
# Days simulated before the history window so that beds are occupied and queues exist on day one
# (pathway 3 stays average up to ~59 days, so 4 months reach a steady state). We choose. Levels
# are matched from the second half of the warm-up on (timeaxis.Calendar.calibration_start).
WARMUP_DAYS = 120

# --- Arrivals (domain.md "Volumes"): the level, weekday and month pattern come per trust from the
# real sitrep (reference_data/nhse_discharge_sitrep); this adds day-to-day noise beyond Poisson.
DAILY_VOLUME_CV = 0.05
# Time of the NCTR decision: most at the morning board round, the rest through the day and night.
BOARD_ROUND_SHARE = 0.9
BOARD_ROUND_HOUR_MEAN = 11.0
BOARD_ROUND_HOUR_SD = 1.5
BOARD_ROUND_HOURS = (8.0, 17.0)
# Minimum days of valid published data for a trust's own weekday/month pattern; otherwise flat.
MIN_SITREP_DAYS_FOR_PATTERN = 120
# Month-of-year factors are clipped so that one odd month of a trust's returns does not dominate.
MONTH_FACTOR_BOUNDS = (0.85, 1.15)

# --- Discharge pathways (domain.md "Discharge pathways": P0 84-86%, P1 7.5-9.5%, P2 3-4%,
# P3 1.2-1.6% new + 1.4-1.8% returning).
PATHWAY_MIX = {0: 0.850, 1: 0.085, 2: 0.036, 3: 0.029}
# Winter brings frailer patients: the pathway 1-3 shares swing by this fraction over the year,
# highest in January (domain.md "Volumes": winter is higher). The yearly mix is unchanged.
WINTER_SUPPORT_SWING = 0.1

# --- People ------------------------------------------------------------------------------------
SHARE_AGED_65_PLUS = 0.80  # we choose; intermediate care serves mostly older people
AGE_65_PLUS_MEAN, AGE_65_PLUS_SD = 81.0, 7.5
SEX_SHARES = {"F": 0.55, "M": 0.44, "U": 0.01}
# Admission to NCTR: lognormal, median a week ("a few days to weeks"). We choose.
LENGTH_OF_STAY_TO_NCTR_MEDIAN_DAYS, LENGTH_OF_STAY_TO_NCTR_SIGMA = 6.0, 0.75

# --- Pathway 0 waits (domain.md "Volumes": 13-14.5% leave a day or more after their ready date,
# mean about 6 days, long tail). Same-day discharges leave a few hours after NCTR. The share that
# waits into later days is solved per trust and month so that the number still waiting at
# midnight matches the trust's published "remaining" level (see pathway0.py); where even the
# upper bound is not enough, the later waits are stretched.
SAME_DAY_HOURS_MEDIAN, SAME_DAY_HOURS_SIGMA = 3.5, 0.6
LATER_DAYS_MEDIAN, LATER_DAYS_SIGMA, LATER_DAYS_CAP = 4.0, 0.9, 60.0
LATER_SHARE_BOUNDS = (0.0, 0.60)
DISCHARGE_HOURS = (9.0, 20.0)  # local time window for planned discharges (we choose)

# --- Care transfer hub (domain.md "The journey", steps 3-4), lognormal (median hours, sigma).
HUB_REFERRAL_HOURS = (3.0, 1.0)
HUB_DECISION_HOURS = (20.0, 1.1)
HUB_HOURS = (8.0, 20.0)  # the hub works 7 days, 08:00-20:00 (we choose)
# Each trust's hub steps are paced (x PACE_BOUNDS) so that its pathway 1-3 people make up this
# share of the people still waiting at midnight (its published "remaining" level); domain.md:
# pathways 1-3 dominate long waits.
PATHWAYS_123_SHARE_OF_REMAINING = 0.7
PACE_BOUNDS = (0.1, 3.0)
# Simple referrals the hub turns round within hours: every hub step takes this fraction.
FAST_TRACK_SHARE, FAST_TRACK_SCALE = 0.25, 0.1
# Complex arrangements (funding, choice, housing, out of area...) add days: the long tail of
# waits (domain.md "Volumes": a long tail, some 21+ days). Lognormal (median days, sigma).
COMPLEX_SHARE = 0.12
COMPLEX_EXTRA_DAYS, COMPLEX_EXTRA_DAYS_CAP = (6.0, 0.85), 75.0
# Arranging the service once the pathway is decided (interface reasons I1/I5/I6).
ARRANGEMENT_HOURS = {1: (24.0, 1.0), 2: (30.0, 1.0), 3: (48.0, 1.0)}
# From a free place to the discharge (transport, bed preparation).
TRANSFER_HOURS = (2.0, 0.5)
# Pathway 1: first home visit on the discharge day, the next day or the day after.
FIRST_VISIT_DAY_SHARES = (0.60, 0.30, 0.10)

# --- Length of intermediate care (domain.md "Volumes": P1 median 5-9 mean 12-19 days; P2 mean
# 34-43; P3 mean 32-59), lognormal (median days, sigma), capped.
SERVICE_DAYS = {1: (7.5, 1.15), 2: (31.0, 0.72), 3: (31.0, 0.85)}
SERVICE_DAYS_CAP = {1: 120.0, 2: 180.0, 3: 200.0}

# --- Capacity (domain.md "Volumes": care homes about 86% occupied). Places are commissioned to
# the simulated demand with a square-root safety margin (places = load + margin * sqrt(load)), so
# large services run at ~90-95% and small ones a little lower; winter peaks then queue.
CAPACITY_SAFETY_MARGIN = 0.3
MIN_PLACES = 2
# Escalation: when the wait for a place would pass this many days, a service opens an extra
# place (spot purchase, winter beds), up to this share of its places (we choose).
ESCALATION_AFTER_DAYS = 3.0
ESCALATION_SHARE = 0.25
# Services of each place and system-wide (we choose): share of places that also have an NHS home
# rehab team or community hospital beds, and the planned share of a place's referrals of the
# pathway that go to each kind of service (relative among the kinds the place has).
P1_NHS_REHAB_SHARE_OF_PLACES = 0.6
P2_COMMUNITY_HOSPITAL_SHARE_OF_PLACES = 0.5
SERVICE_SHARES = {"P1-RA": 0.60, "P1-HR": 0.25, "P1-BR": 0.15,  # reablement, NHS rehab, bridging
                  "P2-D2A": 0.50, "P2-CH": 0.30, "P2-ICU": 0.20,  # care-home D2A, hospital, unit
                  "P3-D2A": 0.80, "P3-NUR": 0.20}  # care-home D2A, nursing/dementia
# What each kind of service does (the contract's service_type; ASCOF 2D counts reablement).
SERVICE_TYPE_OF_KIND = {"P1-RA": "reablement", "P1-HR": "rehabilitation", "P1-BR": "other",
                        "P2-D2A": "recovery", "P2-CH": "rehabilitation", "P2-ICU": "rehabilitation",
                        "P3-D2A": "other", "P3-NUR": "other"}
# The care needs each kind of service records that its places meet (the contract's meets_needs;
# blank: not recorded). Pathway 3 assessment beds in care homes are residential only; the
# nursing home beds meet nursing and dementia needs, and the people routed there need nursing.
MEETS_NEEDS_OF_KIND = {"P3-D2A": "none", "P3-NUR": "nursing|dementia"}
NEEDS_OF_KIND = {"P3-NUR": "nursing"}

# --- Outcomes (domain.md "Metric definitions"; ASCOF 2B(1) about 82% at home at 91 days).
READMISSION_30_DAY_SHARE = 0.125
END_OUTCOME_MIX = {  # for services not ended by a readmission
    1: {"home_no_support": 0.58, "home_with_support": 0.31, "care_home": 0.04, "died": 0.03,
        "other": 0.04},
    2: {"home_no_support": 0.40, "home_with_support": 0.40, "care_home": 0.11, "died": 0.04,
        "other": 0.05},
    3: {"care_home": 0.78, "home_with_support": 0.08, "home_no_support": 0.02, "died": 0.09,
        "other": 0.03},
}
AT_HOME_91_GIVEN_OUTCOME = {"home_no_support": 0.94, "home_with_support": 0.90,
                            "care_home": 0.03, "readmitted": 0.60, "died": 0.0, "other": 0.50}

# --- Delay reasons (domain.md "Delay reasons"). Episodes discharged within this many hours of
# NCTR have no reason recorded.
REASON_AFTER_HOURS = 4.0
# Chance that a P1-3 wait for a free place carries another capacity reason than the usual one.
OTHER_CAPACITY_REASON_SHARE = 0.2
# Chance that a pathway 0 wait of more than two days changes reason once.
P0_SECOND_REASON_SHARE = 0.5

# --- Capacity reports --------------------------------------------------------------------------
REPORT_HOUR, REPORT_SPREAD_HOURS = 8.0, 2.0
MISSING_REPORT_SHARE = 0.02
STALE_SERVICES = 2  # services whose latest report is older than 24 h at "now"
CLOSURE_DAY_SHARE = 0.06  # a day with 1-2 places closed (staffing)
OUTBREAK_WEEKS_PER_BED_SERVICE_YEAR = 1.5  # a week with a few beds closed (infection)
UNAVAILABLE_OVER_FREE_SHARE = 0.05  # reports where closures exceed the free places (messy data)
