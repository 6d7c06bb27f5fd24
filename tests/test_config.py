"""Configuration: found where the contract says, validated as a whole, every error naming its key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from jobs.config import ConfigError, load_settings

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_toml_is_valid_and_has_every_contract_key() -> None:
    settings = load_settings(REPO / "config.toml", environ={})
    assert settings.database.url == f"sqlite:///{REPO / 'appealwatch.db'}"  # relative to the file
    assert settings.notifier.kind == "file" and settings.notifier.outbox_dir == "outbox"
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.security) == ("localhost", 25, "none")
    assert settings.smtp.password_env == "APPEALWATCH_SMTP_PASSWORD"
    assert settings.smtp.sender == "Infino <no-reply@infino.example>"
    assert settings.reminders.beneficiary_days == [30, 14, 7, 2]
    assert settings.reminders.advisor_days == [14, 3]
    assert settings.report.out_dir == "reports" and settings.report.recipients == []
    assert (settings.schedule.cron, settings.schedule.timezone) == ("0 2 * * *", "Europe/Brussels")


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('[smtp]\nport = "abc"\n', "smtp.port", "integer"),
        ("[smtp]\nport = 70000\n", "smtp.port", "65535"),
        (
            "[reminders]\nbeneficiary_days = [-1]\n",
            "reminders.beneficiary_days.0",
            "greater than or equal to 0",
        ),
        ("[reminders]\nadvisor_days = [3, 3]\n", "reminders.advisor_days", "distinct"),
        ('[reminders]\nfallback_language = "es"\n', "reminders.fallback_language", "'nl'"),
        ('[notifier]\nkind = "pigeon"\n', "notifier.kind", "'file' or 'smtp'"),
        ('[smtp]\nsecurity = "tls"\n', "smtp.security", "'starttls'"),
        ("[smtp]\nhots = 1\n", "smtp.hots", "unknown key"),
        ("[nonsense]\na = 1\n", "nonsense", "unknown key"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', "schedule.timezone", "unknown time zone"),
        ('[schedule]\ncron = "every night"\n', "schedule.cron", "crontab"),
        ('[report]\nrecipients = ["boss@"]\n', "report.recipients", "not a valid e-mail"),
        ('[smtp]\nsender = "nobody"\n', "smtp.sender", "not an e-mail address"),
        ("[database]\nurl = 5\n", "database.url", "string"),
    ],
)
def test_a_bad_value_is_refused_naming_its_key(tmp_path: Path, text: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    line = caught.value.problems[0]
    assert f": {key}: " in line
    assert words in line


def test_smtp_with_a_username_needs_the_password_variable_to_be_set(tmp_path: Path) -> None:
    path = write(tmp_path, '[notifier]\nkind = "smtp"\n[smtp]\nusername = "infino"\npassword_env = "AW_PW"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert "smtp.password_env" in caught.value.problems[0] and "AW_PW" in caught.value.problems[0]
    settings = load_settings(path, environ={"AW_PW": "s3cret"})
    assert settings.smtp_password == "s3cret"
    assert "s3cret" not in repr(settings)


def test_the_file_notifier_needs_no_password(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[smtp]\nusername = "infino"\n'), environ={})
    assert settings.smtp_password == ""


def test_the_database_url_comes_from_the_environment_when_set(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///file.db"\n')
    settings = load_settings(path, environ={"APPEALWATCH_DATABASE_URL": "sqlite:///env.db"})
    assert settings.database.url == "sqlite:///env.db"


def test_the_file_is_found_by_flag_then_environment_then_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    flagged = write(tmp_path / "a", '[notifier]\noutbox_dir = "from-flag"\n')
    env_file = write(tmp_path / "b", '[notifier]\noutbox_dir = "from-env"\n')
    write(tmp_path, '[notifier]\noutbox_dir = "from-cwd"\n')
    monkeypatch.chdir(tmp_path)
    env = {"APPEALWATCH_CONFIG": str(env_file)}
    assert load_settings(flagged, environ=env).notifier.outbox_dir == "from-flag"
    assert load_settings(None, environ=env).notifier.outbox_dir == "from-env"
    assert load_settings(None, environ={}).notifier.outbox_dir == "from-cwd"


def test_a_missing_named_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[notifier]\noutbox_dir = "out"\n'), environ={})
    assert settings.resolve(settings.notifier.outbox_dir) == tmp_path / "out"
    assert settings.database.url == f"sqlite:///{tmp_path.resolve() / 'appealwatch.db'}"


def test_a_database_url_from_the_environment_is_taken_as_given(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), environ={"APPEALWATCH_DATABASE_URL": "sqlite:///here.db"})
    assert settings.database.url == "sqlite:///here.db"


def test_a_missing_ca_file_is_refused_at_start(tmp_path: Path) -> None:
    path = write(tmp_path, '[notifier]\nkind = "smtp"\n[smtp]\nsecurity = "starttls"\nca_file = "nope.pem"\n')
    with pytest.raises(ConfigError, match=r"smtp\.ca_file: cannot load"):
        load_settings(path, environ={})


def test_a_password_is_never_sent_in_clear_text_to_a_remote_relay(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[notifier]\nkind = "smtp"\n[smtp]\nhost = "relay.infino.example"\nusername = "u"\n'
    )
    with pytest.raises(ConfigError, match=r"smtp\.security: 'none' with smtp\.username set"):
        load_settings(path, environ={"APPEALWATCH_SMTP_PASSWORD": "x"})


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[smtp]\nport = "abc"\n', "smtp.port"),
        ("[reminders]\nbeneficiary_days = [-1]\n", "reminders.beneficiary_days"),
    ],
)
def test_the_program_exits_2_with_one_line_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "run", "--config", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert key in lines[0]


def test_a_claim_lease_shorter_than_the_longest_send_is_refused(tmp_path: Path) -> None:
    """Otherwise a second worker could take over a message still being sent, and send it again."""
    path = write(tmp_path, '[notifier]\nkind = "smtp"\n[smtp]\ntimeout = 60.0\nmax_attempts = 5\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert "reminders.claim_lease_seconds: 1800 is shorter than the longest send" in caught.value.problems[0]
    path.write_text(path.read_text() + "[reminders]\nclaim_lease_seconds = 2500\n", encoding="utf-8")
    assert load_settings(path, environ={}).reminders.claim_lease_seconds == 2500
