"""`python -m jobs` is the same as the `appealwatch` console script."""

from jobs.commands import main

main()
