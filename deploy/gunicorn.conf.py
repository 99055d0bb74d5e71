"""gunicorn settings for the dashboard: ``gunicorn -c deploy/gunicorn.conf.py`` (serves app:server).

Every value comes from the environment, with defaults for a 2-core machine. The database must
already be prepared (``python -m dashboard migrate``, then a load or ``demo``): an instance does
not migrate on start, because several instances (and each instance's workers) starting together
would race to migrate and to build the demo. It refuses to start on a schema that is not the
latest instead. See docs/deployment.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

wsgi_app = "app:server"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
# gthread: a worker per core, a few threads each; a page's queries also run on threads and
# release the GIL while the database works.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS") or os.cpu_count() or 2)
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a callback stuck this long is killed
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # finish on SIGTERM
keepalive = 75  # seconds: longer than nginx keeps an idle connection to us (60 s)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# The peer (nginx), the client's address nginx forwarded, when, the request, status, bytes and
# milliseconds taken.
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms'
# Import and build the app once, in the master: workers start fast, share its memory, and a
# broken configuration stops the start instead of workers failing one by one.
preload_app = True
# gunicorn's management socket defaults to one path per user: two instances would clash.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Refuse to serve a database that has not been migrated (before any port is opened)."""
    import logging

    # The app's own lines (such as each warm-up's "warmed N views ... in S s") go to the error
    # log with gunicorn's; the workers inherit this when forked.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    import app
    from data_access.migrate import is_at_head

    if not is_at_head(app.engine):
        raise SystemExit("The database's schema is not up to date: run "
                         "'python -m dashboard migrate' (once, before starting the instances).")


def when_ready(server: Any) -> None:
    """The app is loaded (preload_app): start the warm-up in a process of its own, at the lowest
    CPU priority, if the workers share a cache (callbacks/warm.py), and settle the app before
    the workers are forked."""
    import app
    from dashboard.app_factory import settle_for_serving

    warmer = app.server.extensions.get("dashboard_warmer")
    if warmer is not None and warmer.context.views.shared_between_processes:
        # It logs to this instance's standard error, reads paths from where this instance
        # runs, and stops by itself (after the view in hand) if this process dies.
        root = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))
        server.warm_up = subprocess.Popen([sys.executable, "-m", "dashboard", "warm"],
                                          env={**os.environ, "PYTHONPATH": path})
        warmer.hand_over()  # the workers forked after this never warm in their threads
    settle_for_serving()


def on_exit(server: Any) -> None:
    """Stop the warm-up process with the instance."""
    warm_up = getattr(server, "warm_up", None)
    if warm_up is not None:
        warm_up.terminate()
        try:
            warm_up.wait(timeout=graceful_timeout)
        except subprocess.TimeoutExpired:
            warm_up.kill()
            warm_up.wait()


def post_fork(server: Any, worker: Any) -> None:
    """The engine was built before the fork: give each worker its own connections (the parent's
    pooled connections must not be shared, nor closed from here)."""
    import app

    app.engine.dispose(close=False)
