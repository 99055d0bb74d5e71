"""The minimal reproduction behind the Dash version we pin: how long the Dash renderer takes to
draw one callback's answer of a 1,000-row ``html.Table`` (about 7,000 elements, 533 kB), in
headless Chromium, for any installed Dash.

    python -m benchmarks.dash_renderer --python PATH/TO/VENV/bin/python [--runs 3] [--rows 1000]

``--python`` is an interpreter with the Dash to measure installed (make one venv per version:
``python -m venv /tmp/dash-4.2.0 && /tmp/dash-4.2.0/bin/pip install dash==4.2.0``); this
project's own interpreter drives Chromium. The app (``APP`` below) is written to a temporary
file and run with that interpreter; the time is from navigation until the table's heading is
on screen. docs/performance.md ("The Dash version") has the figures for every 4.x release.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from deploy.stack import free_port
from tests.browser import CHROMIUM_ARGS, chromium_path

APP = '''
import sys
from dash import Dash, Input, Output, dcc, html

rows = int(sys.argv[2])
app = Dash(__name__)
app.layout = html.Div([dcc.Location(id="url"), html.Div(id="out")])


@app.callback(Output("out", "children"), Input("url", "pathname"))
def table(_):
    return [html.H1("Done", id="done"), html.Table(html.Tbody([
        html.Tr([html.Th(f"row {i}"), *[html.Td(f"{i * j}") for j in range(6)]])
        for i in range(rows)]))]


app.run(port=int(sys.argv[1]), debug=False)
'''


def measure(python: str, rows: int, runs: int,
            timeout_seconds: float = 600) -> tuple[str, list[float]]:
    """The Dash version of ``python``, and the seconds each of ``runs`` opens took (Playwright's
    ``TimeoutError`` if one takes longer than ``timeout_seconds``)."""
    version = subprocess.run([python, "-c", "import dash; print(dash.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder) / "minimal_app.py"
        app.write_text(APP, encoding="utf-8")
        port = free_port()
        server = subprocess.Popen([python, str(app), str(port), str(rows)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while True:  # until the app answers
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            times = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                     headless=True, args=CHROMIUM_ARGS)
                for _ in range(runs):
                    page = browser.new_page()
                    started = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{port}/")
                    page.wait_for_selector("#done", timeout=timeout_seconds * 1000)
                    times.append(time.perf_counter() - started)
                    page.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    return version, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="an interpreter with the Dash to measure")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    version, times = measure(args.python, args.rows, args.runs)
    print(f"dash {version}: {args.rows} rows, " + ", ".join(f"{t:.2f} s" for t in times))


if __name__ == "__main__":
    main()
