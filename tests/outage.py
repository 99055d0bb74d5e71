"""Putting something the test controls between the app and its database, to cut and restore.

PostgreSQL: a TCP forwarder on loopback; the app's engine connects through it, the test's own
engine directly. SQLite (embedded, no network): the app's engine opens its connections through a
creator; cut, the file is as unreachable as on a network share or volume that has gone away:
opening fails and every statement on an open connection fails, with SQLite's own words for it
("unable to open database file", "disk I/O error"). It is a simulation at the driver's edge, not
a real file-system fault.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from data_access.db import make_engine

T = TypeVar("T")
POLL_SECONDS = 0.05


class Switch(Protocol):
    def cut(self, silent: bool = False) -> None: ...
    def restore(self) -> None: ...
    def close(self) -> None: ...


class TcpForwarder:
    """Loopback TCP to ``target``. ``cut()`` drops every open connection and closes each new one
    at once (a server that is down); ``cut(silent=True)`` drops them and holds new ones without a
    word (a network that has gone), so only the client's connect timeout ends the wait."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._mode = "forward"
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                mode = self._mode
                self._open.add(client)
            if mode == "refuse":
                self._drop(client)
                continue
            if mode == "silent":
                continue  # held open, never answered
            try:
                server = socket.create_connection(self._target, timeout=5)
                server.settimeout(None)
            except OSError:
                self._drop(client)
                continue
            with self._lock:
                self._open.add(server)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        self._drop(source)
        self._drop(sink)

    def _drop(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)
        try:
            connection.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked reading it
        except OSError:
            pass
        connection.close()

    def _drop_all(self) -> None:
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            self._drop(connection)

    def cut(self, silent: bool = False) -> None:
        with self._lock:
            self._mode = "silent" if silent else "refuse"
        self._drop_all()

    def restore(self) -> None:
        with self._lock:
            self._mode = "forward"
        self._drop_all()  # connections held while silent: their clients gave up long ago

    def close(self) -> None:
        self._listener.close()
        self._drop_all()


class SqliteFile:
    """SQLite connections the test can cut off from their file (see the module's docstring).
    ``silent`` has no meaning here: an embedded database has no network to go quiet."""

    def __init__(self, path: str) -> None:
        self.path, self.is_cut = path, False

    def connect(self) -> Any:
        if self.is_cut:
            raise sqlite3.OperationalError("unable to open database file")
        return _Connection(sqlite3.connect(self.path, timeout=30, check_same_thread=False), self)

    def check(self) -> None:
        if self.is_cut:
            raise sqlite3.OperationalError("disk I/O error")

    def cut(self, silent: bool = False) -> None:
        self.is_cut = True

    def restore(self) -> None:
        self.is_cut = False

    def close(self) -> None:
        pass


class _Delegate:
    """Everything not overridden goes to the real sqlite3 object (attributes set included)."""

    def __init__(self, real: Any, switch: SqliteFile) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_switch", switch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._real, name, value)


class _Connection(_Delegate):
    def cursor(self, *args: Any) -> _Cursor:
        self._switch.check()
        return _Cursor(self._real.cursor(*args), self._switch)

    def execute(self, *args: Any) -> Any:
        self._switch.check()
        return self._real.execute(*args)

    def commit(self) -> None:
        self._switch.check()
        self._real.commit()


class _Cursor(_Delegate):
    def execute(self, *args: Any) -> Any:
        self._switch.check()
        return self._real.execute(*args)

    def executemany(self, *args: Any) -> Any:
        self._switch.check()
        return self._real.executemany(*args)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._real)


@contextmanager
def cuttable_engine(database_url: str) -> Iterator[tuple[Engine, Switch]]:
    """An engine for the app whose path to ``database_url`` the test can cut and restore."""
    url = make_url(database_url)
    switch: Switch
    if url.get_backend_name() == "sqlite":
        switch = SqliteFile(str(url.database))
        engine = make_engine(database_url, creator=switch.connect)
    else:
        switch = TcpForwarder((url.host or "127.0.0.1", url.port or 5432))
        engine = make_engine(url.set(host="127.0.0.1", port=switch.port)
                             .render_as_string(hide_password=False))
    try:
        yield engine, switch
    finally:
        engine.dispose()
        switch.close()


def wait_until(condition: Callable[[], T], seconds: float, what: str) -> T:
    """``condition()``'s first true answer, checked every few hundredths of a second; fails the
    test if none comes within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        answer = condition()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        threading.Event().wait(POLL_SECONDS)
