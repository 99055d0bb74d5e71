"""System trigger levels for a demonstration system: where its escalation levels 2-4 begin for
each measure, and what to do at each, of a kind a system's escalation plan might write. They are
invented (the demo is labelled so), not fitted to the simulation, and set for the system only."""

from __future__ import annotations

from demo.synthetic.system import System

# (measure, {level: threshold}, {level: what to do}). Counts of people scale with the system's
# population aged 65+ (per 10,000); free places and shares do not.
LEVELS: tuple[tuple[str, dict[int, float], dict[int, str]], ...] = (
    ("waiting_per_100k_65", {2: 80, 3: 120, 4: 160}, {
        2: "Hub lead reviews every person waiting over 24 hours before noon.",
        3: "System discharge call at 10:00 and 15:00, chaired by the director on call.",
        4: "Executive call; ask neighbouring systems for mutual aid."}),
    ("waiting_21_days_plus", {2: 1, 3: 2, 4: 3}, {
        2: "Each person waiting 21+ days has a named owner and a date, reviewed at the huddle.",
        3: "Escalate each to the director of adult social care and the acute trust.",
        4: "Executive review of every person waiting 21+ days today."}),
    ("free_places_p1", {2: 10, 3: 5, 4: 0}, {
        2: "Ask home care providers for extra packages this week.",
        3: "Spot-purchase home care; open the bridging team.",
        4: "Bridging team takes every pathway 1 discharge; daily call with providers."}),
    ("free_places_p2", {2: 5, 3: 2, 4: 0}, {
        2: "Review expected discharges from the community beds.",
        3: "Open the escalation beds; therapy in-reach to the acute wards.",
        4: "Spot-purchase care home beds with therapy."}),
    ("free_places_p3", {2: 5, 3: 2, 4: 0}, {
        2: "Brokerage checks care home vacancies twice a day.",
        3: "Spot-purchase discharge to assess beds.",
        4: "Executive decision on out-of-area placements."}),
    ("within_24h_percent", {2: 60, 3: 40, 4: 20}, {
        2: "Hub lead chases every referral not started after 12 hours.",
        3: "Daily call with every provider on the day's starts.",
        4: "Executive call on the day's starts."}),
)
SCALED = {"waiting_21_days_plus"}  # a count of people: per 10,000 aged 65+


def trigger_level_rows(system: System) -> list[tuple[str, ...]]:
    """Rows of trigger_levels.csv (area_code, measure, level, threshold, actions) for the
    system."""
    area = next(area for area in system.areas if area.code == system.icb_code)
    rows = []
    for measure, thresholds, actions in LEVELS:
        for level, threshold in thresholds.items():
            if measure in SCALED:
                threshold = max(level - 1, round(area.population_65_plus / 10_000 * threshold))
            rows.append((system.icb_code, measure, str(level), f"{threshold:g}",
                         actions[level]))
    return rows
