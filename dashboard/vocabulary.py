"""Domain vocabulary: pathways, the 37 delay reasons, delay bands and outcomes.

Codes and texts follow ``docs/domain.md`` (copied from the national definitions). This module
is a leaf: it imports nothing from the project, so every layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DelayReason:
    code: str
    group: str
    text: str


REASON_GROUPS: tuple[str, ...] = (
    "Hospital process",
    "Wellbeing concerns",
    "Care transfer hub process",
    "Interface process",
    "Capacity",
)
# What a blank reads as, wherever one is counted: a person with no delay reason yet (as a reason
# and as its group), an outcome, ethnic group or deprivation left blank.
NOT_RECORDED = "not recorded"

_REASON_TABLE = """
H1|Hospital process|awaiting therapy review of need for supported discharge
H2|Hospital process|awaiting medical review of need for supported discharge
H3|Hospital process|awaiting referral to the care transfer hub
H4|Hospital process|awaiting patient transport
H5|Hospital process|awaiting medicines to take home, discharge letter or other documents
H6|Hospital process|infection prevention and control restrictions
H7|Hospital process|awaiting formal decision to discharge (including test results)
W1|Wellbeing concerns|patient, family or carer concerns over readiness
W2|Wellbeing concerns|ongoing safeguarding concern
W3|Wellbeing concerns|awaiting determination of mental capacity
W4|Wellbeing concerns|discharge destination not ready
T1|Care transfer hub process|awaiting confirmation of immediate care needs and pathway
T2|Care transfer hub process|awaiting necessary referrals by the hub
T3|Care transfer hub process|awaiting confirmation of funding eligibility
I1|Interface process|home-based rehab/reablement/recovery arrangements underway (P1)
I2|Interface process|other home-based social care arrangements underway (P1)
I3|Interface process|other home-based community health arrangements underway (P1)
I4|Interface process|housing for homelessness arrangements underway (P0/P1)
I5|Interface process|bed-based rehab/reablement/recovery arrangements underway (P2)
I6|Interface process|residential or nursing home arrangements underway (P3)
I7|Interface process|end of life care incl. fast-track CHC arrangements underway (P1/P3)
I8|Interface process|further action requested by the agreed provider
I9|Interface process|homeless with no recourse to public funds
I10|Interface process|self-funded care package arrangements underway
I11|Interface process|patient, family or carer choice discussions underway
I12|Interface process|out-of-area discharge arrangements not completed
C1|Capacity|home-based rehab/reablement/recovery not yet available (P1)
C2|Capacity|other home-based social care not yet available (P1)
C3|Capacity|other home-based community health services not yet available (P1)
C4|Capacity|housing provision not yet available (P0/P1)
C5|Capacity|bed-based rehab/reablement/recovery not yet available (P2)
C6|Capacity|mental health inpatient care not yet available (P2)
C7|Capacity|residential or nursing home care not yet available (P3)
C8|Capacity|end of life care incl. fast-track CHC not yet available (P1/P3)
C9|Capacity|housing adaptations not yet completed (P1/P3)
C10|Capacity|equipment and training not yet delivered (P1-P3)
C11|Capacity|awaiting restart of existing social care (P0)
"""

DELAY_REASONS: dict[str, DelayReason] = {
    code: DelayReason(code, group, text)
    for code, group, text in (line.split("|") for line in _REASON_TABLE.strip().splitlines())
}

# Discharge pathways (0 = home with no new support; 1-3 = step-down intermediate care).
PATHWAYS: dict[int, str] = {
    0: "Pathway 0: home, no new support",
    1: "Pathway 1: home-based intermediate care",
    2: "Pathway 2: bed-based intermediate care",
    3: "Pathway 3: care home placement",
}
INTERMEDIATE_CARE_PATHWAYS: tuple[int, ...] = (1, 2, 3)
PATHWAY_SHORT_LABELS: dict[int, str] = {1: "P1 home-based", 2: "P2 beds", 3: "P3 beds"}
SERVICE_SETTINGS: tuple[str, ...] = ("home", "bed")
SERVICE_SECTORS: tuple[str, ...] = ("nhs", "local_authority", "independent", "voluntary")
# What a service does (optional in the contract): ASCOF 2D counts reablement.
SERVICE_TYPES: tuple[str, ...] = ("reablement", "rehabilitation", "recovery", "other")
REABLEMENT = "reablement"
# Where a person lived when admitted (optional): ASCOF 2D leaves out those already in long-term
# residential, nursing or prison care.
SETTINGS_AT_ADMISSION: tuple[str, ...] = ("own_home", "residential_care", "nursing_care",
                                          "prison", "other")
LONG_TERM_CARE_SETTINGS: tuple[str, ...] = ("residential_care", "nursing_care", "prison")
# A person's care needs that a place must meet (optional in the contract): a person needing
# nursing is never offered a residential-only home. A service records the needs it meets, or
# "none" of these.
CARE_NEEDS: tuple[str, ...] = ("nursing", "dementia", "bariatric")
MEETS_NONE = "none"


@dataclass(frozen=True)
class DelayBand:
    label: str
    min_days: int  # whole days completed, inclusive
    max_days: int | None  # inclusive; None = open-ended


# National discharge-ready-date bands, in whole days completed since NCTR.
DELAY_BANDS: tuple[DelayBand, ...] = (
    DelayBand("0 days", 0, 0),
    DelayBand("1 day", 1, 1),
    DelayBand("2-3 days", 2, 3),
    DelayBand("4-6 days", 4, 6),
    DelayBand("7-13 days", 7, 13),
    DelayBand("14-20 days", 14, 20),
    DelayBand("21+ days", 21, None),
)

END_OUTCOMES: dict[str, str] = {
    "home_no_support": "Home with no ongoing support",
    "home_with_support": "Home with ongoing care",
    "care_home": "Residential or nursing care",
    "readmitted": "Readmitted to hospital",
    "died": "Died",
    "other": "Other",
}

SEXES: dict[str, str] = {"F": "Female", "M": "Male", "U": "Not known"}

# "utla": an upper-tier local authority (a county, or a unitary authority), the footprint of a
# Health and Wellbeing Board, on which Better Care Fund goals are set. It lies in its system and
# takes in its districts (each district names it: areas.csv's upper_tier_code); beside the tree
# of places, not inside it.
AREA_LEVELS: tuple[str, ...] = ("region", "icb", "utla", "sub_icb", "district", "neighbourhood")
UPPER_TIER_LEVEL = "utla"

# The longest delays, which the 2025/26 urgent and emergency care plan puts first: 21 days or
# more since the discharge ready date (the national 21+ band).
LONGEST_DELAY_DAYS = 21
# The huddle list's "waited at least" filter: whole days since NCTR (the 7+, 14+ and 21+ bands).
WAITED_AT_LEAST_DAYS: tuple[int, ...] = (7, 14, LONGEST_DELAY_DAYS)
# The ambition: recovery support within 24 hours of no longer meeting the criteria to reside.
# It is the local plans' ambition, not a published national target, and the pages say so.
AMBITION_HOURS: float = 24.0
AMBITION = f"local {AMBITION_HOURS:.0f}-hour ambition"  # as the pages name it in words
# A capacity report older than this is stale, never counted as current.
STALE_REPORT_HOURS: float = 24.0

# The pathway a delay reason implies (interface and capacity reasons naming one pathway): used to
# count demand for a pathway when the person's pathway is not recorded yet.
REASON_PATHWAY: dict[str, int] = {
    "I1": 1, "I2": 1, "I3": 1, "C1": 1, "C2": 1, "C3": 1,
    "I5": 2, "C5": 2, "C6": 2,
    "I6": 3, "C7": 3,
}

# ONS ethnic groups (5 high-level groups) and "not stated".
ETHNIC_GROUPS: dict[str, str] = {
    "white": "White", "mixed": "Mixed or multiple ethnic groups",
    "asian": "Asian or Asian British", "black": "Black, Black British, Caribbean or African",
    "other": "Other ethnic group", "not_stated": "Not stated",
}


# The huddle's actions on a person (issue 18): the next step agreed, who owns it, by when.
ACTION_KINDS: dict[str, str] = {
    "assessment": "Assessment", "package_sourced": "Package of care sourced",
    "bed_offered": "Bed offered", "family_meeting": "Family meeting",
    "funding_decision": "Funding decision", "other": "Other",
}
ACTION_STATUSES: tuple[str, ...] = ("open", "done", "blocked")
ACTION_TEXT_LIMIT = 500  # characters of free text: the step's detail, a blocked reason
# The largest request body the API takes for one action: any valid one fits many times over.
ACTION_MAX_BYTES = 64_000
