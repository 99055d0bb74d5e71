"""Help where it is needed: a short "How to read this page" for every page, and the glossary.

Plain data, drawn by ``layouts/help.py``. The glossary's delay reasons come from
``dashboard.vocabulary`` and its SPC icons from ``dashboard.spc``'s label dictionaries, so they
cannot drift from what the pages show. Every glossary entry has a stable slug id: its anchor on
the glossary page (``/glossary#<id>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.disclosure import MIN_PEOPLE_FOR_AVERAGE, SUPPRESSED
from dashboard.spc import (
    ASSURANCE_LABELS,
    MIN_BASELINE_POINTS,
    RULE_LABELS,
    VARIATION_ICON_LABELS,
    Assurance,
    PointClass,
    VariationIcon,
)
from dashboard.spc_figure import CLASS_STYLES
from dashboard.vocabulary import (
    AMBITION_HOURS,
    DEFAULT_TARGET_WITHIN_24H_PERCENT,
    DELAY_BANDS,
    DELAY_REASONS,
    PATHWAYS,
    REASON_GROUPS,
    REASON_PATHWAY,
    STALE_REPORT_HOURS,
    DelayReason,
)

GLOSSARY_PATH = "/glossary"
SUMMARY = "How to read this page"
AMBITION = f"{AMBITION_HOURS:.0f}-hour ambition"

# --- How to read each page --------------------------------------------------------------------
# By page path (dashboard/pages.py). Written for the page's readers: what the figures mean and
# what to do about them. SPC symbols as layouts/components.py spc_badges shows them (a test
# checks they agree): ▲ improvement, ▼ concern, ◆ neither, ● common cause.

HOW_TO_READ: dict[str, tuple[str, ...]] = {
    "/": (
        "Waiting now counts everyone who no longer meets the criteria to reside (NCTR) and is "
        "still in a hospital bed; the change is since this time yesterday.",
        f"Waiting over 24 hours means the {AMBITION} is already missed for these people: go "
        "to Delays to see why, and to the Huddle list (hub leads) for who they are.",
        "NCTR to service, last 7 days: the median hours from NCTR to the service starting "
        "(pathways 1-3) and the share within 24 hours. The people who have waited over 24 hours "
        "with no service yet are the ones to chase first.",
        "Discharged yesterday, by pathway: 0 is home with no new support, 1-3 are intermediate "
        "care. Few pathway 1 discharges while many wait usually points to home-based capacity.",
        "How long people have waited, in whole days since NCTR: everyone at 7 days or more, and "
        "above all 21 days or more, needs a named action and owner at the huddle.",
        f"Free places now, from each service's latest report. ⚠ marks services that last "
        f"reported over {STALE_REPORT_HOURS:.0f} hours ago or never: their places are not "
        "counted, so ask them to report before relying on the total.",
    ),
    "/delays": (
        "The top figures are the people waiting now and how many have waited 7, 14 and 21 days "
        "or more since NCTR. The longer the wait, the greater the harm: start with the longest.",
        "Reason groups and the table of reasons show what each person is waiting for now. A "
        "large Capacity or Interface group points to services outside hospital, Hospital "
        "process to the ward's own steps; \"not recorded\" means a reason needs entering.",
        "By hospital site and by home area: where the people waiting are, and where they live "
        "(whose services need to take them).",
        "People still waiting at the end of each day is an SPC chart where fewer is better: ● "
        "common cause is the usual ups and downs; ▼ concern (orange points) is a signal, so "
        "look at what changed around those days first; ▲ improvement (blue) is one to learn "
        "from.",
        "Bed days lost and where waiting time accumulates: hospital bed time lost to delays in "
        "the period, by the reason current at each hour. Acting on the reasons at the top frees "
        "the most beds.",
        "Reason mix week by week shows whether the causes of delay are shifting. Change the "
        "period with the dates above; the address keeps it, so a link shares the same view.",
    ),
    "/time-to-service": (
        "Hours from NCTR to the service starting (the first home visit, or admission to the "
        "bed), for pathways 1-3, over services that started in the period. Pathway 0 is left "
        f"out. Within {AMBITION_HOURS:.0f} hours is the ambition.",
        "Median: half started faster than this. 90th percentile: 9 in 10 started within it. A "
        "good median with a long 90th percentile means a few people wait far too long.",
        "Waiting over 24 h, no service yet: people still in hospital who have already missed "
        "the ambition. They are not in the figures for services started, so look here first.",
        "Share within 24 hours, week by week, is an SPC chart with a target (default "
        f"{DEFAULT_TARGET_WITHIN_24H_PERCENT:.0f}%; set another with ?target= in the address). "
        "\"Consistently fails the target\" means the way the work is done has to change: more "
        "effort in the same system will not meet it.",
        "Where the time goes splits each wait into stages: NCTR to referral to the care "
        "transfer hub, referral to discharge, discharge to the service starting. Act on the "
        "longest stage.",
        "By home area: each area's median and share within 24 hours with its SPC variation. A "
        "concern in one area while others are steady points to that area's services.",
    ),
    "/capacity": (
        "Free places = places - occupied - unavailable (closed for staffing or infection), from "
        f"each service's latest report. A report over {STALE_REPORT_HOURS:.0f} hours old is "
        "stale and never counted: ring the service rather than assume the places are there.",
        "Demand beside supply: people waiting now for each pathway beside the free places. More "
        "people than places means waits will grow: escalate early.",
        "Every service, now: sort or filter the grid, for example by Free to find room, or by "
        "Report to find the services whose report is stale or missing.",
        "The next 14 days: the people expected to need a place against the places expected to "
        "free up, with a range. Judge it by the back-test beneath: how far off past outlooks "
        "were.",
        "Occupancy and free places day by day are SPC charts of measures with no better "
        "direction: ◆ neither marks a signal (unusually high or low); ● common cause is the "
        "usual variation. After a signal, look at closures and at discharges first.",
    ),
    "/flow": (
        "New NCTR, referrals to the care transfer hub and discharges per day, each on an SPC "
        "chart. If people keep becoming NCTR faster than they are discharged, the number "
        "waiting grows.",
        "Read the badge above each chart: ● common cause is the usual variation, so do not "
        "react to a single day; ◆ neither marks a signal (unusually high or low) on these "
        "measures with no better direction: ask what changed.",
        "Where the period's journeys went: from hospital site to pathway to the kind of service "
        "to how intermediate care ended.",
        "In intermediate care now, and its length: the median and 90th percentile days of "
        "services that ended, and the share beyond 42 days (6 weeks). Long stays hold places "
        "that people in hospital are waiting for.",
        "Pathway mix week by week, against home first: pathway 1 (home-based) is the default "
        "step-down route, so a rising share of bed-based pathways 2 and 3 is worth questioning.",
    ),
    "/outcomes": (
        "At home 91 days after discharge: people aged 65+ discharged to pathway 1 or 2 who were "
        "at home 91 days later (England about 82%). Those in hospital, in a care home or dead "
        "at 91 days count against it. Higher is better.",
        "Readmitted within 30 days: over people discharged at least 30 days ago. Lower is "
        "better.",
        "How intermediate care ended, by pathway, month and home place: home with no ongoing "
        "support is the aim. More ending in residential care or back in hospital is a question "
        "for the service.",
        "Improved or kept their independence (the Modified Barthel score at the start and end; "
        "about 93% nationally) and own goals met: whether the care helped people recover.",
        "Equity compares age bands, sexes, ethnic groups and deprivation quintiles, each with a "
        "95% interval. Where two groups' intervals overlap the difference may be chance; where "
        "they do not, ask why.",
    ),
    "/places": (
        "Every place (or a place's neighbourhoods) side by side, per 100,000 people aged 65+ "
        "living there, so places of different sizes compare fairly.",
        "The variation columns judge each place against its own recent history (SPC): a "
        "concern means it is getting worse than its usual, wherever it ranks.",
        "Funnel plots: a place outside the 99.8% limits differs from the overall figure by more "
        "than chance; inside the 95% limits any difference may well be chance. Do not rank "
        "places on noise.",
        "A place's name opens this page for its neighbourhoods; Today and Delays open those "
        "pages for it.",
    ),
    "/huddle": (
        "Everyone waiting now in your hub's areas, longest wait first. Go down the list at the "
        "huddle and agree the next action and who owns it for each person.",
        f"\"Over {AMBITION_HOURS:.0f} h\" marks people who have already missed the {AMBITION}. "
        "Since NCTR is the whole wait; On this reason is how long the current reason has held, "
        "so a long time on one reason means it is stuck.",
        "Current reason is the delay reason code and text (the Glossary lists all 37). \"Not "
        "referred\" under Referred to hub: the hub may not know about the person yet.",
        "Filter by pathway, reason group or hospital site; the address keeps the filters, so a "
        "link shows colleagues the same list.",
        "Print gives one sheet per 25 people. These are people's details: every view is "
        "recorded, and printouts go in confidential waste after the huddle.",
    ),
    "/benchmark": (
        "Every ICB on NHS England's published discharge sitreps, over the latest 12 published "
        "weeks: not this system's own live data. Rates are per 100,000 people aged 65+.",
        "NCTR patients per 100,000 aged 65+: how many a day no longer meet the criteria to "
        "reside. Discharged the same day: the share who left the day they became ready (higher "
        "is better). Remaining: still in hospital at midnight (lower is better).",
        "Show chooses England, a region or an ICB (your system by default); the address "
        "keeps the choice. The figures are public, so any region or ICB may be chosen.",
        "The ranking shows the ICB chosen dark blue and hatched, the ICBs of its region (or of "
        "the region chosen) mid blue, and England as the dotted line.",
        "Week by week is the trend of what is shown on an SPC chart, whole weeks only (fewer is "
        "better): a ▼ concern signal, in winter above all, is the cue to ask what has changed "
        "in flow out of hospital.",
        "The reason mix compares why people remain in the chosen ICB's or region's trusts with "
        "England: a group much larger than England's shows where to look.",
    ),
    "/data": (
        "Sources: each feed source, how often it should deliver and when it last did. QUIET "
        "means later than expected: pages using its data warn that figures may be behind, so "
        "contact the source's owner.",
        "Deliveries: every load and feed delivery, one row per file, newest first. \"Show why\" "
        "lists rejected rows by line or record and reason: fix them at source and send them "
        "again (sending the same rows twice changes nothing).",
        "Checks: completeness and plausibility checks on this area's records. Each names its "
        "records by the source's own identifiers, so they can be found and fixed at source.",
        "Affects links to the page whose figures a check's records distort. Times are UK local "
        "time.",
    ),
    "/admin": (
        "Users: who may sign in, their role and, for hub leads, their hub's areas. Add and "
        "disable users with 'python -m dashboard user ...'.",
        "Roles decide the pages: executives and place managers see aggregate figures; hub leads "
        "also the huddle list for their areas; data managers the Data page; administrators "
        "only this page.",
        "Audit log: every view of person-level rows, every export, every refusal and every "
        "sign-in, newest first. Repeated refusals or unexpected exports are worth a question.",
        "Demonstration accounts (password \"demo\") are refused as soon as real person-level "
        "data is loaded.",
    ),
    "/how-we-count": (
        "The definition of every figure, taken from the code that computes it, so the words "
        "and the numbers cannot drift apart.",
        "Each card's \"How we count\" shows its own definition; \"All definitions\" brings you "
        "here, at that definition.",
        "Times are UK local time; \"now\" is the time at the top of each page (\"figures at\").",
        "For the words themselves (NCTR, pathways, delay reasons, SPC icons) see the Glossary.",
    ),
    GLOSSARY_PATH: (
        "The words, codes and symbols the dashboard uses, in sections: the journey, pathways, "
        "delay reasons, SPC charts, comparing places, and the data.",
        "Every term has its own address (/glossary#term): copy the link to send a colleague "
        "straight to it.",
        "The 37 delay reasons are the national discharge sitrep's categories in our words, "
        "with their codes; the SPC badges look as they do above the charts.",
        "For how each figure is counted, see How we count.",
    ),
}


def how_to_read_bullets(page_path: str) -> tuple[str, ...]:
    """The "How to read this page" points for a page path (none for an unknown page)."""
    return HOW_TO_READ.get(page_path, ())


# --- The glossary -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    id: str  # a stable slug: the anchor on the glossary page
    term: str
    meaning: str
    # An SPC badge drawn as the pages draw it: ("variation" | "assurance" | "trial", value).
    badge: tuple[str, str] | None = None


@dataclass(frozen=True)
class TermGroup:
    id: str  # a stable slug: the section's anchor
    title: str
    terms: tuple[Term, ...]


def slug(text: str) -> str:
    """``"Care transfer hub process"`` -> ``"care-transfer-hub-process"``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


JOURNEY = TermGroup("journey", "The journey", (
    Term("nctr", "NCTR (no longer meets the criteria to reside)",
         "A clinician at the daily board round has decided the person no longer needs to be in "
         "their hospital bed. From that moment every hour in the bed is a delay. National "
         "returns call the date of this decision the discharge ready date (DRD)."),
    Term("criteria-to-reside", "Criteria to reside",
         "The national criteria for whether a person needs to stay in an acute hospital bed, "
         "reviewed every day. Someone who no longer meets them is ready to leave hospital, "
         "though many need support to do so."),
    Term("waiting", "Waiting",
         "People who no longer meet the criteria to reside and have not yet been discharged. "
         "Their delay is the time since NCTR."),
    Term("delay-bands", "Delay bands",
         "The national bands of whole days completed since NCTR: "
         + ", ".join(band.label for band in DELAY_BANDS) + "."),
    Term("care-transfer-hub", "Care transfer hub",
         "A team of health, social care, housing and voluntary sector staff. People with new or "
         "extra needs (pathways 1-3) are referred to it; it decides the pathway and arranges "
         "the service."),
    Term("intermediate-care", "Intermediate care",
         "Short-term rehabilitation, reablement and recovery support, usually for up to 6 weeks "
         "(home-based often 1 to 3 weeks), that helps people regain their independence."),
    Term("step-down", "Step-down",
         "Intermediate care after a hospital stay, so the person can leave hospital as soon as "
         "they are ready. (Step-up care helps people avoid a hospital stay.) This dashboard is "
         "about step-down care."),
    Term("reablement", "Reablement",
         "Short-term help at home, usually from the local authority, to relearn everyday tasks "
         "such as washing, dressing and cooking, so that less long-term care is needed."),
    Term("d2a", "D2A (discharge to assess)",
         "People leave hospital as soon as they are ready, and their longer-term needs are "
         "assessed at home or in a short-term bed (a D2A bed, pathway 2), not in hospital."),
    Term("home-first", "Home first",
         "Home is the default: pathway 1, care at home, is the usual step-down route, and a bed "
         "is used only when care at home is not enough."),
    Term("service-start", "Service start",
         "When the person starts receiving the service: for home-based care the first visit "
         "(which can be after the day of discharge), for a bed the admission to it."),
    Term("ambition-24-hours", f"The {AMBITION}",
         f"Everyone who needs recovery support receives it within {AMBITION_HOURS:.0f} hours of "
         "no longer meeting the criteria to reside: the ambition in the local plans. \"Within "
         f"{AMBITION_HOURS:.0f} h\" means at most {AMBITION_HOURS:.0f} hours from NCTR to the "
         "service starting."),
    Term("bed-days-lost", "Bed days lost",
         "The hospital bed time used by people after they no longer met the criteria to reside, "
         "in days, over the period: the time from NCTR to discharge (or the period's end)."),
    Term("sitrep", "Sitrep",
         "Situation report: NHS England's daily acute discharge return. For each day it counts "
         "the NCTR patients (those waiting at the start of the day plus those who became NCTR "
         "during it), "
         "those discharged, and those remaining in hospital at the end of the day."),
    Term("at-home-91-days", "At home 91 days after discharge",
         "People aged 65+ discharged to pathway 1 or 2 who are at home 91 days later (the "
         "national ASCOF measure 2B(1), about 82% in England)."),
    Term("modified-barthel", "Modified Barthel",
         "A score of independence in everyday activities, recorded at the start and end of "
         "intermediate care: a higher score at the end means the person gained independence."),
))


# Shares: discharges of NCTR patients in England, 2021-24 (docs/domain.md).
_PATHWAY_MEANINGS: dict[int, str] = {
    0: "Home or usual residence with no new support, including an existing care package "
       "restarting unchanged. Most people: 84-86% of discharges.",
    1: "Home with new or extra support: home-based rehabilitation, reablement or recovery "
       "(step-down intermediate care). The default step-down route: 7.5-9.5% of discharges.",
    2: "A short-term bed with recovery support: a community hospital, rehabilitation unit or "
       "care-home D2A bed. 3-4% of discharges.",
    3: "A care-home placement, usually long term, for people with the highest needs. About 3% "
       "of discharges (new and returning residents).",
}


def _pathway_terms() -> tuple[Term, ...]:
    return tuple(Term(f"pathway-{p}", label, _PATHWAY_MEANINGS[p])
                 for p, label in PATHWAYS.items())


PATHWAY_GROUP = TermGroup("pathways", "Discharge pathways", _pathway_terms())


_GROUP_MEANINGS: dict[str, str] = {
    "Hospital process": "The hospital's own steps before discharge: reviews, referral, "
                        "transport, medicines and paperwork, decisions.",
    "Wellbeing concerns": "Concerns about the person's readiness, safety or capacity to "
                          "decide, or their destination not ready.",
    "Care transfer hub process": "The care transfer hub's own steps: confirming needs and "
                                 "pathway, making referrals, confirming funding.",
    "Interface process": "Arrangements between hospital and the next service that are under "
                         "way but not finished.",
    "Capacity": "The service the person needs has no room yet: the pathway's capacity is short.",
}


def _reason_term(reason: DelayReason) -> Term:
    meaning = f"One of the {reason.group.lower()} reasons."
    if reason.code in REASON_PATHWAY:
        meaning += (f" Counted as demand for pathway {REASON_PATHWAY[reason.code]} when the "
                    "person's own pathway is not recorded yet.")
    return Term(f"reason-{reason.code.lower()}", f"{reason.code}: {reason.text}", meaning)


def _reason_group(group: str) -> TermGroup:
    reasons = [r for r in DELAY_REASONS.values() if r.group == group]
    codes = ", ".join(r.code for r in reasons)
    about = Term(f"reason-group-{slug(group)}", f"{group} (reason group)",
                 f"{_GROUP_MEANINGS[group]} Codes {codes}.")
    return TermGroup(f"reasons-{slug(group)}", f"Delay reasons: {group}",
                     (about, *(_reason_term(r) for r in reasons)))


def _group_letter(group: str) -> str:
    return next(r.code[0] for r in DELAY_REASONS.values() if r.group == group)


DELAY_REASON_GROUP = TermGroup("delay-reasons", "Delay reasons", (
    Term("delay-reason", "Delay reason",
         f"Why a person who no longer meets the criteria to reside is still in hospital: one of "
         f"the {len(DELAY_REASONS)} national discharge sitrep categories (in our words), each "
         "with a short code. A person's current reason is the latest recorded at or before the "
         "moment counted."),
    Term("reason-groups", "Delay reason groups",
         f"The {len(REASON_GROUPS)} groups of reasons. A code starts with its group's letter: "
         + ", ".join(f"{_group_letter(group)} {group.lower()}" for group in REASON_GROUPS)
         + "."),
    Term("pathway-tags", "(P1), (P0/P1), (P1-P3) after a reason",
         "The pathways the reason applies to."),
))


# --- SPC ---

_COLOUR_WORDS: dict[PointClass, str] = {
    PointClass.COMMON_CAUSE: "grey", PointClass.IMPROVEMENT: "blue",
    PointClass.CONCERN: "orange", PointClass.NEITHER: "purple",
}
_CLASS_MEANINGS: dict[PointClass, str] = {
    PointClass.COMMON_CAUSE: "The usual, random variation of a stable process: the latest "
                             "point gives no signal. Reacting to it (praising a good day, "
                             "chasing a bad one) changes nothing; if the usual level is not "
                             "good enough, the process itself has to change.",
    PointClass.IMPROVEMENT: "The latest point is a special cause signal in the better direction: "
                            "{side}. Find out what changed, and keep it.",
    PointClass.CONCERN: "The latest point is a special cause signal in the worse direction: "
                        "{side}. Look for the cause now, starting with what changed around "
                        "then.",
    PointClass.NEITHER: "The latest point is a special cause signal on a measure with no better "
                        "direction: {side}. Ask what changed.",
}
_SIDES: dict[tuple[PointClass, str], str] = {
    (PointClass.IMPROVEMENT, "high"): "unusually high, where higher is better",
    (PointClass.IMPROVEMENT, "low"): "unusually low, where lower is better",
    (PointClass.CONCERN, "high"): "unusually high, where lower is better",
    (PointClass.CONCERN, "low"): "unusually low, where higher is better",
    (PointClass.NEITHER, "high"): "unusually high",
    (PointClass.NEITHER, "low"): "unusually low",
}
_ASSURANCE_MEANINGS: dict[Assurance, str] = {
    Assurance.PASS: "The target lies outside the process limits on the good side: as the "
                    "process runs now, it can be expected to meet the target every time.",
    Assurance.FAIL: "The target lies outside the process limits on the bad side: the process "
                    "will keep missing it until the way the work is done changes. More effort "
                    "in the same system will not meet it.",
    Assurance.HIT_OR_MISS: "The target lies between the process limits: it will be met at some "
                           "points and missed at others by chance alone. To meet it reliably, "
                           "the process has to change.",
}


def _point_class(icon: VariationIcon) -> tuple[PointClass, str]:
    """A variation icon's class of point and side (``"high"``, ``"low"``, or ``""``)."""
    if icon is VariationIcon.COMMON_CAUSE:
        return PointClass.COMMON_CAUSE, ""
    base, side = icon.value.rsplit("_", 1)
    return PointClass(base), side


def _variation_term(icon: VariationIcon) -> Term:
    cls, side = _point_class(icon)
    meaning = _CLASS_MEANINGS[cls].format(side=_SIDES.get((cls, side), ""))
    marker = CLASS_STYLES[cls].symbol.split("-")[0]
    meaning += f" On the chart such points are {_COLOUR_WORDS[cls]} {marker}s."
    return Term(f"spc-{slug(icon.value)}", VARIATION_ICON_LABELS[icon], meaning,
                ("variation", icon.value))


def _assurance_term(assurance: Assurance) -> Term:
    return Term(f"spc-assurance-{slug(assurance.value)}", ASSURANCE_LABELS[assurance],
                _ASSURANCE_MEANINGS[assurance], ("assurance", assurance.value))


SPC_GROUP = TermGroup("spc", "SPC charts (Making Data Count)", (
    Term("spc-chart", "SPC chart",
         "Statistical process control: the NHS \"Making Data Count\" way to tell a real change "
         "from the usual ups and downs. Each point is plotted against the mean and the process "
         "limits."),
    Term("process-limits", "Process limits",
         "The range the process usually varies within: the mean plus or minus 2.66 times the "
         "average moving range (the dashed lines). They are fixed on a baseline and re-based "
         "only at the date of a known change (?rebase= in the address), never automatically."),
    Term("special-cause", "Special cause variation",
         "A signal that something has changed, when any of four rules fires: "
         + "; ".join(RULE_LABELS.values()) + "."),
    *(_variation_term(icon) for icon in VariationIcon),
    Term("target", "Target",
         "The level a measure should reach, drawn as a dotted line. The assurance icon compares "
         "it with the process limits."),
    *(_assurance_term(assurance) for assurance in Assurance),
    Term("trial-limits", "Trial limits",
         f"Limits from a baseline of fewer than {MIN_BASELINE_POINTS} points: read them with "
         "care, they will settle as points are added.", ("trial", "")),
))


COMPARING_GROUP = TermGroup("comparing", "Comparing places fairly", (
    Term("per-100000-aged-65", "Per 100,000 aged 65+",
         "A count divided by the number of people aged 65 or over living in the area (ONS), "
         "times 100,000: the fair way to compare places of different sizes, since most people "
         "in intermediate care are older."),
    Term("funnel-plot", "Funnel plot",
         "Each place's figure plotted against its size, with limits around the overall figure "
         "that narrow as places grow. Outside the 99.8% limits a place differs by more than "
         "chance; inside the 95% limits any difference may well be chance."),
    Term("interval-95", "95% interval",
         "The range the true figure probably lies in, given how many people it is over. Where "
         "two groups' intervals overlap, the difference between them may be chance."),
    Term("median", "Median and 90th percentile",
         "The median is the middle value: half are below it. The 90th percentile is the value "
         "9 in 10 are within: it shows the long waits that a median hides."),
    Term("place", "System, place and neighbourhood",
         "The areas of the picker: the system is the integrated care board (ICB); a place is a "
         "local authority district inside it; a neighbourhood is a smaller local area."),
))


DATA_GROUP = TermGroup("data", "The data", (
    Term("small-number-rule", "Small-number rule",
         "For figures shared outside the operational team (the \"for sharing\" exports): counts "
         f"of 1 to {MIN_PEOPLE_FOR_AVERAGE - 1} people are shown as {SUPPRESSED}, other counts "
         "are rounded to the nearest 5, and no mean, median or share is given over fewer than "
         f"{MIN_PEOPLE_FOR_AVERAGE} people."),
    Term("synthetic-data", "Synthetic data",
         "Demonstration data made by the dashboard: real place and hospital names, invented "
         "people. While any is loaded, every page says so in a yellow banner. These are not "
         "real figures."),
    Term("stale-report", "Stale report",
         f"A service's capacity report more than {STALE_REPORT_HOURS:.0f} hours old. Its places "
         "are never counted as free."),
    Term("quiet-source", "Quiet feed source",
         "A source system that has not delivered data for longer than expected: pages using its "
         "data warn that their figures may be behind."),
))


GLOSSARY: tuple[TermGroup, ...] = (
    JOURNEY, PATHWAY_GROUP, DELAY_REASON_GROUP,
    *(_reason_group(group) for group in REASON_GROUPS),
    SPC_GROUP, COMPARING_GROUP, DATA_GROUP,
)


def glossary_terms() -> list[Term]:
    """Every entry of the glossary, in page order."""
    return [term for group in GLOSSARY for term in group.terms]


def term_href(term_id: str) -> str:
    """The address of a glossary entry."""
    return f"{GLOSSARY_PATH}#{term_id}"
