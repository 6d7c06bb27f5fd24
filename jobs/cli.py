"""The command line, `appealwatch` (and `python -m jobs`): the names of shared/contract.md section 3.

Exit codes: 0 done; 1 done, but some rows or deliveries failed; 2 bad configuration or usage; 3 another run
holds the lock. Anything else is a bug.
"""

from __future__ import annotations

import calendar
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from jobs.config import ConfigError, Settings, load_settings
from jobs.db import DatabaseLost, LockHeld, NotReady

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])


def _fail(code: int, message: str) -> NoReturn:
    # Through the log, so that `--log-format json` gets it as JSON too; plain text: the same line as always.
    logging.getLogger("appealwatch.cli").error(
        f"appealwatch: {message}", extra={"fields": {"exit_code": code}}
    )
    sys.exit(code)


def settings_from(ctx: click.Context) -> Settings:
    """Load the configuration once per process; a bad file exits 2 with one line per key."""
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        try:
            obj["settings"] = load_settings(obj.get("config_path"))
        except ConfigError as exc:
            for line in exc.problems:
                click.echo(f"appealwatch: configuration error: {line}", err=True)
            sys.exit(EXIT_USAGE)
    settings: Settings = obj["settings"]
    return settings


def config_option(func: F) -> F:
    """`--config PATH` on every command (and on the group), as the contract says."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is not None:
            ctx.ensure_object(dict)["config_path"] = value
        return value

    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=remember,
        help="config.toml to use (default: $APPEALWATCH_CONFIG, else ./config.toml).",
    )(func)


class Day(click.ParamType):
    """A day written YYYY-MM-DD; a well-written day that is not in the calendar (2026-02-30) is named as such."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            self.fail(f"{value!r} is not a day written YYYY-MM-DD (for example 2026-11-29)", param, ctx)
        try:
            return datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            year, month, _day = (int(part) for part in text.split("-"))
        if year < 1:
            self.fail(f"{text} does not exist: the calendar starts at 0001-01-01", param, ctx)
        if not 1 <= month <= 12:
            self.fail(f"{text} does not exist: there is no month {month:02d}", param, ctx)
        days = calendar.monthrange(year, month)[1]
        self.fail(f"{text} does not exist: {calendar.month_name[month]} {year} has {days} days", param, ctx)


def on_option(func: F) -> F:
    return click.option(
        "--on",
        "on",
        type=Day(),
        default=None,
        help="Act as if today were this day (YYYY-MM-DD). Default: today in [schedule] timezone.",
    )(func)


def log_format_option(func: F) -> F:
    """`--log-format text|json`: how the command's log lines look (text, the default, as always)."""
    from jobs.logs import LOG_FORMATS

    return click.option(
        "--log-format",
        "log_format",
        type=click.Choice(LOG_FORMATS),
        default="text",
        show_default=True,
        help="json: one JSON object per line on standard error (time, level, message, counts).",
    )(func)


def use_log_format(log_format: str) -> None:
    from jobs.logs import setup_logging

    setup_logging("json" if log_format == "json" else "text")


def progress_for(log_format: str = "text") -> Any:
    """A live progress display on an interactive terminal with text logs; silence under cron or json."""
    from jobs.progress import interactive, live_progress

    return live_progress(log_format == "text" and interactive())


def resolve_on(settings: Settings, on: datetime | None) -> date:
    return on.date() if on is not None else settings.today()


def refuse_mail_from_the_future(settings: Settings, on: date, command: str) -> None:
    """`--on` is the catch-up of a missed night, never a rehearsal of a future one through the relay: that would
    e-mail families "tomorrow is the last day" months early and record the earlier stages as skipped."""
    today = settings.today()
    if on > today and settings.notifier.kind == "smtp":
        rehearse = "add --dry-run" if command == "run" else "use `appealwatch run --dry-run --on`"
        _fail(
            EXIT_USAGE,
            f"--on {on} is after today ({today} in {settings.schedule.timezone}): {command} would send real mail "
            f"through SMTP for a night that has not come, so nothing was sent or recorded; to see that night, "
            f'{rehearse}, or use [notifier] kind = "file"',
        )


def check_report_folder(settings: Settings, on: date | None, out_dir: str | None, key: str) -> None:
    """The report's folder, made and proved writable before anything is sent or recorded."""
    from jobs.folders import ReportFolderError, report_folder

    try:
        report_folder(settings, on, out_dir)
    except ReportFolderError as exc:
        _fail(EXIT_USAGE, f"{key}: {exc}; fix it, then run again (nothing was sent or recorded)")


def exits_cleanly(func: F) -> F:
    """Map the job's known failures to the contract's exit codes."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LockHeld as exc:
            _fail(EXIT_LOCKED, str(exc))
        except NotReady as exc:
            _fail(EXIT_USAGE, str(exc))
        except DatabaseLost as exc:  # like a database that cannot be reached at start: 2
            _fail(EXIT_USAGE, str(exc))
        except ConfigError as exc:
            _fail(EXIT_USAGE, "; ".join(exc.problems))

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@config_option
@click.version_option(package_name="appealwatch")
def cli() -> None:
    """appealwatch: appeal deadlines of Groeipakket decisions, reminders before they pass, reports."""


@cli.command("init-db")
@config_option
@click.pass_context
@exits_cleanly
def init_db_command(ctx: click.Context) -> None:
    """Create the five contract tables and the project's own tables (idempotent)."""
    settings = settings_from(ctx)
    from jobs.db import init_db, make_engine

    engine = make_engine(settings.database.url)
    try:
        created = init_db(engine)
    finally:
        engine.dispose()
    url = engine.url.render_as_string(hide_password=True)
    made = ", ".join(created) if created else "none (they existed)"
    click.echo(f"database ready: {url}\ncontract tables created: {made}\nproject tables: migrated to head")


@cli.command("demo")
@config_option
@on_option
@click.option("--dir", "directory", default="demo", show_default=True, help="Folder for the demo's files.")
@click.option("--seed", default=20261126, show_default=True, help="Seed of the demo data.")
@click.pass_context
@exits_cleanly
def demo_command(ctx: click.Context, on: datetime | None, directory: str, seed: int) -> None:
    """Build a demo SQLite database, run the nightly job with the file notifier, write the report."""
    from jobs.config import named_config
    from jobs.demo import run_demo

    if named_config(ctx.ensure_object(dict).get("config_path")) is not None:
        settings_from(ctx)  # the demo runs on its own config, but a file named and missing is still a mistake
    with progress_for() as progress:
        code = run_demo(directory=directory, on=on.date() if on else None, seed=seed, progress=progress)
    ctx.exit(code)


@cli.command("run")
@config_option
@on_option
@click.option(
    "--dry-run", is_flag=True, help="Compute and print what would be sent; send and record nothing."
)
@click.option(
    "--wait",
    "wait",
    type=click.FloatRange(0),
    default=0,
    metavar="SECONDS",
    help="If another run holds the lock, wait up to SECONDS for it (then exit 3) instead of exiting 3 at once.",
)
@log_format_option
@click.pass_context
@exits_cleanly
def run_command(ctx: click.Context, on: datetime | None, dry_run: bool, wait: float, log_format: str) -> None:
    """The nightly job: windows, due reminders, delivery, supervisor report."""
    use_log_format(log_format)
    settings = settings_from(ctx)
    from jobs.nightly import run_nightly

    day = resolve_on(settings, on)
    if not dry_run:
        refuse_mail_from_the_future(settings, day, "run")
        check_report_folder(settings, day, None, "[report] out_dir")
    with progress_for(log_format) as progress:
        code = run_nightly(settings, day, dry_run=dry_run, wait=wait, progress=progress)
    ctx.exit(code)


@cli.command("windows")
@config_option
@on_option
@click.option("--all", "show_all", is_flag=True, help="Every decision's window, not only open ones.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@click.pass_context
@exits_cleanly
def windows_command(ctx: click.Context, on: datetime | None, show_all: bool, fmt: str) -> None:
    """The appeal windows as of a day: open ones only, unless --all."""
    settings = settings_from(ctx)
    from jobs.views import print_windows

    ctx.exit(print_windows(settings, resolve_on(settings, on), show_all=show_all, fmt=fmt))


@cli.command("explain")
@config_option
@on_option
@click.argument("decision_id", type=int)
@click.pass_context
@exits_cleanly
def explain_command(ctx: click.Context, decision_id: int, on: datetime | None) -> None:
    """The window of one decision with its full trace, in words."""
    settings = settings_from(ctx)
    from jobs.views import print_explanation

    ctx.exit(print_explanation(settings, decision_id, resolve_on(settings, on)))


@cli.command("report")
@config_option
@on_option
@click.option("--out", "out_dir", default=None, help="Folder for the report (default: [report] out_dir).")
@click.pass_context
@exits_cleanly
def report_command(ctx: click.Context, on: datetime | None, out_dir: str | None) -> None:
    """Write the supervisor report."""
    settings = settings_from(ctx)
    from jobs.report import write_report_command

    day = resolve_on(settings, on)
    # --out on the command line is relative to where it was typed, not to the config file.
    out = str(Path(out_dir).resolve()) if out_dir else None
    check_report_folder(settings, day, out, "--out" if out_dir else "[report] out_dir")
    ctx.exit(write_report_command(settings, day, out))


@cli.command("schedule")
@config_option
@log_format_option
@click.pass_context
@exits_cleanly
def schedule_command(ctx: click.Context, log_format: str) -> None:
    """Stay up and run the nightly job on [schedule] cron, in [schedule] timezone."""
    use_log_format(log_format)
    from jobs.schedule import serve

    settings = settings_from(ctx)
    check_report_folder(settings, None, None, "[report] out_dir")
    ctx.exit(serve(settings, log_format="json" if log_format == "json" else "text"))


@cli.command("deliver")
@config_option
@on_option
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32), help="Parallel senders.")
@log_format_option
@click.pass_context
@exits_cleanly
def deliver_command(ctx: click.Context, on: datetime | None, workers: int, log_format: str) -> None:
    """Deliver what the ledger still holds pending (after an SMTP outage, or as extra workers)."""
    use_log_format(log_format)
    settings = settings_from(ctx)
    from jobs.deliver import deliver_pending

    day = resolve_on(settings, on)
    refuse_mail_from_the_future(settings, day, "deliver")
    with progress_for(log_format) as progress:
        code = deliver_pending(settings, day, workers=workers, progress=progress)
    ctx.exit(code)


@cli.command("runs")
@config_option
@click.option("--last", default=10, show_default=True, type=click.IntRange(1), help="How many runs.")
@click.pass_context
@exits_cleanly
def runs_command(ctx: click.Context, last: int) -> None:
    """List past runs from the run log."""
    from jobs.runlog import print_runs

    ctx.exit(print_runs(settings_from(ctx), last))


def _log_bug(exc: Exception) -> None:
    """The traceback of a bug, through the log (text or json). A database error's message is cut to its first
    line, and the errors chained to it are not shown: PostgreSQL's DETAIL would put a family's name and
    address into cron's mail."""
    from jobs.db import describe_error, is_database_error

    log = logging.getLogger("appealwatch.cli")
    if not is_database_error(exc):
        log.error("appealwatch: internal error (a bug): see the traceback below", exc_info=True)
        return
    stack = "".join(traceback.format_tb(exc.__traceback__))
    log.error(
        "appealwatch: internal error (a bug): %s\nTraceback (most recent call last):\n%s",
        describe_error(exc),
        stack.rstrip(),
    )


EXIT_BUG = 70  # EX_SOFTWARE: never 1, which cron and the fund's scripts read as "done, some rows failed"


def main() -> None:
    try:
        # Without standalone mode click returns the command's exit code instead of leaving with it.
        code = cli(prog_name="appealwatch", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as exc:  # usage errors: exit 2, as click would
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # The reader stopped early (`appealwatch windows | head`): what it wanted, it got.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except click.exceptions.Abort:
        click.echo("appealwatch: aborted", err=True)
        sys.exit(130)
    except Exception as exc:
        _log_bug(exc)
        sys.exit(EXIT_BUG)
        sys.exit(EXIT_BUG)
    sys.exit(code if isinstance(code, int) else 0)
