"""Configuration: `config.toml` read once, validated as a whole, before any work starts.

Where the file is found (shared/contract.md section 2): `--config PATH`, else `$APPEALWATCH_CONFIG`, else
`./config.toml`. `$APPEALWATCH_DATABASE_URL` overrides `[database] url`. Secrets never live in the file:
`[smtp] password_env` names the variable that holds the password.

Every problem is reported as one line that names the key (`smtp.port: ...`), and the program exits 2: a
mistake in the file must stop the job at start, not at 2 a.m. halfway through the reminders.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

# The languages config accepts are the vocabulary's (jobs.inputs reads LANGUAGES from here).
from deadlines.vocabulary import LANGUAGES as LANGUAGES
from deadlines.vocabulary import Language
from notifiers import NOTIFIERS
from notifiers.file import FileSettings
from notifiers.smtp import SmtpSettings as SmtpSettings

DEFAULT_CONFIG = Path("config.toml")


class ConfigError(Exception):
    """The configuration cannot be used; each line of `problems` names one key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Section(BaseModel):
    # strict: TOML has real types, so "25" for a port is a mistake worth reporting, not coercing.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DatabaseSettings(_Section):
    url: str = "sqlite:///appealwatch.db"

    @field_validator("url")
    @classmethod
    def _supported_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError(f"not a database URL: {value!r}") from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"{backend!r} is not supported: use sqlite:///... or postgresql+psycopg://...")
        return value


# The kinds come from the registry in notifiers/: a channel registered there is accepted here, and an unknown
# kind fails at start (exit 2) with the known ones listed. (mypy sees a str; pydantic checks the Literal.)
if TYPE_CHECKING:
    NotifierKind = str
else:
    NotifierKind = Literal[tuple(NOTIFIERS)]


class NotifierSettings(FileSettings):
    """`[notifier]`: the channel's `kind`, beside the file channel's own keys (`outbox_dir`)."""

    kind: NotifierKind = "file"


Offsets = Annotated[list[Annotated[int, Field(ge=0, le=366)]], Field(min_length=0)]
WHO = {"beneficiary_days": "families", "advisor_days": "advisors"}


class ReminderSettings(_Section):
    beneficiary_days: Offsets = [30, 14, 7, 2]
    advisor_days: Offsets = [14, 3]
    # A beneficiary whose language is outside the four is reported as a bad row and written to in this one.
    fallback_language: Language = "nl"
    # A claimed message whose sender vanished (another machine, no heartbeat) is retried after this long.
    claim_lease_seconds: Annotated[int, Field(ge=1)] = 1800

    @field_validator("beneficiary_days", "advisor_days")
    @classmethod
    def _distinct(cls, value: list[int], info: ValidationInfo) -> list[int]:
        # Empty would silence a whole channel the rules require (families, or the advisors' digest that also
        # lists the families without e-mail), and a blanked line is a likelier cause than a wish for silence.
        if not value:
            raise ValueError(
                f"empty: {WHO[str(info.field_name)]} would never be reminded; give at least one offset "
                "(the defaults are in the README)"
            )
        if len(set(value)) != len(value):
            raise ValueError("offsets must be distinct")
        return sorted(value, reverse=True)


class ReportSettings(_Section):
    out_dir: str = "reports"
    recipients: list[str] = []
    # The supervisors' report and its mail: Dutch (the default), French or English (jobs/phrases).
    language: Literal["nl", "fr", "en"] = "nl"

    @field_validator("recipients")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        from email_validator import EmailNotValidError, validate_email

        for addr in value:
            try:
                validate_email(addr, check_deliverability=False)
            except EmailNotValidError as exc:
                raise ValueError(f"{addr!r} is not a valid e-mail address: {exc}") from None
        return value


class ScheduleSettings(_Section):
    cron: str = "0 2 * * *"
    timezone: str = "Europe/Brussels"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a crontab expression ({exc})") from None
        return value


class FundSettings(_Section):
    """How families reach the fund itself: the first of the gentler routes in every reminder."""

    name: str = "Infino"
    phone: str = ""
    email: str = ""
    website: str = ""


class MonitoringSettings(_Section):
    # healthchecks.io-style: pinged at <url>/start, <url> on success, <url>/<exit code> otherwise. Empty: off.
    ping_url: str = ""

    @field_validator("ping_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        if not value:
            return value
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            raise ValueError(f"not a URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
            raise ValueError("must be an http:// or https:// URL, e.g. https://hc-ping.com/<uuid>")
        return value


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    notifier: NotifierSettings = NotifierSettings()
    smtp: SmtpSettings = SmtpSettings()
    reminders: ReminderSettings = ReminderSettings()
    report: ReportSettings = ReportSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    fund: FundSettings = FundSettings()
    monitoring: MonitoringSettings = MonitoringSettings()

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Settings:
        """A claim must outlive the longest send, or a second worker could take the message over and send it
        again (`SmtpSettings.longest_send`)."""
        worst = self.smtp.longest_send()
        if self.notifier.kind == "smtp" and self.reminders.claim_lease_seconds < worst:
            raise ValueError(
                f"reminders.claim_lease_seconds: {self.reminders.claim_lease_seconds} is shorter than the longest "
                f"send the [smtp] settings allow ({worst:.0f} s): raise it, or lower smtp.timeout/max_attempts"
            )
        return self

    @model_validator(mode="after")
    def _no_password_in_clear(self) -> Settings:
        smtp = self.smtp
        loopback = smtp.host in ("localhost", "127.0.0.1", "::1")
        if self.notifier.kind == "smtp" and smtp.username and smtp.security == "none" and not loopback:
            raise ValueError(
                f"smtp.security: 'none' with smtp.username set would send the password to {smtp.host} in clear "
                "text: use 'starttls' or 'ssl'"
            )
        return self

    # Resolved at load time, not read from the file.
    source: str = Field(default="<defaults>", exclude=True)
    smtp_password: str = Field(default="", exclude=True, repr=False)

    def today(self) -> date:
        """Today in the configured time zone: the fund's night, not the server's."""
        return datetime.now(ZoneInfo(self.schedule.timezone)).date()

    def resolve(self, path: str) -> Path:
        """Relative paths in the file are relative to the file's folder, so cron's cwd does not matter."""
        p = Path(path)
        if p.is_absolute() or self.source == "<defaults>":
            return p
        return Path(self.source).parent / p


def _format_error(err: Any) -> str:
    """One line that starts with the key, then what is wrong with it."""
    msg = str(err["msg"]).removeprefix("Value error, ")
    if not err["loc"]:  # a check across sections names its key itself
        return msg
    key = ".".join(str(part) for part in err["loc"])
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
        if key == "smtp.password":
            msg += (
                ": the password never lives in the file; put it in an environment variable and name that "
                "variable in smtp.password_env (default APPEALWATCH_SMTP_PASSWORD)"
            )
        elif close := _close_key(err["loc"]):
            msg += f" (did you mean {close}?)"
    elif "input" in err and err["type"] != "missing":
        msg = f"{msg} (got {err['input']!r})"
    return f"{key}: {msg}"


def _close_key(loc: tuple[Any, ...]) -> str | None:
    """The known key a mistyped one most resembles, in the same section."""
    import difflib

    model: Any = Settings
    for part in loc[:-1]:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(str(part))
        model = field.annotation if field is not None else None
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    known = [name for name, f in model.model_fields.items() if not f.exclude]
    found = difflib.get_close_matches(str(loc[-1]), known, n=1)
    return ".".join([*(str(p) for p in loc[:-1]), found[0]]) if found else None


def _anchored(url: str, folder: Path) -> str:
    """A relative SQLite path in the file is relative to the file, like the other paths: cron's working
    folder must not decide where the ledger lives."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database
    if (
        parsed.get_backend_name() != "sqlite"
        or not database
        or database == ":memory:"
        or Path(database).is_absolute()
    ):
        return url
    return parsed.set(database=str((folder / database).resolve())).render_as_string(hide_password=False)


def named_config(path: str | os.PathLike[str] | None, environ: dict[str, str] | None = None) -> Path | None:
    """The file named by `--config` or `$APPEALWATCH_CONFIG`: it must exist, unlike the implicit ./config.toml."""
    env = os.environ if environ is None else environ
    if path is not None:
        return Path(path)
    if env.get("APPEALWATCH_CONFIG"):
        return Path(env["APPEALWATCH_CONFIG"])
    return None


def find_config(path: str | os.PathLike[str] | None, environ: dict[str, str] | None = None) -> Path | None:
    """The file to read; None (run on defaults) only when nothing names one and ./config.toml is absent."""
    named = named_config(path, environ)
    if named is not None:
        return named
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def load_settings(
    path: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read, override from the environment, validate; raise ConfigError with one line per problem."""
    env = dict(os.environ if environ is None else environ)
    found = find_config(path, env)
    raw: dict[str, Any] = {}
    source = "<defaults>"
    if found is not None:
        source = str(found)
        try:
            raw = tomllib.loads(found.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError([f"{found}: no such configuration file"]) from None
        except UnicodeDecodeError as exc:
            raise ConfigError([f"{found}: not valid TOML: not UTF-8 text ({exc.reason})"]) from None
        except OSError as exc:
            raise ConfigError(
                [f"{found}: cannot read the configuration file: {exc.strerror or exc}"]
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"{found}: not valid TOML: {exc}"]) from None
    if env.get("APPEALWATCH_DATABASE_URL"):
        db = raw.get("database")
        raw["database"] = {**(db if isinstance(db, dict) else {}), "url": env["APPEALWATCH_DATABASE_URL"]}
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError([f"{source}: {_format_error(e)}" for e in exc.errors()]) from None

    if found is not None and not env.get("APPEALWATCH_DATABASE_URL"):
        settings = settings.model_copy(
            update={"database": DatabaseSettings(url=_anchored(settings.database.url, found.parent))}
        )
    if settings.notifier.kind == "smtp" and settings.smtp.ca_file:
        ca = Path(settings.smtp.ca_file)
        ca = ca if ca.is_absolute() or found is None else found.parent / ca
        try:
            import ssl

            ssl.create_default_context(cafile=str(ca))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError([f"{source}: smtp.ca_file: cannot load {ca}: {exc}"]) from None
    password = ""
    needs_password = settings.notifier.kind == "smtp" and settings.smtp.username
    if needs_password:
        var = settings.smtp.password_env
        if not var:
            raise ConfigError([f"{source}: smtp.password_env: empty, but smtp.username is set"])
        if var not in env:
            raise ConfigError(
                [f"{source}: smtp.password_env: environment variable {var} is not set (smtp.username is)"]
            )
        password = env[var]
    return settings.model_copy(update={"source": source, "smtp_password": password})
