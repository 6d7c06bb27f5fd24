"""The `appealwatch` console script and `python -m jobs`: the command line of `jobs.commands`, imported with
Python's cyclic garbage collector paused (jobs.collector): its modules are objects that live as long as the
process, which the collector only scanned over and over while they were made.

Its own module, importing nothing at the top: the console script imports the module it names before it calls
`main`, so the command line's imports must come inside `main` for the pause to cover them."""

from __future__ import annotations


def main() -> None:
    from jobs.collector import collector_paused

    with collector_paused():
        from jobs.commands import main as command_line
    command_line()
