"""The command line of shared/contract.md section 3: every command, its help, its exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobs.commands import cli
from jobs.db import job_lock, make_engine

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ["init-db", "demo", "run", "windows", "explain", "report", "schedule", "deliver", "runs"]


def appealwatch(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "jobs", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_contract_command_exists() -> None:
    assert set(COMMANDS) <= set(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_takes_config(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--config" in result.output


@pytest.mark.parametrize(
    ("command", "option"),
    [("run", "--dry-run"), ("run", "--on"), ("windows", "--all"), ("windows", "--format"), ("explain", "--on"),
     ("report", "--out"), ("deliver", "--workers"), ("runs", "--last")],
)  # fmt: skip
def test_the_contract_options_exist(command: str, option: str) -> None:
    assert option in CliRunner().invoke(cli, [command, "--help"]).output


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert re.search(rf"appealwatch {re.escape(command)}\b", readme), command


@pytest.mark.parametrize(
    "args",
    [["no-such-command"], ["windows", "--format", "xml"], ["run", "--on", "26/11/2026"], ["explain", "abc"]],
)
def test_bad_usage_exits_2(args: list[str], tmp_path: Path) -> None:
    assert appealwatch(*args, cwd=tmp_path).returncode == 2


def test_a_run_while_another_holds_the_lock_exits_3(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'aw.db'}"
    env = {"APPEALWATCH_DATABASE_URL": url}
    assert appealwatch("init-db", cwd=tmp_path, env=env).returncode == 0
    with job_lock(make_engine(url), "nightly"):
        done = appealwatch("run", "--on", "2026-11-26", cwd=tmp_path, env=env)
    assert done.returncode == 3
    assert "lock" in done.stderr


def test_python_dash_m_jobs_is_the_same_program(tmp_path: Path) -> None:
    done = appealwatch("--help", cwd=tmp_path)
    assert done.returncode == 0
    assert all(command in done.stdout for command in COMMANDS)


def test_a_database_without_init_db_exits_2_and_says_what_to_do(tmp_path: Path) -> None:
    done = appealwatch(
        "run",
        "--on",
        "2026-11-26",
        cwd=tmp_path,
        env={"APPEALWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"},
    )
    assert done.returncode == 2
    assert "run `appealwatch init-db`" in done.stderr


def test_an_unreachable_database_exits_2_naming_it(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none"  # port 9: nothing listens there
    done = appealwatch("windows", cwd=tmp_path, env={"APPEALWATCH_DATABASE_URL": url})
    assert done.returncode == 2
    assert "cannot open the database postgresql+psycopg://nobody@127.0.0.1:9/none" in done.stderr


def test_a_bug_exits_70_never_1(tmp_path: Path) -> None:
    """1 means "done, some rows failed" to cron and the fund's scripts; a crash must not look like that."""
    script = (
        "import sys, jobs.commands.windows as v\n"
        "def boom(*a, **k): raise RuntimeError('boom')\n"
        "v.print_windows = boom\n"
        "sys.argv = ['appealwatch', 'windows']\n"
        "from jobs.commands import main; main()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 70
    assert "RuntimeError: boom" in done.stderr and "internal error" in done.stderr


def test_the_exit_codes_reach_the_shell_through_the_console_script(tmp_path: Path) -> None:
    """0 clean, 1 done with bad rows, 2 for an unknown decision: what cron and the fund's scripts read."""
    from datetime import date

    import builders as b

    url = f"sqlite:///{tmp_path / 'aw.db'}"
    env = {"APPEALWATCH_DATABASE_URL": url}
    script = str(Path(sys.executable).parent / "appealwatch")
    # In tmp_path, not the repository: there is no config.toml there, so the report folder is tmp_path/reports.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}, **env}
    assert (
        subprocess.run(
            [script, "init-db"], cwd=tmp_path, env=env, capture_output=True, timeout=120
        ).returncode
        == 0
    )
    run = [script, "run", "--on", "2025-03-18"]
    assert subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, timeout=120).returncode == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "family_bonus", date(2025, 3, 1))  # an unknown kind: a bad row
    done = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "1 bad row(s)" in done.stderr
    explain = subprocess.run(
        [script, "explain", "424242"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert explain.returncode == 2 and "no decision with id 424242" in explain.stderr
