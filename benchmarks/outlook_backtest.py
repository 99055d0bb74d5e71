"""Back-test the 14-day capacity outlook on the demo data and write the results into
docs/outlook.md (between the markers of its "Back-test on the demo data" section).

    python -m benchmarks.outlook_backtest [--database-url URL] [--write docs/outlook.md]

Without --database-url it builds the synthetic demo (Coventry and Warwickshire) first.
"""

from __future__ import annotations

from benchmarks.common import NOW, results_command
from data_access.access import area_for_system_use
from data_access.db import make_engine
from data_access.metrics.outlook import BACKTEST_ORIGINS, outlook_backtest
from layouts.capacity import PATHWAY_LABEL


def results_markdown(database_url: str) -> str:
    engine = make_engine(database_url)
    area = area_for_system_use(engine, "E54000018", "benchmark")
    assert area is not None, "the demo system is missing"
    results = outlook_backtest(engine, area, NOW)
    lines = [
        f"Coventry and Warwickshire demo, origin {NOW:%d %b %Y}; {BACKTEST_ORIGINS} weekly "
        "origins whose 14 days had passed; 80% bands. Written by "
        "`python -m benchmarks.outlook_backtest --write docs/outlook.md`.", "",
        "| pathway | measure | forecasts | mean absolute error | weighted MAPE | bias "
        "(expected - actual) | band coverage |",
        "|---|---|---|---|---|---|---|",
    ]
    for pathway, backtest in results.items():
        for result in (backtest.demand, backtest.places):
            lines.append(
                f"| {PATHWAY_LABEL[pathway]} | {result.measure} | {result.origins} | "
                f"{result.mean_absolute_error:.1f} | {100 * result.weighted_mape:.1f}% | "
                f"{result.mean_error:+.1f} | {100 * result.coverage:.0f}% |")
    engine.dispose()
    return "\n".join(lines)


def main() -> None:
    results_command(__doc__.splitlines()[0], "outlook-backtest", results_markdown)


if __name__ == "__main__":
    main()
