"""The import rules in .importlinter hold (docs/architecture.md): checked here, so CI runs them
with the rest of the suite. ``lint-imports`` prints the same, naming any import that breaks one."""

from __future__ import annotations

import configparser
import logging
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"


def test_every_import_contract_is_kept(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    # lint_imports configures logging with dictConfig, which disables every logger that already
    # exists (the app's among them) for the rest of the run: each is given back afterwards.
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", logger.disabled)
    assert lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True) == 0


def test_every_module_of_dashboard_is_named_by_the_contracts() -> None:
    """A module added to dashboard/ is either pure domain code or forbidden to it: the contracts
    name each one, so a new module cannot slip between them unchecked."""
    config = configparser.ConfigParser()
    config.read(CONFIG)
    pure = set(config["importlinter:contract:pure-domain"]["source_modules"].split())
    forbidden = set(config["importlinter:contract:pure-domain"]["forbidden_modules"].split())
    modules = {f"dashboard.{path.stem if path.is_file() else path.name}"
               for path in (ROOT / "dashboard").iterdir()
               if (path.suffix == ".py" and path.stem != "__init__")
               or (path.is_dir() and (path / "__init__.py").exists())}
    assert modules == {m for m in pure | forbidden if m.startswith("dashboard.")}
