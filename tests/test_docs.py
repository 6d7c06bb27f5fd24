"""The documentation is true to the code and self-contained: every command, option and configuration key is
documented, nothing points outside the repository, and every relative link leads to a file that exists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import pytest
from pydantic import BaseModel

from jobs.commands import cli
from jobs.config import Settings

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
DOC_FILES = [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]
ALL_DOC_FILES = [REPO / "README.md", *sorted(p for p in DOCS.rglob("*") if p.is_file())]


def _commands() -> list[str]:
    return sorted(cli.commands)


def _options(command: click.Command) -> list[str]:
    """Every option name a user can type (`--dry-run`, `-h`), and each argument's metavar."""
    names: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option):
            names += [*param.opts, *param.secondary_opts]
        elif isinstance(param, click.Argument):
            names.append(param.human_readable_name)
    return names


def _command_options() -> list[tuple[str, str]]:
    pairs = [(name, option) for name in _commands() for option in _options(cli.commands[name])]
    pairs += [("appealwatch", option) for option in _options(cli)]
    return pairs


def _config_keys(model: type[BaseModel] = Settings, prefix: str = "") -> list[str]:
    """`section.key` for every key a config.toml may hold (fields excluded from the file are not keys)."""
    keys: list[str] = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += _config_keys(annotation, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def _section(text: str, heading: str) -> str:
    """The text under a markdown heading (any level) up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, flags=re.MULTILINE)
    assert match, f"no heading {heading!r}"
    level = len(match.group(1))
    rest = text[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.MULTILINE)
    return rest[: end.start()] if end else rest


def test_the_collectors_see_the_whole_cli_and_settings() -> None:
    """Guard for the tests below: they must walk the real group and model, not an empty list."""
    assert {"init-db", "run", "windows", "explain", "deliver", "runs"} <= set(_commands())
    assert ("run", "--dry-run") in _command_options()
    assert ("explain", "DECISION_ID") in _command_options()
    assert {"database.url", "smtp.password_env", "reminders.claim_lease_seconds"} <= set(_config_keys())
    assert "source" not in _config_keys() and "smtp_password" not in _config_keys()


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_its_section_in_commands_md(command: str) -> None:
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    assert f"## `appealwatch {command}`" in text, (
        f"docs/commands.md has no section for `appealwatch {command}`"
    )


@pytest.mark.parametrize(("command", "option"), _command_options())
def test_every_option_is_in_commands_md(command: str, option: str) -> None:
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    where = text if command == "appealwatch" else _section(text, f"`appealwatch {command}`")
    # --config and --on are described once for all commands; each command's section still shows them.
    assert re.search(rf"`[^`]*{re.escape(option)}\b", where), (
        f"docs/commands.md: the section of {command} does not mention {option}"
    )


@pytest.mark.parametrize("key", _config_keys())
def test_every_config_key_is_in_configuration_md(key: str) -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    section, name = key.split(".")
    assert f"| `{name}` |" in _section(text, f"`[{section}]`"), (
        f"docs/configuration.md: no row for `{name}` under `[{section}]`"
    )


@pytest.mark.parametrize("key", _config_keys())
def test_every_config_key_is_in_the_shipped_config_toml(key: str) -> None:
    shipped = tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8"))
    section, name = key.split(".")
    assert name in shipped.get(section, {}), f"config.toml lacks [{section}] {name}"


def test_the_shipped_config_toml_is_valid_and_holds_no_unknown_key() -> None:
    Settings.model_validate(tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", ALL_DOC_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_document_points_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "shared/" not in text and "../shared" not in text, (
        f"{path.name} refers to shared/, outside the repository"
    )


def _links(text: str) -> list[str]:
    """Targets of inline markdown links and images, code spans and fenced blocks left out."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.findall(r"\]\(([^)\s]+)\)", text)


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a markdown file's headings."""
    anchors = set()
    for heading in re.findall(r"^#+ (.+?)\s*$", path.read_text(encoding="utf-8"), flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_points_at_a_file_that_exists(path: Path) -> None:
    for link in _links(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", link):  # http:, https:, mailto:
            continue
        target, _, anchor = link.partition("#")
        resolved = (path.parent / target).resolve() if target else path
        assert resolved.exists(), f"{path.relative_to(REPO)}: link {link!r} points at nothing"
        assert resolved.is_relative_to(REPO), f"{path.relative_to(REPO)}: link {link!r} leaves the repository"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), f"{path.relative_to(REPO)}: no heading for {link!r}"


def test_the_readme_links_every_document() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for doc in sorted(DOCS.glob("*.md")):
        if doc.name != "README.md":
            assert f"(docs/{doc.name})" in readme, f"README.md does not link docs/{doc.name}"
