"""The database goes away in the middle of a night: a TCP proxy between the job and PostgreSQL is cut while
the first reminder is being handed to a real SMTP server. The run says so in one line and exits 2 (as for a
database that cannot be reached), nothing is marked sent that was not, and the next run delivers what waited."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from test_delivery import ON, _appealwatch, families, smtp_config
from test_operations import Monitor

from jobs.commands.schedule import nightly_job
from jobs.config import load_settings
from jobs.store import messages

from conftest import Database
from smtp_server import HOST, SmtpTestServer


class CuttableProxy:
    """A loopback TCP proxy to a server; `cut()` drops every connection and refuses new ones."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server((HOST, 0))
        self.port = int(self.listener.getsockname()[1])
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection((HOST, self.target))
            with self.lock:
                self.sockets += [client, server]
                if self.listener.fileno() == -1:  # cut meanwhile
                    client.close()
                    server.close()
                    return
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the other thread
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


def test_the_database_going_away_mid_run_is_said_plainly_and_the_next_run_carries_on(
    database: Database, tmp_path: Path
) -> None:
    if database.backend == "sqlite":
        pytest.skip(
            "SQLite is a file opened in the job's own process: there is no connection to lose mid-run"
        )
    families(database.engine, 3)
    url = make_url(database.url)
    proxy = CuttableProxy(url.port or 5432)
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    cut = threading.Event()

    def cut_at_first_mail(event: str, _address: str | None) -> str | None:
        if event == "MAIL" and not cut.is_set():
            cut.set()
            proxy.cut()  # the message is claimed; it is handed over, but its "sent" cannot be written
        return None

    with SmtpTestServer(script=cut_at_first_mail) as server:
        config = smtp_config(tmp_path, through_proxy, server.port)
        # In a process of its own, which ends, as the night's job does: its claim is then seen as dead.
        first = _appealwatch(config, "run", "--on", ON.isoformat())
        out, err = first.communicate(timeout=300)
        assert cut.is_set()
        assert first.returncode == 2, out + err
        assert "Traceback" not in err
        [line] = err.strip().splitlines()
        assert "the database failed during the run" in line and "the next run carries on" in line
        handed_over = Counter(r.message["Message-ID"] for r in server.messages)
        with database.engine.connect() as conn:
            sent = set(
                conn.execute(select(messages.c.message_id).where(messages.c.status == "sent")).scalars()
            )
        assert sent <= set(handed_over), "nothing is marked sent that was not"

        again = smtp_config(tmp_path, database.url, server.port)  # the database is back
        second = _appealwatch(again, "run", "--on", ON.isoformat())
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, out + err
        received = Counter(r.message["Message-ID"] for r in server.messages)
    with database.engine.connect() as conn:
        rows = conn.execute(select(messages.c.message_id, messages.c.status)).all()
    assert len(rows) == 3 and {s for _m, s in rows} == {"sent"}
    assert set(received) == {m for m, _s in rows}
    assert sum(n - 1 for n in received.values()) <= 1, "only the message in flight at the fault may repeat"


def _cut_at_first_mail(proxy: CuttableProxy) -> tuple[threading.Event, Callable[[str, str | None], None]]:
    cut = threading.Event()

    def script(event: str, _address: str | None) -> None:
        if event == "MAIL" and not cut.is_set():
            cut.set()
            proxy.cut()

    return cut, script


def _through_proxy(database: Database) -> tuple[CuttableProxy, str]:
    url = make_url(database.url)
    proxy = CuttableProxy(url.port or 5432)
    return proxy, url.set(port=proxy.port).render_as_string(hide_password=False)


def with_supervisors(config: Path) -> Path:
    """The config with a supervisor on `[report] recipients` (its last section): a report mail every night."""
    with config.open("a", encoding="utf-8") as file:
        file.write('recipients = ["supervisors@infino.example"]\n')
    return config


def test_a_database_lost_mid_run_is_pinged_to_the_monitor_as_exit_2_as_the_process_exits(
    database: Database, tmp_path: Path
) -> None:
    if database.backend == "sqlite":
        pytest.skip(
            "SQLite is a file opened in the job's own process: there is no connection to lose mid-run"
        )
    families(database.engine, 1)
    proxy, through_proxy = _through_proxy(database)
    cut, script = _cut_at_first_mail(proxy)
    monitor = Monitor()
    monitor.thread.start()
    try:
        with SmtpTestServer(script=script) as server:
            extra = f'[monitoring]\nping_url = "{monitor.url}"\n'
            proc = _appealwatch(
                smtp_config(tmp_path, through_proxy, server.port, extra), "run", "--on", ON.isoformat()
            )
            out, err = proc.communicate(timeout=300)
    finally:
        monitor.server.shutdown()
        monitor.server.server_close()
    assert cut.is_set()
    assert proc.returncode == 2, out + err
    assert monitor.paths() == ["/ping/abc-123/start", "/ping/abc-123/2"]
    body = monitor.pings[1][3]
    assert body.startswith("exit 2: the database failed during the run"), body


def test_under_schedule_a_database_lost_mid_run_is_logged_as_lost_not_as_a_bug_and_the_next_night_runs(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if database.backend == "sqlite":
        pytest.skip(
            "SQLite is a file opened in the job's own process: there is no connection to lose mid-run"
        )
    proxy, through_proxy = _through_proxy(database)
    cut, script = _cut_at_first_mail(proxy)
    caplog.set_level(logging.INFO, logger="appealwatch")
    with SmtpTestServer(script=script) as server:
        # The supervisors' report mail goes out every night, whatever day the test runs on.
        nightly_job(load_settings(with_supervisors(smtp_config(tmp_path, through_proxy, server.port)), {}))
        assert cut.is_set()
        [lost] = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert "the database failed during the run" in lost.getMessage()
        assert "a bug" not in lost.getMessage() and "Traceback" not in caplog.text
        assert lost.__dict__["fields"]["exit_code"] == 2
        caplog.clear()
        nightly_job(load_settings(with_supervisors(smtp_config(tmp_path, database.url, server.port)), {}))
    assert any("nightly run finished with exit code" in r.getMessage() for r in caplog.records), caplog.text
