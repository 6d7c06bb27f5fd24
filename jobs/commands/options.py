"""What every command shares: `--config`, `--on`, `--log-format`, the configuration loaded once, the checks
made before anything is sent, and the mapping of the job's known failures to exit codes (`jobs.exits`).
"""

from __future__ import annotations

import calendar
import logging
import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click

from jobs.config import ConfigError, Settings, load_settings
from jobs.db import DatabaseLost, LockHeld, NotReady
from jobs.exits import Exit
from jobs.folders import ReportFolderError, report_folder
from jobs.logs import LOG_FORMATS, LogFormat, setup_logging
from jobs.progress import interactive, live_progress

F = TypeVar("F", bound=Callable[..., Any])


def fail(code: Exit, message: str) -> NoReturn:
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
            sys.exit(Exit.USAGE)
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
    return click.option(
        "--log-format",
        "log_format",
        type=click.Choice(LOG_FORMATS),
        default="text",
        show_default=True,
        help="json: one JSON object per line on standard error (time, level, message, counts).",
    )(func)


def log_format_of(log_format: str) -> LogFormat:
    return "json" if log_format == "json" else "text"


def use_log_format(log_format: str) -> None:
    setup_logging(log_format_of(log_format))


def progress_for(log_format: str = "text") -> Any:
    """A live progress display on an interactive terminal with text logs; silence under cron or json."""
    return live_progress(log_format == "text" and interactive())


def resolve_on(settings: Settings, on: datetime | None) -> date:
    return on.date() if on is not None else settings.today()


def refuse_mail_from_the_future(settings: Settings, on: date, command: str) -> None:
    """`--on` is the catch-up of a missed night, never a rehearsal of a future one through the relay: that would
    e-mail families "tomorrow is the last day" months early and record the earlier stages as skipped."""
    today = settings.today()
    if on > today and settings.notifier.kind == "smtp":
        rehearse = "add --dry-run" if command == "run" else "use `appealwatch run --dry-run --on`"
        fail(
            Exit.USAGE,
            f"--on {on} is after today ({today} in {settings.schedule.timezone}): {command} would send real mail "
            f"through SMTP for a night that has not come, so nothing was sent or recorded; to see that night, "
            f'{rehearse}, or use [notifier] kind = "file"',
        )


def check_report_folder(settings: Settings, on: date | None, out_dir: str | None, key: str) -> None:
    """The report's folder, made and proved writable before anything is sent or recorded."""
    try:
        report_folder(settings, on, out_dir)
    except ReportFolderError as exc:
        fail(Exit.USAGE, f"{key}: {exc}; fix it, then run again (nothing was sent or recorded)")


def exits_cleanly(func: F) -> F:
    """Map the job's known failures to the contract's exit codes."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LockHeld as exc:
            fail(Exit.LOCKED, str(exc))
        except NotReady as exc:
            fail(Exit.USAGE, str(exc))
        except DatabaseLost as exc:  # like a database that cannot be reached at start: 2
            fail(Exit.USAGE, str(exc))
        except ConfigError as exc:
            fail(Exit.USAGE, "; ".join(exc.problems))

    return wrapper  # type: ignore[return-value]
