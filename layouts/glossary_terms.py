"""Help where it is needed: the glossary (each page's "How to read this page" points are in its
declaration, dashboard/pages.py).

Plain data, drawn by ``layouts/help.py``. The glossary's delay reasons come from
``dashboard.vocabulary`` and its SPC icons from ``dashboard.spc``'s label dictionaries, so they
cannot drift from what the pages show. Every glossary entry has a stable slug id: its anchor on
the glossary page (``/glossary#<id>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.disclosure import MIN_PEOPLE_FOR_AVERAGE, SUPPRESSED
from dashboard.pages import GLOSSARY_PATH
from dashboard.spc import (
    ASSURANCE_LABELS,
    MIN_BASELINE_POINTS,
    RULE_LABELS,
    VARIATION_ICON_LABELS,
    Assurance,
    PointClass,
    VariationIcon,
)
from dashboard.vocabulary import (
    AMBITION,
    AMBITION_HOURS,
    DELAY_BANDS,
    DELAY_REASONS,
    PATHWAYS,
    REASON_GROUPS,
    REASON_PATHWAY,
    STALE_REPORT_HOURS,
    DelayReason,
)
from layouts.spc_figure import CLASS_STYLES

SUMMARY = "How to read this page"

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
         "no longer meeting the criteria to reside: the ambition in the local plans, not a "
         "published national target (the national measures count days from the discharge ready "
         "date: see Discharge delays). \"Within "
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
         "The level a measure should reach, drawn as a dotted line: the area's local goal (set on "
         "the Goals page) where one holds. The assurance icon compares it with the process "
         "limits."),
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
