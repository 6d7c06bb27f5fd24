"""Benchmarks of appealwatch (`make bench`, `python -m benchmarks`): the engine, the nightly scan and the
nightly planning, on seeded synthetic data. They print figures; they assert nothing. Behaviour (which
indexes serve the scan, how many rows it reads) is asserted by tests/test_scan_plan.py, never durations.

- `benchmarks.synthetic`: a seeded, vectorised history of decisions, appeals and complaints, as engine frames
  or as rows for the fund's five tables.
- `benchmarks.plans`: what the database planner does with sql/scan_decisions.sql (SQLite and PostgreSQL).
- `benchmarks.runner`: the measurements; `benchmarks.__main__`: the command line and the table.
- `benchmarks.night`: the whole-process table of issue 11 (each command a process of its own against a plain
  read, 10x expired history, rendering and delivery rates, with their targets), written by
  `benchmarks.report` to docs/benchmarks.md; `benchmarks.floor` (the plain read), `benchmarks.launch` (peak
  RSS without /usr/bin/time) and `benchmarks.relay` (a loopback SMTP relay) serve it.
"""
