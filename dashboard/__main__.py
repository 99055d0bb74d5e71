"""Command line: ``python -m dashboard load|load-published|demo|migrate|trigger-levels|token|
source|user|simulate|plan``.

Errors are messages, not tracebacks.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard.bootstrap import DEFAULT_ICB, build_demo
from dashboard.clock import as_london, day_start
from dashboard.config import Settings, settings_from_env
from dashboard.planning import report
from dashboard.planning.needed import places_needed
from dashboard.planning.plan import run_plan, unit_costs
from dashboard.planning.scenario import ScenarioError, parse_scenario
from dashboard.results import ROLES
from data_access.access import (
    UserError,
    area_for_system_use,
    change_areas,
    change_role,
    create_user,
    disable_user,
    list_users,
    set_password,
)
from data_access.areas import areas_with_trigger_levels
from data_access.db import make_engine
from data_access.facts import ensure_daily_waits
from data_access.feeds import FeedSourceError, create_token, list_tokens, revoke_token
from data_access.loader import FolderError, load_folder
from data_access.metrics.today import today_summary
from data_access.migrate import upgrade_to_head
from data_access.ownership import KINDS, GrantChange, all_grants, grant, grants_table, revoke
from data_access.planning import plan_inputs
from data_access.published import load_published
from data_access.trigger_levels import trigger_levels_now
from demo import simulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard",
                                     description="Intermediate care dashboard: data commands. "
                                     "The database is DATABASE_URL (default: embedded SQLite).")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="load a folder of data contract CSV files")
    load.add_argument("folder", type=Path)
    load.add_argument("--allow-partial", action="store_true",
                      help="load the accepted rows even if some rows are rejected")
    published = commands.add_parser(
        "load-published", help="load NHS England's published discharge sitrep files "
        "(icb_daily_nctr.csv, trust_daily_nctr.csv, trust_monthly_delay_reasons.csv)")
    published.add_argument("folder", type=Path)
    published.add_argument("--allow-partial", action="store_true",
                           help="load the accepted rows even if some rows are rejected")
    demo = commands.add_parser("demo", help="generate and load the synthetic demo system")
    demo.add_argument("--seed", type=int, default=20261125)
    demo.add_argument("--months", type=int, default=18, help="months of history (default 18)")
    demo.add_argument("--icb", nargs="+", default=[DEFAULT_ICB], metavar="CODE",
                      help="ICB codes to generate (default: Coventry and Warwickshire)")
    demo.add_argument("--scale", type=int, metavar="N",
                      help="generate the first N of the 42 ICBs instead of --icb")
    demo.add_argument("--out", type=Path, help="also keep the generated CSV files here")
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("trigger-levels", help="evaluate the escalation level now of every area "
                        "with trigger levels and record the changes (for a scheduled job)")
    _add_token_commands(commands)
    _add_source_commands(commands)
    _add_user_commands(commands)
    plan = commands.add_parser("plan", help="run a demand and capacity scenario (a JSON file; "
                               "docs/planning.md) and write its daily figures and a report")
    plan.add_argument("scenario", type=Path)
    plan.add_argument("--out", type=Path, required=True, help="folder for daily.csv and report.md")
    plan.add_argument("--capacity-for", type=_share, metavar="SHARE",
                      help="also find the fewest places for this share within 24 h (e.g. 0.9), "
                      "per pathway (written to capacity.csv and the report)")
    simulator.configure_parser(commands.add_parser(
        "simulate", help="feed a running instance with live events through its push API"))
    warm = commands.add_parser(
        "warm", help="warm the default views into the cache the web processes share, at every "
        "new data version, at the lowest CPU priority (gunicorn starts this beside each "
        "instance: docs/deployment.md)")
    warm.add_argument("--once", action="store_true", help="warm once, then stop")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command == "simulate":  # talks to a running instance over HTTP, not to a database
        return simulator.run(args)

    settings = settings_from_env()
    if args.command == "warm":  # never migrates: it runs beside instances already serving
        return _warm(settings, args.once)
    try:
        upgrade_to_head(settings.database_url)
        engine = make_engine(settings.database_url)
        if args.command == "migrate":
            print("Schema is up to date.")
            if ensure_daily_waits(engine, as_london(settings.clock.now()).date()):
                print("Daily facts computed for the data already loaded.")
            return 0
        if args.command == "trigger-levels":
            return _trigger_levels(engine, settings.clock.now())
        if args.command == "token":
            return _token(engine, settings.clock.now(), args)
        if args.command == "source":
            return _source(engine, args)
        if args.command == "user":
            return _user(engine, settings.clock.now(), args)
        if args.command == "plan":
            return _plan(engine, settings.clock.now(), args)
        if args.command == "load":
            report = load_folder(engine, args.folder, allow_partial=args.allow_partial,
                                 clock=settings.clock)
        elif args.command == "load-published":
            report = load_published(engine, args.folder, allow_partial=args.allow_partial,
                                    clock=settings.clock)
        else:
            icbs = args.icb
            if args.scale:
                from demo.synthetic import all_icb_codes

                icbs = all_icb_codes()[: args.scale]
            report = build_demo(engine, settings.clock, icb_codes=icbs, months=args.months,
                                seed=args.seed, out_dir=args.out)
    except (FolderError, FeedSourceError, UserError, ScenarioError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"error: the database at DATABASE_URL could not be used: {error.__class__.__name__}: "
              f"{str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    print(report.summary(), file=sys.stdout if report.loaded else sys.stderr)
    return 0 if report.loaded and not report.rejections else 1


def _warm(settings: Settings, once: bool) -> int:
    """The warm-up (callbacks/warm.py) in this process, on the CPU that requests leave idle; it
    stops when the process that started it has gone."""
    if settings.warm_views == "off":
        print("DASHBOARD_WARM_VIEWS is off: nothing to warm.")
        return 0
    from callbacks.warm import LEVELS, Warmer, at_lowest_priority
    from dashboard.app_factory import create_app

    priority = at_lowest_priority()  # first: every thread started after it inherits it
    context = create_app(settings).server.extensions["dashboard_context"]
    if not context.views.shared_between_processes:
        print("error: a warm-up in a process of its own needs a cache the web processes share "
              "(DASHBOARD_CACHE=redis, or filesystem)", file=sys.stderr)
        return 2
    warmer = Warmer(context, LEVELS[settings.warm_views])
    for handler in logging.getLogger().handlers:  # as the instance it runs beside logs
        handler.setFormatter(logging.Formatter("%(asctime)s [%(process)d] %(message)s"))
    logging.getLogger(__name__).info(
        "warming views (%s) in process %d, apart from the web workers, at the lowest CPU "
        "priority (%s)", settings.warm_views, os.getpid(), priority)
    if once:
        warmer.warm_if_changed()
        return 0
    parent = os.getppid()
    warmer.run(keep_going=lambda: os.getppid() == parent)
    return 0


def _trigger_levels(engine: Engine, now: datetime) -> int:
    """Each area's level now, as Today would show it; a change is recorded (Today records it
    too, when drawn: a scheduled run keeps the history when no one looks)."""
    for code in areas_with_trigger_levels(engine):
        area = area_for_system_use(engine, code, "command line")
        if area is None:
            continue
        level = trigger_levels_now(engine, area, today_summary(engine, area, now)).level
        assert level is not None  # the area has trigger levels
        shown = "unknown: no measure with a threshold has data now" if level.level is None \
            else f"{level.level} ({level.name})"
        print(f"{code}: level {shown}")
    return 0


def _plan(engine: Engine, now: datetime, args: argparse.Namespace) -> int:
    try:
        scenario = parse_scenario(args.scenario.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"cannot read {args.scenario}: "
                            f"{getattr(error, 'strerror', None) or error}") from None
    area = area_for_system_use(engine, scenario.area, "command line")
    if area is None:
        raise ScenarioError(f"area: there is no area {scenario.area!r}")
    today = as_london(now).date()
    if scenario.start is not None and scenario.start > today:
        raise ScenarioError(f"start: {scenario.start} is after today ({today}); the model starts "
                            "from a known state")
    # From now, or from 00:00 of a past start (inputs from the data before it only).
    at = now if scenario.start is None or scenario.start == today else day_start(scenario.start)
    first_day = as_london(at).date()
    inputs = plan_inputs(engine, area, scenario.pathways, at, scenario.history_weeks)
    plans = run_plan(scenario, inputs, first_day)
    needed = None if args.capacity_for is None else {
        plan.pathway: places_needed(plan.queue, scenario.replications, plan.seed,
                                    args.capacity_for, unit_costs(scenario, plan.pathway))
        for plan in plans}
    csv_path, report_path = report.write(args.out, scenario, area.name, first_day, plans, needed)
    print(f"Plan {scenario.name!r} for {area.name} from {first_day}: {csv_path}, {report_path}")
    return 0


def _share(text: str) -> float:
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise argparse.ArgumentTypeError(f"a share from 0 to 1, such as 0.9, not {text!r}")
    return share


def _add_token_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    token = commands.add_parser("token", help="make, list and revoke feed sources' API tokens")
    actions = token.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a token for a source (printed once)")
    create.add_argument("source", help="the source's name, such as 'UHCW discharge tracker'")
    create.add_argument("--every", type=int, metavar="MINUTES",
                        help="how often the source should deliver; quieter than this is flagged")
    actions.add_parser("list", help="list tokens (never the tokens themselves)")
    revoke = actions.add_parser("revoke", help="revoke a token by its id (see 'token list')")
    revoke.add_argument("token_id", type=int)


def _token(engine: Engine, now: datetime, args: argparse.Namespace) -> int:
    if args.action == "create":
        new = create_token(engine, args.source, now, args.every)
        print(f"Token {new.token_id} for {new.source} (shown once; keep it secret):")
        print(new.token)
        (grants,) = all_grants(engine, new.source)
        print(grants.describe())
        return 0
    if args.action == "revoke":
        if revoke_token(engine, args.token_id, now):
            print(f"Token {args.token_id} is revoked.")
            return 0
        print(f"error: there is no live token {args.token_id}", file=sys.stderr)
        return 1
    tokens = list_tokens(engine)
    print(tokens.to_string(index=False) if len(tokens) else "No tokens yet.")
    return 0


def _add_source_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    source = commands.add_parser("source", help="grant feed sources the kinds of record they "
                                 "may send and the sites, services and areas they may write for")
    actions = source.add_subparsers(dest="action", required=True)
    for name, verb in (("grant", "add to"), ("revoke", "remove from")):
        action = actions.add_parser(name, help=f"{verb} a source's grants")
        action.add_argument("source")
        action.add_argument("--kinds", type=lambda text: [k.strip() for k in text.split(",")
                                                          if k.strip()], default=[],
                            help=f"comma-separated: {', '.join(KINDS)} (actions: the actions "
                            "on people, read and written at /api/v1/actions)")
        for scope in ("site", "service", "area"):
            action.add_argument(f"--{scope}", dest=f"{scope}s", nargs="+", action="extend",
                                default=[], metavar="CODE",
                                help=f"{scope} codes" + (" (each with everything inside it)"
                                                         if scope == "area" else ""))
        action.add_argument("--every-area", action="store_true",
                            help="every site, service and area (a system-wide feed)")
    actions.choices["revoke"].add_argument("--all", action="store_true",
                                           help="remove every grant of the source")
    show = actions.add_parser("show", help="a source's grants")
    show.add_argument("source")
    actions.add_parser("list", help="every source's grants")


def _source(engine: Engine, args: argparse.Namespace) -> int:
    if args.action in ("show", "list"):
        found = all_grants(engine, args.source if args.action == "show" else None)
        if args.action == "show":
            print(found[0].describe())
        else:
            print(grants_table(found).to_string(index=False) if found else "No sources yet.")
        return 0
    change = GrantChange(tuple(args.kinds), tuple(args.sites), tuple(args.services),
                         tuple(args.areas), args.every_area)
    if args.action == "revoke":
        if not (args.all or change != GrantChange()):
            print("error: name what to revoke (--kinds, --site, --service, --area, "
                  "--every-area), or --all", file=sys.stderr)
            return 2
        print(revoke(engine, args.source, None if args.all else change).describe())
        return 0
    if change == GrantChange():
        print("error: name what to grant (--kinds, --site, --service, --area, --every-area)",
              file=sys.stderr)
        return 2
    print(grant(engine, args.source, change).describe())
    return 0


def _add_user_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = commands.add_parser("user", help="add, list, change and disable the people who sign "
                               "in (a change that can narrow what they see ends their sessions)")
    actions = user.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="add a user (the password is asked for)")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=list(ROLES))
    create.add_argument("--area", nargs="+", default=[], metavar="CODE",
                        help="a hub lead's areas (each with everything inside it)")
    create.add_argument("--name", help="the name shown on screen")
    create.add_argument("--sso-only", action="store_true",
                        help="no password: signs in only through the single sign-on proxy")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (for scripts)")
    actions.add_parser("list", help="list users (never their passwords)")
    disable = actions.add_parser("disable", help="stop a user signing in (kept for the audit)")
    disable.add_argument("username")
    password = actions.add_parser("password", help="set a user's password (ends their sessions "
                                  "and forgets the browsers they signed in from)")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    role = actions.add_parser("role", help="change a user's role (ends their sessions)")
    role.add_argument("username")
    role.add_argument("role", choices=list(ROLES))
    role.add_argument("--area", nargs="+", default=[], metavar="CODE",
                      help="a hub lead's areas (each with everything inside it)")
    areas = actions.add_parser("areas", help="change a hub lead's areas (ends their sessions)")
    areas.add_argument("username")
    areas.add_argument("--area", nargs="+", required=True, metavar="CODE",
                       help="the hub's areas (each with everything inside it)")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise UserError("the two passwords differ")
    return first


def _user(engine: Engine, now: datetime, args: argparse.Namespace) -> int:
    if args.action == "create":
        password = None if args.sso_only else _read_password(args.password_stdin)
        create_user(engine, args.username, args.role, now, password=password,
                    display_name=args.name, area_codes=tuple(args.area))
        print(f"User {args.username} ({ROLES[args.role]}) added.")
    elif args.action == "disable":
        disable_user(engine, args.username, now)
        print(f"User {args.username} can no longer sign in; their sessions have ended.")
    elif args.action == "password":
        set_password(engine, args.username, _read_password(args.password_stdin), now)
        print(f"Password of {args.username} set; their sessions have ended.")
    elif args.action == "role":
        change_role(engine, args.username, args.role, now, tuple(args.area))
        print(f"User {args.username} is now {ROLES[args.role]}; their sessions have ended.")
    elif args.action == "areas":
        change_areas(engine, args.username, tuple(args.area), now)
        print(f"Areas of {args.username} set to {', '.join(args.area)}; their sessions have "
              "ended.")
    else:
        users = list_users(engine)
        print(users.to_string(index=False) if len(users) else "No users yet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
