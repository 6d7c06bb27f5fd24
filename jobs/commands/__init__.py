"""The command line, `appealwatch` (and `python -m jobs`): the names of docs/commands.md.

One thin module per verb: it parses, opens the database, calls the library and prints. The options every
command shares, and the mapping of the job's known failures to exit codes, are in `jobs.commands.options`;
the codes themselves in `jobs.exits`: 0 done; 1 done, but some rows or deliveries failed; 2 bad configuration
or usage; 3 another run holds the lock; 70 a bug.

Start-up stays light: `import jobs.commands` imports no pandas or numpy (their threads would start before
`schedule` blocks SIGTERM), so the verbs import the libraries that need them when they run. Nor does it import
the verbs' modules: `cli.commands` names them all and imports one when it is looked up (a verb run, or
`--help` listing them), so `appealwatch windows` does not pay for the scheduler, the outbox or the demo.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator, MutableMapping

import click

from jobs.collector import collector_paused
from jobs.commands.options import config_option
from jobs.db import describe_error, is_database_error
from jobs.exits import Exit

# Each verb's name -> the module under jobs.commands whose `command` it is.
VERBS = {
    "init-db": "init_db",
    "demo": "demo",
    "run": "run",
    "windows": "windows",
    "explain": "explain",
    "history": "history",
    "report": "report",
    "schedule": "schedule",
    "deliver": "deliver",
    "runs": "runs",
}


class _Verbs(MutableMapping[str, click.Command]):
    """click's `Group.commands`, with each verb's module imported the first time the verb is looked up."""

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in VERBS:
                raise KeyError(name)
            with collector_paused():  # its modules live as long as the process (jobs.collector)
                command: click.Command = importlib.import_module(f"jobs.commands.{VERBS[name]}").command
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the verbs of appealwatch are fixed")

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*VERBS, *self._loaded]))

    def __len__(self) -> int:
        return len(set(VERBS) | set(self._loaded))


@click.group(
    commands=_Verbs(),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@config_option
@click.version_option(package_name="appealwatch")
def cli() -> None:
    """appealwatch: appeal deadlines of Groeipakket decisions, reminders before they pass, reports."""


def _log_bug(exc: Exception) -> None:
    """The traceback of a bug, through the log (text or json). A database error's message is cut to its first
    line, and the errors chained to it are not shown: PostgreSQL's DETAIL would put a family's name and
    address into cron's mail."""
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


def main() -> None:
    try:
        # Without standalone mode click returns the command's exit code (`ctx.exit(code)`, `--help`,
        # `--version`) instead of leaving with it: the one `sys.exit` of a normal end is the last line.
        code = cli(prog_name="appealwatch", standalone_mode=False)
    except click.ClickException as exc:  # usage errors: exit 2, as click would
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # The reader stopped early (`appealwatch windows | head`): what it wanted, it got.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(Exit.OK)
    except click.exceptions.Abort:
        click.echo("appealwatch: aborted", err=True)
        sys.exit(Exit.INTERRUPTED)
    except Exception as exc:
        _log_bug(exc)
        sys.exit(Exit.BUG)  # never 1, which cron and the fund's scripts read as "done, some rows failed"
    sys.exit(code if isinstance(code, int) else Exit.OK)
