"""Match NHS England's published delay reason texts to our 37 reason codes (pure, no I/O).

The published texts come with inconsistent dashes, odd spaces and stray characters ('?' where a
non-breaking space was). ``normalise`` reduces a text to a canonical form; an explicit mapping from
the normalised published texts (and our own texts) gives the code; a cautious fuzzy match, within
the group named before the dash, catches small new variations. Anything else matches nothing, and
the caller reports it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from dashboard.vocabulary import DELAY_REASONS, REASON_GROUPS

# The texts as NHS England publishes them (June 2024 on), with the dash written plainly.
PUBLISHED_TEXTS: dict[str, str] = {
    "Hospital process - Awaiting therapy review of need for supported discharge": "H1",
    "Hospital process - Awaiting medical review of need for supported discharge": "H2",
    "Hospital process - Awaiting referral to care transfer hub for supported discharge": "H3",
    "Hospital process - Awaiting patient transport services": "H4",
    "Hospital process - Awaiting medicines to take home, discharge letter or other discharge "
    "documentation": "H5",
    "Hospital process - Remaining in hospital due to infection prevention and control "
    "restrictions": "H6",
    "Hospital process - Awaiting formal decision to discharge (inc diagnostic test results)": "H7",
    "Wellbeing concerns - Patient /family/carer concerns over discharge readiness": "W1",
    "Wellbeing concerns - Ongoing safeguarding concern": "W2",
    "Wellbeing concerns - Awaiting determination of mental capacity": "W3",
    "Wellbeing concerns - Issues with discharge destination readiness": "W4",
    "Care transfer hub process - Waiting for confirmation of immediate care needs and "
    "pathway": "T1",
    "Care transfer hub process - Awaiting necessary referrals by care transfer hub": "T2",
    "Care transfer hub process - Awaiting confirmation of funding eligibility": "T3",
    "Interface process - Home based rehabilitation, reablement or recovery service arrangements "
    "still underway (Pathway 1)": "I1",
    "Interface process - Other home-based social care service arrangements still underway "
    "(Pathway 1)": "I2",
    "Interface process - Other home-based community health service arrangements still underway "
    "(Pathway 1)": "I3",
    "Interface process - Housing provision arrangement for homelessness still underway "
    "(Pathway 0 or 1)": "I4",
    "Interface process - Bed-based rehabilitation, reablement or recovery service arrangements "
    "still underway (Pathway 2)": "I5",
    "Interface process - Residential/nursing home care arrangements still underway "
    "(Pathway 3)": "I6",
    "Interface process - End of life care inc Fast-Track CHC arrangement still underway "
    "(Pathway 1 or 3)": "I7",
    "Interface process - Further action requested by agreed provider": "I8",
    "Interface process - Homeless with no recourse to public funds": "I9",
    "Interface process - Self-funded care package arrangements still underway": "I10",
    "Interface process - Patient/family/carer choice discussions on package still underway": "I11",
    "Interface process - Out of area discharge arrangements requested but not completed": "I12",
    "Capacity - Home-based rehabilitation, reablement or recovery services not yet available "
    "(Pathway 1)": "C1",
    "Capacity - Other home-based social care service not yet available (Pathway 1)": "C2",
    "Capacity - Other home-based community health services not yet available (Pathway 1)": "C3",
    "Capacity - Housing provision not yet available (Pathway 0 or 1)": "C4",
    "Capacity - Bed-based rehabilitation, reablement or recovery services not yet available "
    "(Pathway 2)": "C5",
    "Capacity - Mental health admitted patient care not yet available (Pathway 2)": "C6",
    "Capacity - Residential/nursing home care not yet available (Pathway 3)": "C7",
    "Capacity - End of life care inc Fast-Track CHC not yet available (Pathway 1 or 3)": "C8",
    "Capacity - Housing adaptations not yet completed (Pathway 1 or 3)": "C9",
    "Capacity - Equipment and associated training not yet delivered (Pathway 1-3)": "C10",
    "Capacity - Awaiting restart of existing social care arrangements (Pathway 0)": "C11",
}

# A fuzzy match must be at least this similar (difflib ratio of the normalised texts), name the
# same pathway numbers, and be clearly closer to its code than to any other code of its group: the
# closest two reasons of one group (C1 and C5, home- and bed-based) score 0.96 with each other.
FUZZY_THRESHOLD = 0.9
FUZZY_MARGIN = 0.05

_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d\u00ad-]")
_NOT_WORD = re.compile(r"[^0-9a-z\- ]+")
_SPACES = re.compile(r"\s+")
_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class ReasonMatch:
    code: str
    method: str  # "mapping" (exact, after normalising) | "fuzzy"
    score: float


def _fold(text: str) -> str:
    """Lower case, one kind of dash, letters digits and single spaces only."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = "".join(c for c in folded if unicodedata.category(c) != "Cf")  # zero-width, BOM
    folded = _DASHES.sub("-", folded)
    folded = _NOT_WORD.sub(" ", folded)  # '?', '/', '(', ',', odd and zero-width spaces ...
    return _SPACES.sub(" ", folded).strip(" -")


_GROUPS: dict[str, str] = {_fold(group): group for group in REASON_GROUPS}


def normalise(text: str) -> str:
    """Canonical form: 'group - reason', lower case, no punctuation, hyphens as spaces."""
    folded = _fold(text)
    group, rest = "", folded
    for key in _GROUPS:
        if folded.startswith(key) and folded[len(key):len(key) + 1] in ("", " ", "-"):
            group, rest = key, folded[len(key):].lstrip(" -")
            break
    rest = _SPACES.sub(" ", rest.replace("-", " ")).strip()
    return f"{group} - {rest}" if group else rest


def _build_mapping() -> dict[str, str]:
    mapping: dict[str, str] = {}
    ours = {f"{r.group} - {r.text}": r.code for r in DELAY_REASONS.values()}
    for text, code in {**ours, **PUBLISHED_TEXTS}.items():
        key = normalise(text)
        if mapping.setdefault(key, code) != code:
            raise ValueError(f"{text!r} normalises to the text of {mapping[key]}, not {code}")
    return mapping


MAPPING: dict[str, str] = _build_mapping()
_GROUP_OF_KEY = {key: DELAY_REASONS[code].group for key, code in MAPPING.items()}


def _group_of_key(key: str) -> str | None:
    return _GROUPS.get(key.split(" - ", 1)[0])


def find_reason(text: str) -> ReasonMatch | None:
    """The code of a delay reason text, how it was found, and how similar it was."""
    key = normalise(text)
    if key in MAPPING:
        return ReasonMatch(MAPPING[key], "mapping", 1.0)
    return _fuzzy(key)


def match_reason(text: str) -> str | None:
    """Our code (H1 ... C11) for a published delay reason text, or None if none is safe."""
    found = find_reason(text)
    return found.code if found else None


def _fuzzy(key: str) -> ReasonMatch | None:
    group = _group_of_key(key)
    if group is None:  # without a recognised group a near match is too risky
        return None
    best: dict[str, tuple[float, str]] = {}  # code -> (best ratio, its text)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(key)
    for candidate, code in MAPPING.items():
        if _GROUP_OF_KEY[candidate] == group:
            matcher.set_seq1(candidate)
            best[code] = max(best.get(code, (0.0, "")), (matcher.ratio(), candidate))
    ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
    code, (score, text) = ranked[0]
    runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
    if (score < FUZZY_THRESHOLD or score - runner_up < FUZZY_MARGIN
            or _NUMBERS.findall(text) != _NUMBERS.findall(key)):
        return None
    return ReasonMatch(code, "fuzzy", round(score, 3))
