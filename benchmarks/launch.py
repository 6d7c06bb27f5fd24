"""Run a command and write its own peak RSS (KiB) to a file; exit with its exit code. benchmarks.night runs
this (a small process of its own) when /usr/bin/time is missing: a child spawned straight from the
benchmark's large process would be charged the benchmark's resident set, not only its own.

    python -S -I benchmarks/launch.py RSS_FILE COMMAND [ARG ...]
"""

import os
import sys


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    result, command = argv[0], argv[1:]
    pid = os.posix_spawnp(command[0], command, os.environ)
    _pid, status, usage = os.wait4(pid, 0)
    with open(result, "w", encoding="utf-8") as out:
        out.write(f"{usage.ru_maxrss}\n")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
