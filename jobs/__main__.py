"""`python -m jobs` is the same as the `appealwatch` console script."""

from jobs.cli import main

main()
