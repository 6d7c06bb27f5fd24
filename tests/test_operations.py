"""Operating the nightly job: the run log tells stopped, died and refused runs apart, `run --wait` waits for
the lock, `--log-format json`, progress only on a terminal, and the healthchecks-style monitoring ping."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, select

from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.db import LockHeld, job_lock, make_engine
from jobs.store import messages, runs

import builders as b
from conftest import Database
from smtp_server import SmtpTestServer, free_port

ON = date(2025, 3, 18)
REPO = Path(__file__).resolve().parents[1]


def config(tmp_path: Path, url: str, smtp_port: int | None = None, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    notifier = (
        f'[notifier]\nkind = "smtp"\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\ntimeout = 10.0\n'
        if smtp_port
        else f'[notifier]\nkind = "file"\noutbox_dir = "{tmp_path / "outbox"}"\n'
    )
    path.write_text(
        f'[database]\nurl = "{url}"\n{notifier}[report]\nout_dir = "{tmp_path / "reports"}"\n{extra}',
        encoding="utf-8",
    )
    return path


def families(engine: Engine, count: int) -> None:
    """`count` families with one reminder due on ON each (stage 2 of a care-allowance decision)."""
    with engine.begin() as conn:
        for i in range(1, count + 1):
            b.beneficiary(conn, i, f"Marie Janssens {i}", f"marie{i}@mail.example")
            b.decision(conn, i, i, "care_allowance", date(2024, 12, 20))


def a_bad_row(engine: Engine) -> None:
    with engine.begin() as conn:
        b.beneficiary(conn, 900, "Jan Bad", "jan.bad@mail.example")
        b.decision(conn, 900, 900, "family_bonus", date(2025, 3, 1))  # an unknown kind: a bad row


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}


def appealwatch(cfg: Path, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "jobs", *args, "--config", str(cfg)],
        cwd=REPO,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def run_rows(engine: Engine) -> list[tuple[str, str, int | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(runs.c.command, runs.c.status, runs.c.exit_code, runs.c.message).order_by(runs.c.id)
        ).all()
    return [(r.command, r.status, r.exit_code, r.message) for r in rows]


class Gate:
    """An SMTP script that holds the first message in DATA until released: the run is then, for sure, in
    the middle of its delivery (no sleeps, no timing)."""

    def __init__(self) -> None:
        self.in_data = threading.Event()
        self.release = threading.Event()

    def __call__(self, event: str, _address: str | None) -> str | None:
        if event == "DATA" and not self.in_data.is_set():
            self.in_data.set()
            self.release.wait(60)
        return None


# --- 9: a stopped run says it was stopped ----------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_run_stopped_by_a_signal_says_so_in_its_last_line_and_in_the_run_log(
    database: Database, tmp_path: Path, signum: signal.Signals
) -> None:
    families(database.engine, 3)
    gate = Gate()
    with SmtpTestServer(script=gate) as server:
        proc = appealwatch(config(tmp_path, database.url, server.port), "run", "--on", ON.isoformat())
        try:
            assert gate.in_data.wait(60), "the run never reached the relay"
            proc.send_signal(signum)
        finally:
            gate.release.set()
        out, err = proc.communicate(timeout=120)
    name = signum.name
    assert proc.returncode == 1, out + err
    last = err.strip().splitlines()[-1]
    assert last == (
        f"stopped by {name}: 2 message(s) wait in the outbox; they go out with the next run or "
        "`appealwatch deliver`"
    )
    assert "1 sent" in out
    [(command, status, code, message)] = run_rows(database.engine)
    assert (command, status, code) == ("run", "stopped", 1)
    assert message == last
    listed = appealwatch(config(tmp_path, database.url), "runs")
    shown, _ = listed.communicate(timeout=60)
    assert "stopped" in shown and f"stopped by {name}" in shown


def test_a_delivery_stopped_by_sigterm_says_so_too(database: Database, tmp_path: Path) -> None:
    families(database.engine, 3)
    down = config(tmp_path, database.url, free_port(), "")
    assert run_nightly(load_settings(down, {}), ON) == 1  # everything waits in the outbox
    gate = Gate()
    with SmtpTestServer(script=gate) as server:
        proc = appealwatch(config(tmp_path, database.url, server.port), "deliver", "--on", ON.isoformat())
        try:
            assert gate.in_data.wait(60)
            proc.send_signal(signal.SIGTERM)
        finally:
            gate.release.set()
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert err.strip().splitlines()[-1].startswith("stopped by SIGTERM: 2 message(s) wait in the outbox")
    assert [r[:2] for r in run_rows(database.engine)] == [("run", "partial"), ("deliver", "stopped")]


# --- 10: died and refused runs are on the record --------------------------------------------------------


def test_a_run_killed_with_sigkill_is_marked_died_when_the_lock_is_next_taken(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 3)
    gate = Gate()
    with SmtpTestServer(script=gate) as server:
        cfg = config(tmp_path, database.url, server.port)
        killed = appealwatch(cfg, "run", "--on", ON.isoformat())
        try:
            assert gate.in_data.wait(60)
            killed.send_signal(signal.SIGKILL)
            killed.communicate(timeout=60)
        finally:
            gate.release.set()
        assert [r[1] for r in run_rows(database.engine)] == ["running"]
        again = appealwatch(cfg, "run", "--on", ON.isoformat())
        out, err = again.communicate(timeout=120)
    assert again.returncode == 0, out + err
    assert "1 earlier run(s) had died without finishing" in err
    (_c, status, code, message), (_c2, status2, _e, _m) = run_rows(database.engine)
    assert (status, code, status2) == ("died", None, "ok")
    assert message is not None and "died without finishing" in message and "found by run 2" in message
    shown, _ = appealwatch(cfg, "runs").communicate(timeout=60)
    died_line = next(line for line in shown.splitlines() if "died" in line)
    assert "found by run 2" in died_line or "died without" in died_line


def test_a_run_refused_because_the_lock_is_held_is_recorded_with_exit_3(
    database: Database, tmp_path: Path
) -> None:
    cfg = config(tmp_path, database.url)
    with job_lock(make_engine(database.url), "nightly"):
        proc = appealwatch(cfg, "run", "--on", ON.isoformat())
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, out + err
    [(command, status, code, message)] = run_rows(database.engine)
    assert (command, status, code) == ("run", "refused", 3)
    assert message is not None and "holds" in message
    shown, _ = appealwatch(cfg, "runs").communicate(timeout=60)
    assert "refused" in shown and "holds" in shown


# --- run --wait -----------------------------------------------------------------------------------------

HOLD = """
import sys
from jobs.db import job_lock, make_engine
with job_lock(make_engine(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_run_wait_waits_for_the_lock_and_runs_once_it_is_free(database: Database, tmp_path: Path) -> None:
    families(database.engine, 2)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, database.url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        waiting = appealwatch(config(tmp_path, database.url), "run", "--on", ON.isoformat(), "--wait", "300")
        assert waiting.stdout is not None
        assert "another run holds the lock: waiting up to 300 s" in waiting.stdout.readline()
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
        out, err = waiting.communicate(timeout=120)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert waiting.returncode == 0, out + err
    assert "2 sent" in out
    assert [r[:3] for r in run_rows(database.engine)] == [("run", "ok", 0)]


def test_run_wait_exits_3_when_the_lock_stays_held(database: Database, tmp_path: Path) -> None:
    with job_lock(make_engine(database.url), "nightly"):
        proc = appealwatch(config(tmp_path, database.url), "run", "--on", ON.isoformat(), "--wait", "0.5")
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, out + err
    assert "waited 0.5 s" in err
    assert [r[:3] for r in run_rows(database.engine)] == [("run", "refused", 3)]


# --- --log-format json ----------------------------------------------------------------------------------


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_log_format_json_gives_one_object_per_line_with_counts_and_nothing_private(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 2)
    a_bad_row(database.engine)
    cfg = config(tmp_path, database.url)
    proc = appealwatch(cfg, "run", "--on", ON.isoformat(), "--log-format", "json")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert out == ""
    records = _json_lines(err)  # every line parses, or this fails
    assert all({"time", "level", "message"} <= set(r) for r in records)
    summary = next(r for r in records if str(r["message"]).startswith("run 1 for 2025-03-18"))
    assert (summary["level"], summary["sent"], summary["problems"], summary["exit_code"]) == ("info", 2, 1, 1)
    assert any(r["level"] == "warning" and str(r["message"]).startswith("exit 1:") for r in records)
    for private in ("Marie", "Janssens", "Jan Bad", "mail.example"):
        assert private not in err
    delivered = appealwatch(cfg, "deliver", "--on", ON.isoformat(), "--log-format", "json")
    out, err = delivered.communicate(timeout=120)
    assert delivered.returncode == 0 and out == ""
    [record] = _json_lines(err)
    assert record["sent"] == 0 and record["exit_code"] == 0
    with job_lock(make_engine(database.url), "nightly"):
        locked = appealwatch(cfg, "run", "--on", ON.isoformat(), "--log-format", "json")
        _out, err = locked.communicate(timeout=120)
    assert locked.returncode == 3
    [record] = _json_lines(err)
    assert record["level"] == "error" and "holds" in str(record["message"]) and record["exit_code"] == 3


# --- progress on a terminal, the summary alone under cron -----------------------------------------------


def test_under_cron_run_prints_the_summary_lines_alone(database: Database, tmp_path: Path) -> None:
    families(database.engine, 2)
    proc = appealwatch(config(tmp_path, database.url), "run", "--on", ON.isoformat())
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert err == ""
    assert out.splitlines() == [
        "run 1 for 2025-03-18: 2 windows (2 scanned, 0 closed for good before the scan's reach), 2 open; "
        "2 message(s) planned, 0 held from earlier runs, "
        "0 report mail(s): 2 sent, 0 failed, 0 expired, 0 superseded, 0 waiting; 6 stage(s) skipped; "
        "0 without usable e-mail; 0 bad row(s)",
        f"report: {tmp_path / 'reports' / '2025-03-18' / 'report.html'}",
    ]


def _in_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the command on a pseudo-terminal, as an operator at a shell would; everything it wrote."""
    import pty

    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", *args],
        cwd=cwd,
        env={**env(), "TERM": "xterm-256color", "COLUMNS": "120"},
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_run_and_deliver_show_progress(database: Database, tmp_path: Path) -> None:
    families(database.engine, 2)
    cfg = str(config(tmp_path, database.url))
    code, shown = _in_a_terminal(["run", "--on", ON.isoformat(), "--config", cfg], tmp_path)
    assert code == 0, shown
    assert "writing the report" in shown  # the progress display, drawn on the terminal
    assert "\x1b[" in shown
    assert "2 sent" in shown  # and the summary after it
    code, shown = _in_a_terminal(["deliver", "--on", ON.isoformat(), "--config", cfg], tmp_path)
    assert code == 0, shown
    assert "sending messages" in shown and "0 sent" in shown


def test_on_a_terminal_the_demo_shows_progress(tmp_path: Path) -> None:
    code, shown = _in_a_terminal(["demo", "--dir", str(tmp_path / "demo"), "--on", "2026-11-26"], tmp_path)
    assert code == 0, shown
    assert "writing the report" in shown and "Demo ready" in shown


# --- [monitoring] ping_url ------------------------------------------------------------------------------


class Monitor:
    """A real HTTP server on loopback that records the pings (method, path, query, body)."""

    def __init__(self) -> None:
        self.pings: list[tuple[str, str, dict[str, list[str]], str]] = []
        recorded = self.pings

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                parts = urlsplit(self.path)
                recorded.append((self.command, parts.path, parse_qs(parts.query), body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"OK")

            do_GET = do_POST = _record

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/ping/abc-123"

    def paths(self) -> list[str]:
        return [path for _m, path, _q, _b in self.pings]


@pytest.fixture
def monitor() -> Iterator[Monitor]:
    m = Monitor()
    m.thread.start()
    yield m
    m.server.shutdown()
    m.server.server_close()


def _monitored(tmp_path: Path, url: str, ping_url: str) -> Path:
    return config(tmp_path, url, extra=f'[monitoring]\nping_url = "{ping_url}"\n')


def test_a_good_night_pings_start_then_success_with_the_same_run_id(
    database: Database, tmp_path: Path, monitor: Monitor
) -> None:
    families(database.engine, 1)
    settings = load_settings(_monitored(tmp_path, database.url, monitor.url), {})
    assert run_nightly(settings, ON) == 0
    assert monitor.paths() == ["/ping/abc-123/start", "/ping/abc-123"]
    (_m1, _p1, start_query, _b1), (method, _p2, end_query, body) = monitor.pings
    assert start_query["rid"] == end_query["rid"]
    assert method == "POST" and body.startswith("exit 0: run 1 for 2025-03-18: 1 sent")
    assert "Marie" not in body and "mail.example" not in body


def test_a_night_with_bad_rows_pings_its_exit_code(
    database: Database, tmp_path: Path, monitor: Monitor
) -> None:
    a_bad_row(database.engine)
    settings = load_settings(_monitored(tmp_path, database.url, monitor.url), {})
    assert run_nightly(settings, ON) == 1
    assert monitor.paths() == ["/ping/abc-123/start", "/ping/abc-123/1"]


def test_a_night_refused_by_the_lock_pings_exit_3(
    database: Database, tmp_path: Path, monitor: Monitor
) -> None:
    settings = load_settings(_monitored(tmp_path, database.url, monitor.url), {})
    with job_lock(make_engine(database.url), "nightly"), pytest.raises(LockHeld):
        run_nightly(settings, ON)
    assert monitor.paths() == ["/ping/abc-123/start", "/ping/abc-123/3"]
    assert monitor.pings[1][3].startswith("exit 3: another appealwatch nightly run holds")


def test_an_unreachable_monitor_is_logged_and_never_fails_the_night(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 1)
    secret = f"http://127.0.0.1:{free_port()}/ping/secret-uuid"
    proc = appealwatch(_monitored(tmp_path, database.url, secret), "run", "--on", ON.isoformat())
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert "1 sent" in out
    assert "monitoring ping (start) to 127.0.0.1 failed" in err
    assert "monitoring ping (success) to 127.0.0.1 failed" in err
    assert "secret-uuid" not in err
    with database.engine.connect() as conn:
        assert conn.execute(select(messages.c.status)).scalars().all() == ["sent"]


@pytest.mark.parametrize("bad", ["ftp://hc.example/abc", "hc-ping.com/abc", "https://", "http://h:99999/x"])
def test_a_ping_url_that_is_not_http_exits_2_at_start(tmp_path: Path, bad: str) -> None:
    cfg = _monitored(tmp_path, f"sqlite:///{tmp_path / 'aw.db'}", bad)
    proc = appealwatch(cfg, "run", "--on", ON.isoformat())
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "monitoring.ping_url:" in err


# --- runs: a partial run's note is its last line (what failed) ---------------------------------------------


def test_runs_shows_what_failed_in_a_partial_run(database: Database, tmp_path: Path) -> None:
    families(database.engine, 1)
    a_bad_row(database.engine)
    cfg = config(tmp_path, database.url)
    assert run_nightly(load_settings(cfg, {}), ON) == 1
    [(command, status, code, note)] = run_rows(database.engine)
    assert (command, status, code) == ("run", "partial", 1)
    assert note is not None and note.startswith("exit 1: 1 bad row(s), 0 refused"), note
    proc = appealwatch(cfg, "runs")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "exit 1: 1 bad row(s)" in out


def test_runs_shows_what_failed_in_a_partial_run_and_deliver_when_the_relay_is_down(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 1)
    cfg = config(tmp_path, database.url, smtp_port=free_port())  # nothing listens there
    assert run_nightly(load_settings(cfg, {}), ON) == 1
    proc = appealwatch(cfg, "deliver", "--on", ON.isoformat())
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    rows = run_rows(database.engine)
    assert [(c, s, e) for c, s, e, _n in rows] == [("run", "partial", 1), ("deliver", "partial", 1)]
    for _c, _s, _e, note in rows:
        assert note is not None and note.startswith("exit 1: SMTP relay unreachable"), note
    assert err.strip().splitlines()[-1].endswith(rows[1][3])
