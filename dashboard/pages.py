"""The page registry: every page the app has, each declared once.

A page's declaration holds everything the app needs to know of it: its address, title and
navigation label, who may open it, the data contract files its figures come from (for the
freshness warnings), its "How to read this page" points, and where its code is: ``render``, the
function that builds its content for an area and a period, and ``callbacks``, the function that
registers any callbacks of its own. The router, the navigation, the help, the exports, the
freshness warnings, the warm-up, the tests, the screenshots and the benchmarks all iterate
``PAGES``. Adding a page is its query, its layout, its page module (``callbacks/<page>.py``) and
one entry here (docs/architecture.md, "Adding a page").

The code is named as ``"module:function"`` and imported by the router
(``callbacks.shell.renderer``), so this registry stays plain data at the bottom of the layers.

"How to read" points are written for the page's readers: what the figures mean and what to do
about them. SPC symbols as layouts/components.py spc_badges shows them (a test checks they
agree): ▲ improvement, ▼ concern, ◆ neither, ● common cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dashboard.vocabulary import (
    AMBITION,
    AMBITION_HOURS,
    LONGEST_DELAY_DAYS,
    STALE_REPORT_HOURS,
)

GLOSSARY_PATH = "/glossary"


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    nav_label: str
    purpose: str
    # "module:function" building the page's content: (context, area, view state, link) -> tree.
    render: str
    # "module:function" registering callbacks of its own, (app, context) -> None, if it has any.
    callbacks: str | None = None
    how_to_read: tuple[str, ...] = ()
    # The data contract files its figures come from: a feed source delivering any of them that
    # has gone quiet is flagged on this page.
    uses: tuple[str, ...] = ()
    in_nav: bool = True
    # Who may open it: a permission of dashboard.results.PERMISSIONS; None = anyone signed in.
    permission: str | None = "aggregates"
    # Whether it shows local data (areas, episodes, services): without any, it says so instead.
    local_data: bool = True
    # Whether it holds a form that a colleague's change must not clear: on a new data version
    # its own callback redraws its lists, not the whole page (see callbacks.shell.route).
    keeps_its_forms: bool = False

    @property
    def slug(self) -> str:
        """The page's name in file names and test ids: its path without slashes ("today": /)."""
        return self.path.strip("/") or "today"


PAGES: tuple[Page, ...] = (
    Page("/", "Today", "Today",
         purpose="Who is waiting now, how long for, and where there is room.",
         uses=("episodes.csv", "delays.csv", "capacity.csv", "services.csv",
               "trigger_levels.csv"),
         render="callbacks.today:render",
         how_to_read=(
             "Escalation level: the system trigger level now, 1 steady to 4 extreme pressure, "
             "set by the measure(s) at or beyond their highest threshold, with what to do. A "
             "measure with no data sets no level. Data managers set the thresholds (Goals "
             "page).",
             "Waiting now: everyone who no longer meets the criteria to reside (NCTR) and is "
             "still in a hospital bed, with the change since this time yesterday. Over 24 "
             f"hours, the {AMBITION} is already missed: Delays shows why, the Huddle list (hub "
             "leads) who.",
             "NCTR to service, last 7 days: the median hours from NCTR to the service starting "
             "(pathways 1-3) and the share within 24 hours. The people who have waited over 24 "
             "hours with no service yet are the ones to chase first.",
             "Discharged yesterday, by pathway: 0 is home with no new support, 1-3 are "
             "intermediate care. Few pathway 1 discharges while many wait usually points to "
             "home-based capacity.",
             "How long people have waited, in whole days since NCTR: everyone at 7 days or more, "
             f"and above all {LONGEST_DELAY_DAYS} days or more, needs a named action and owner "
             "at the huddle. Their weekly SPC chart: ▼ concern means the longest delays grow.",
             "Free places now, from each service's latest report. ⚠ marks services that last "
             f"reported over {STALE_REPORT_HOURS:.0f} hours ago or never: their places are not "
             "counted, so ask them to report before relying on the total.",
         )),
    Page("/delays", "Delays by reason", "Delays",
         purpose="Why people who no longer need a hospital bed are still in one.",
         uses=("episodes.csv", "delays.csv"),
         render="callbacks.delays:render",
         how_to_read=(
             "The top figures are the people waiting now and how many have waited 7, 14 and 21 "
             "days or more since NCTR. The longer the wait, the greater the harm: start with the "
             "longest.",
             "Reason groups and the table of reasons show what each person is waiting for now. A "
             "large Capacity or Interface group points to services outside hospital, Hospital "
             "process to the ward's own steps; \"not recorded\" means a reason needs entering.",
             "By hospital site and by home area: where the people waiting are, and where they "
             "live (whose services need to take them).",
             "People still waiting at the end of each day is an SPC chart where fewer is better: "
             "● common cause is the usual ups and downs; ▼ concern (orange points) is a signal, "
             "so look at what changed around those days first; ▲ improvement (blue) is one to "
             "learn from.",
             "Bed days lost and where waiting time accumulates: hospital bed time lost to delays "
             "in the period, by the reason current at each hour. Acting on the reasons at the top "
             "frees the most beds.",
             "Reason mix week by week shows whether the causes of delay are shifting. Change the "
             "period with the dates above; the address keeps it, so a link shares the same view.",
         )),
    Page("/discharge-delays", "Discharge delays", "Discharge delays",
         purpose=("NHS England's discharge delay measures from the discharge ready date, and "
                  "the longest delays now."),
         uses=("episodes.csv", "sites.csv"),
         render="callbacks.discharge_delays:render",
         how_to_read=(
             "The national measures, as NHS England publishes them monthly: adults discharged "
             "after a stay of at least one night, counted in calendar days from the discharge "
             "ready date (DRD) to the discharge. A discharge with no DRD recorded left on it.",
             "Discharged on their DRD is the share with no delay (higher is better); the "
             "averages count everyone, and then only those delayed. Delay days are the bed "
             "days lost to discharge delay.",
             "The bands (0, 1, 2-3, 4-6, 7-13, 14-20, 21+ days) and the month-by-month table "
             "are the published figures; the weekly SPC charts say whether a change is a "
             "signal (▼ concern, ▲ improvement) or the usual variation (● common cause).",
             f"The longest delays, {LONGEST_DELAY_DAYS} days or more, come first in the 2025/26 "
             "urgent and emergency care plan: the count now, its weekly trend, and where those "
             "people are and live. Hub leads see who they are on the Huddle list.",
         )),
    Page("/time-to-service", "Time from NCTR to service", "Time to service",
         purpose=("How long from no longer meeting the criteria to reside to receiving a "
                  "service."),
         uses=("episodes.csv",),
         render="callbacks.time_to_service:render",
         how_to_read=(
             "Hours from NCTR to the service starting (the first home visit, or admission to the "
             "bed), for pathways 1-3, over services that started in the period. Pathway 0 is left "
             f"out. Within {AMBITION_HOURS:.0f} hours is the local plans' ambition, not a national "
             "target.",
             "Median: half started faster than this. 90th percentile: 9 in 10 started within it. "
             "A good median with a long 90th percentile means a few people wait far too long.",
             "Waiting over 24 h, no service yet: people still in hospital who have already missed "
             "the ambition. They are not in the figures for services started, so look here first.",
             "Share within 24 hours, week by week, is an SPC chart read against the area's local "
             "goal (set on the Goals page; ?target= in the address draws a what-if line "
             "instead). \"Consistently fails the target\" means the way the work is done has to "
             "change: more effort in the same system will not meet it.",
             "Where the time goes splits each wait into stages: NCTR to referral to the care "
             "transfer hub, referral to discharge, discharge to the service starting. Act on the "
             "longest stage.",
             "By home area: each area's median and share within 24 hours with its SPC variation. "
             "A concern in one area while others are steady points to that area's services.",
         )),
    Page("/capacity", "Capacity", "Capacity",
         purpose="Places, occupied and free, per service, pathway and place.",
         uses=("capacity.csv", "services.csv", "episodes.csv", "delays.csv"),
         render="callbacks.capacity:render",
         callbacks="callbacks.capacity:register",
         how_to_read=(
             "Free places = places - occupied - unavailable (closed for staffing or infection), "
             f"from each service's latest report. A report over {STALE_REPORT_HOURS:.0f} hours "
             "old is stale and never counted: ring the service rather than assume the places are "
             "there.",
             "Demand beside supply: people waiting now for each pathway beside the free places. "
             "More people than places means waits will grow: escalate early.",
             "Every service, now: sort or filter the grid, for example by Free to find room, or "
             "by Report to find the services whose report is stale or missing.",
             "The next 14 days: the people expected to need a place against the places expected "
             "to free up, with a range. Judge it by the back-test beneath: how far off past "
             "outlooks were.",
             "Occupancy and free places day by day are SPC charts of measures with no better "
             "direction: ◆ neither marks a signal (unusually high or low); ● common cause is the "
             "usual variation. After a signal, look at closures and at discharges first.",
         )),
    Page("/flow", "Flow", "Flow",
         purpose="Referrals, discharges by pathway and movement through services.",
         uses=("episodes.csv",),
         render="callbacks.flow:render",
         how_to_read=(
             "New NCTR, referrals to the care transfer hub and discharges per day, each on an SPC "
             "chart. If people keep becoming NCTR faster than they are discharged, the number "
             "waiting grows.",
             "Read the badge above each chart: ● common cause is the usual variation, so do not "
             "react to a single day; ◆ neither marks a signal (unusually high or low) on these "
             "measures with no better direction: ask what changed.",
             "Where the period's journeys went: from hospital site to pathway to the kind of "
             "service to how intermediate care ended.",
             "In intermediate care now, and its length: the median and 90th percentile days of "
             "services that ended, and the share beyond 42 days (6 weeks). Long stays hold places "
             "that people in hospital are waiting for.",
             "Pathway mix week by week, against home first: pathway 1 (home-based) is the default "
             "step-down route, so a rising share of bed-based pathways 2 and 3 is worth "
             "questioning.",
         )),
    Page("/outcomes", "Outcomes", "Outcomes",
         purpose=("Where people are at the end of intermediate care and 91 days later, "
                  "readmissions, and equity."),
         uses=("episodes.csv",),
         render="callbacks.outcomes:render",
         how_to_read=(
             "ASCOF 2D, the national measure from 2024/25: of people 65+ discharged into "
             "reablement, the share in the community 12 weeks later (part 1; those who died, "
             "were readmitted or entered care shown apart), and the share of discharges into "
             "reablement (part 2). Higher is better.",
             "At home 91 days after discharge (ASCOF 2B, the measure up to 2023/24, kept for "
             "the trend; England about 82%): those in hospital, in a care home or dead at 91 "
             "days count against it.",
             "Readmitted within 30 days: over people discharged at least 30 days ago. Lower is "
             "better.",
             "How intermediate care ended, by pathway, month and home place: home with no ongoing "
             "support is the aim. More ending in residential care or back in hospital is a "
             "question for the service.",
             "Improved or kept their independence (the Modified Barthel score at the start and "
             "end; about 93% nationally) and own goals met: whether the care helped people "
             "recover.",
             "Equity compares age bands, sexes, ethnic groups and deprivation quintiles, each "
             "with a 95% interval. Where two groups' intervals overlap the difference may be "
             "chance; where they do not, ask why.",
         )),
    Page("/places", "Places", "Places",
         purpose="Every place side by side, per 100,000 people aged 65+, judged fairly.",
         uses=("episodes.csv", "areas.csv"),
         render="callbacks.places:render",
         how_to_read=(
             "Every place (or a place's neighbourhoods) side by side, per 100,000 people aged 65+ "
             "living there, so places of different sizes compare fairly.",
             "The variation columns judge each place against its own recent history (SPC): a "
             "concern means it is getting worse than its usual, wherever it ranks.",
             "Funnel plots: a place outside the 99.8% limits differs from the overall figure by "
             "more than chance; inside the 95% limits any difference may well be chance. Do not "
             "rank places on noise.",
             "A place's name opens this page for its neighbourhoods; Today and Delays open those "
             "pages for it.",
         )),
    Page("/goals", "Local goals", "Goals",
         purpose=("Each measure against the area's local goal, with its assurance icon; data "
                  "managers set the goals."),
         uses=("goals.csv", "trigger_levels.csv", "episodes.csv"),
         render="callbacks.goals:render",
         callbacks="callbacks.goals:register",
         how_to_read=(
             "A local goal is the level an area sets itself for a measure over a period, with "
             "the direction in which better lies. Better Care Fund plans set goals on discharge "
             "delay per Health and Wellbeing Board; the 24-hour ambition is a local goal too.",
             "Each card: the measure in the latest whole week, its SPC variation, and the "
             "assurance icon: consistently passes, consistently fails (the way the work is done "
             "must change to meet the goal), or hit and miss. No goal, no assurance icon.",
             "A share or an average set for a system holds for its places unless they set "
             "their own; a count of people holds only where it is set.",
             "Data managers set a goal for the area shown with the form, or send goals.csv "
             "(docs/data-contract.md); every change is in the audit log.",
             "System trigger levels: where each escalation level (2-4) begins for a measure of "
             "this area, and what to do at it; Today shows the level now. Data managers set "
             "them with the second form, or send trigger_levels.csv.",
         )),
    Page("/plan", "Plan: demand and capacity", "Plan",
         purpose=("Demand and capacity scenarios from the live data: the baseline and a "
                  "scenario side by side, and the places needed."),
         uses=("episodes.csv", "capacity.csv", "services.csv", "delays.csv"),
         permission="planning",
         render="callbacks.plan:render",
         callbacks="callbacks.plan:register",
         how_to_read=(
             "Inputs: what the model starts from, estimated from this area's data, each with "
             "where it came from: people becoming NCTR per day by pathway, lengths of stay of "
             "services that ended, places open now, and who is in service and waiting today.",
             "Scenario: change places from a date, length of stay, demand, a winter surge or the "
             "home-first shift, and press Run. The run goes on in the background: the bar shows "
             "its progress and Cancel stops it. Nothing is run until you press Run.",
             "Results: each day's occupancy, people waiting and share started within 24 hours "
             "of NCTR, for the baseline (no changes) and the scenario, each with a band in which "
             "90% of the simulated runs fall. The band is the uncertainty: read the two lines "
             "as different only where their bands part.",
             "What capacity do we need: the fewest places to add to each pathway so that 90% "
             "of people start within 24 hours of being ready, on average and in 95% of runs. "
             "docs/planning.md explains the model, its back-test and its limits.",
         )),
    Page("/huddle", "Huddle list", "Huddle",
         purpose=("Everyone waiting now in the hub's areas, longest wait first: the people, "
                  "for the daily huddle."),
         uses=("episodes.csv", "delays.csv"),
         permission="people",
         render="callbacks.huddle:render",
         callbacks="callbacks.huddle:register",
         keeps_its_forms=True,
         how_to_read=(
             "Everyone waiting now in your hub's areas, longest wait first. Go down the list at "
             "the huddle and agree the next action and who owns it for each person.",
             f"\"Over {AMBITION_HOURS:.0f} h\" marks people who have already missed the "
             f"{AMBITION}. Since NCTR is the whole wait; On this reason is how long the current "
             "reason has held, so a long time on one reason means it is stuck.",
             "Current reason is the delay reason code and text (the Glossary lists all 37). \"Not "
             "referred\" under Referred to hub: the hub may not know about the person yet.",
             "Filter by pathway, reason group or hospital site; the address keeps the filters, so "
             "a link shows colleagues the same list.",
             "Print gives one sheet per 25 people. These are people's details: every view is "
             "recorded, and printouts go in confidential waste after the huddle.",
         )),
    Page("/benchmark", "National benchmark", "Benchmark",
         purpose=("England, every region and every ICB on NHS England's published discharge "
                  "figures."),
         local_data=False,
         render="callbacks.benchmark:render",
         how_to_read=(
             "Every ICB on NHS England's published discharge sitreps, over the latest 12 "
             "published weeks: not this system's own live data. Rates are per 100,000 people aged "
             "65+.",
             "NCTR patients per 100,000 aged 65+: how many a day no longer meet the criteria to "
             "reside. Discharged the same day: the share who left the day they became ready "
             "(higher is better). Remaining: still in hospital at midnight (lower is better).",
             "Show chooses England, a region or an ICB (your system by default); the address "
             "keeps the choice. The figures are public, so any region or ICB may be chosen.",
             "The ranking shows the ICB chosen dark blue and hatched, the ICBs of its region (or "
             "of the region chosen) mid blue, and England as the dotted line.",
             "Week by week is the trend of what is shown on an SPC chart, whole weeks only (fewer "
             "is better): a ▼ concern signal, in winter above all, is the cue to ask what has "
             "changed in flow out of hospital.",
             "The reason mix compares why people remain in the chosen ICB's or region's trusts "
             "with England: a group much larger than England's shows where to look.",
         )),
    Page("/data", "Data", "Data",
         purpose=("Every load and feed delivery, each source's freshness, and the records "
                  "that need fixing at source."),
         uses=("areas.csv", "sites.csv", "services.csv", "episodes.csv", "delays.csv",
               "capacity.csv"),
         permission="data",
         render="callbacks.data:render",
         how_to_read=(
             "Sources: each feed source, how often it should deliver and when it last did. QUIET "
             "means later than expected: pages using its data warn that figures may be behind, so "
             "contact the source's owner.",
             "Deliveries: every load and feed delivery, one row per file, newest first. \"Show "
             "why\" lists rejected rows by line or record and reason: fix them at source and send "
             "them again (sending the same rows twice changes nothing).",
             "Checks: completeness and plausibility checks on this area's records. Each names its "
             "records by the source's own identifiers, so they can be found and fixed at source.",
             "Affects links to the page whose figures a check's records distort. Times are UK "
             "local time.",
         )),
    Page("/admin", "Administration", "Administration",
         purpose="The people who may sign in, their roles and sessions, and the audit log.",
         permission="admin",
         local_data=False,
         render="callbacks.admin:render",
         callbacks="callbacks.admin:register",
         how_to_read=(
             "Users: who may sign in, their role and, for hub leads, their hub's areas. Add and "
             "disable users with 'python -m dashboard user ...'.",
             "Roles decide the pages: executives and place managers see aggregate figures; hub "
             "leads also the huddle list for their areas; data managers the Data page; "
             "administrators only this page.",
             "Audit log: every view of person-level rows, every export, every refusal and every "
             "sign-in, newest first. Repeated refusals or unexpected exports are worth a question.",
             "Demonstration accounts (password \"demo\") are refused as soon as real person-level "
             "data is loaded.",
         )),
    Page("/how-we-count", "How we count", "How we count",
         purpose="The definition of every figure, from the code that computes it.",
         in_nav=False,
         permission=None,
         local_data=False,
         render="callbacks.reference:how_we_count",
         how_to_read=(
             "The definition of every figure, taken from the code that computes it, so the words "
             "and the numbers cannot drift apart.",
             "Each card's \"How we count\" shows its own definition; \"All definitions\" brings "
             "you here, at that definition.",
             "Times are UK local time; \"now\" is the time at the top of each page (\"figures "
             "at\").",
             "For the words themselves (NCTR, pathways, delay reasons, SPC icons) see the "
             "Glossary.",
         )),
    Page(GLOSSARY_PATH, "Glossary", "Glossary",
         purpose=("What the words, codes and symbols on these pages mean: NCTR, the pathways, "
                  "the 37 delay reasons, the SPC icons."),
         in_nav=False,
         permission=None,
         local_data=False,
         render="callbacks.reference:glossary",
         how_to_read=(
             "The words, codes and symbols the dashboard uses, in sections: the journey, "
             "pathways, delay reasons, SPC charts, comparing places, and the data.",
             "Every term has its own address (/glossary#term): copy the link to send a colleague "
             "straight to it.",
             "The 37 delay reasons are the national discharge sitrep's categories in our words, "
             "with their codes; the SPC badges look as they do above the charts.",
             "For how each figure is counted, see How we count.",
         )),
)
PAGES_BY_PATH = {page.path: page for page in PAGES}
BENCHMARK = PAGES_BY_PATH["/benchmark"]
NAV_PAGES = tuple(page for page in PAGES if page.in_nav)


def allowed_nav_pages(may: Callable[[str], bool]) -> list[Page]:
    """The navigation for a user: ``may(permission)`` says whether they hold a permission."""
    return [page for page in NAV_PAGES if page.permission is None or may(page.permission)]
