"""The exit codes of every command, in one place (the contract's numbers; docs/operations.md explains them).

Cron, systemd and the fund's scripts read them: 1 means "done, but some rows or deliveries failed", so a bug
must never exit 1; it exits 70 (EX_SOFTWARE of sysexits.h).
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0  # done
    PARTIAL = 1  # done, but some rows or deliveries failed: the report lists them
    USAGE = 2  # bad configuration or usage, or a database that cannot be used as it is
    LOCKED = 3  # another run holds the job lock
    BUG = 70  # EX_SOFTWARE: an internal error (a bug), never 1
    INTERRUPTED = 130  # aborted at the terminal (Ctrl-C at a prompt): the shell's 128 + SIGINT
