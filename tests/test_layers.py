"""Every module of `jobs` has its place in the import layers of pyproject.toml (checked by `lint-imports` in
`make check`): a module left out of the contract could import anything, and the layering would hold in name
only."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOT_CODE = {"__init__", "__main__", "migrations", "_data"}


def test_every_module_of_jobs_is_in_a_layer() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    [jobs_layers] = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["type"] == "layers" and "containers" not in c
    ]
    placed = {name.strip() for layer in jobs_layers["layers"] for name in layer.split("|")}
    modules = {
        f"jobs.{p.stem}"
        for p in (REPO / "jobs").iterdir()
        if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())) and p.stem not in NOT_CODE
    }
    assert modules, "found no module: the test would prove nothing"
    assert modules - placed == set(), "modules without a layer in [tool.importlinter]"
