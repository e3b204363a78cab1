"""The rota as frozen dataclasses and its pure rules: dates, slots, notice and limits. No I/O."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache, cached_property, lru_cache

from lunchlearn.errors import BadInput, Refused

SCHEDULE = "schedule.yaml"  # the rota, in its folder
TALKS_DIR = "talks"  # the articles, and the feedback on each talk
FEEDBACK_SUFFIX = ".feedback.yaml"  # a talk's feedback file: its date, then this
MERGE_DRIVER = "lunchlearn"  # the git merge driver that .gitattributes names for the files many clones write
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ARTICLE_STATUSES = ("draft", "ready", "published", "withdrawn")
PLACEHOLDER_PREFIX = "TODO:"
DEFAULT_TOPIC = "Topic to be announced"
# The outline a sign-up's article starts with; `ready` refuses an article that still has a placeholder.
OUTLINE = (
    ("In one paragraph", "Say what the talk is about and who it is for."),
    ("What you will learn", "Three to five points a reader takes away."),
    ("The details", "The main content: explanations, examples and pictures (keep images beside this file)."),
    ("Further reading", "Links for readers who want to go deeper."),
)
_HH_MM = re.compile(r"(?:[01]?\d|2[0-3]):[0-5]\d")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UTC_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_DATED_NAME = re.compile(r"\A\d{4}-\d{2}-\d{2}-")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
# Bounds that keep every date computed from the settings inside the calendar.
INT_LIMITS = {"lead_weeks": (0, 520), "horizon_weeks": (1, 520), "max_upcoming": (1, 100),
              "duration_minutes": (1, 24 * 60), "min_words": (0, 100_000)}
INT_LIMITS |= {"remind_days": (1, 366), "unpublished_after_days": (0, 3650)}
# Line breaks (YAML's and Python's, NEL among them) and other control characters.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The dates lunchlearn reads and writes; "today" leaves room for the longest horizon after it, so
# every date a command computes is one it can read back.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(8999, 12, 31)


@dataclass(frozen=True)
class Settings:
    """The programme's settings; every one has a default so a minimal schedule.yaml works."""

    title: str = "Lunch and learn"
    weekday: str = "friday"
    time: str = "13:00"
    duration_minutes: int = 45
    room: str = "Main meeting room"
    timezone: str = "UTC"
    lead_weeks: int = 2
    horizon_weeks: int = 12
    max_upcoming: int = 1
    min_words: int = 300  # an article shorter than this is not ready to publish
    site: str = ""  # path of the company site's git repository, for `publish`
    sync: str = "auto"  # `auto`: writing commands sync with the upstream; `manual`: only `sync` does
    # Settings most rotas never change are written to schedule.yaml only once they differ from the default.
    remind_days: int = field(default=14, metadata={"written": "when changed"})  # how far ahead `remind` looks
    # `remind` flags an article still unpublished this many days after its talk
    unpublished_after_days: int = field(default=7, metadata={"written": "when changed"})
    announce_to: str = ""  # the list address `announce --format email` writes to
    email_from: str = ""  # the sender of `remind`/`announce` e-mails (default: announce_to)
    calendar_url: str = ""  # where people find the programme's calendar, for announcements
    site_url: str = ""  # the site's public address, from which `publish` works out each post's URL

    @property
    def weekday_number(self) -> int:
        return WEEKDAYS.index(self.weekday)


SETTING_NAMES = tuple(f.name for f in fields(Settings))
SYNC_MODES = ("auto", "manual")


@dataclass(frozen=True)
class Skip:
    date: date
    reason: str


# A talk's confirmation: the day its presenter confirmed it, True when the rota says only `true`, or False.
Confirmation = date | bool


@dataclass(frozen=True)
class HolidayRegion:
    """Whose public holidays the programme takes off: a country code and, optionally, a subdivision."""

    country: str
    subdiv: str = ""

    @property
    def code(self) -> str:
        """As people write it: `GB-ENG`, or `DE` for a whole country."""
        return f"{self.country}-{self.subdiv}" if self.subdiv else self.country


@dataclass(frozen=True)
class Talk:
    date: date
    presenter: str
    topic: str
    article: str
    email: str = ""
    # The calendar event's identity and revision, so subscribers' calendars update in place:
    # `uid` is written at sign-up and survives moves; `sequence` and `changed` (UTC, ISO 8601) move
    # on whenever what the event shows changes (see rota/revisions.py).
    uid: str = ""
    sequence: int = 0
    changed: str = ""
    # Where the entry and each of its values sit in schedule.yaml, for messages (see `place`); not part
    # of the talk's identity. Flat, the keys' tuple shared between talks: a write may load every talk,
    # and a tuple per value made half the memory of 10,000 talks.
    line: int | None = field(default=None, compare=False, repr=False)
    keys: tuple[str, ...] = field(default=(), compare=False, repr=False)
    spots: tuple[int, ...] = field(default=(), compare=False, repr=False)  # per key: lines below `line`, column
    confirmed: Confirmation = False

    def place(self, key: str) -> tuple[int, int]:
        """Line and column of one of the entry's values in schedule.yaml; the entry's line when not known."""
        if self.line is None or key not in self.keys:
            return self.line or 1, 1
        at = 2 * self.keys.index(key)
        return self.line + self.spots[at], self.spots[at + 1]


@dataclass(frozen=True)
class Cancelled:
    """A talk withdrawn or skipped lately: its calendar event stays, cancelled, so calendars drop it."""

    uid: str
    date: date
    presenter: str
    topic: str
    sequence: int
    changed: str


@dataclass(frozen=True)
class PublishOptions:
    """The `publish:` section of schedule.yaml, for sites whose theme names things differently."""

    # Keys lunchlearn stamps on every post it writes, so no article key may be renamed onto them.
    STAMP_KEYS = ("lunchlearn_source", "lunchlearn_digest", "lunchlearn_files")

    # article front-matter key -> the site's keys: none leaves that field out, several repeat it
    front_matter: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Rota:
    settings: Settings = Settings()
    skips: tuple[Skip, ...] = ()
    talks: tuple[Talk, ...] = ()
    publish: PublishOptions = PublishOptions()
    cancelled: tuple[Cancelled, ...] = ()
    holidays: HolidayRegion | None = None
    people: tuple[str, ...] = ()  # everyone in the programme, for `suggest`, besides those who presented
    standby: tuple[str, ...] = ()  # people willing to step in at short notice
    # The region's holidays that fall on the programme's weekday, over the dates a command looks at:
    # worked out from `holidays` (rota.public_holidays), never written to the file.
    public_holidays: tuple[Skip, ...] = field(default=(), compare=False, repr=False)
    # Set when the talks before this day were left out (a kept rota loaded in part, git/readcache): such a
    # rota is written only by an edit of the talks it holds, never as the whole rota (schedule_file).
    talks_since: date | None = field(default=None, repr=False)

    def talk_on(self, day: date) -> Talk | None:
        return self._talk_by_date.get(day)

    def booked(self, day: date) -> Talk:
        """The talk on `day`, or Refused naming the dates that are booked."""
        talk = self.talk_on(day)
        if talk is None:
            booked = ", ".join(t.date.isoformat() for t in self.talks) or "none"
            raise Refused(f"nobody is signed up for {format_day(day)}; booked dates: {booked}")
        return talk

    def skip_on(self, day: date) -> Skip | None:
        """The skipped date or public holiday on `day`; a skip written in the rota comes first."""
        return self._skip_by_date.get(day)

    def talks_of(self, presenter: str) -> tuple[Talk, ...]:
        """`presenter`'s talks, however the name is typed, in the rota's order."""
        return self._talks_by_person.get(person_key(presenter), ())

    # Indexes built on first use, so that looking up every date or person of a long rota is not a scan
    # of every talk each time. Reversed, so the first entry on a date is kept, as a scan would find it.
    @cached_property
    def _talk_by_date(self) -> dict[date, Talk]:
        return {t.date: t for t in reversed(self.talks)}

    @cached_property
    def _skip_by_date(self) -> dict[date, Skip]:
        return {s.date: s for s in reversed((*self.skips, *self.public_holidays))}

    @cached_property
    def _talks_by_person(self) -> dict[str, tuple[Talk, ...]]:
        return {key: tuple(talks) for key, talks in talks_by_person(self.talks).items()}

    def with_older_talks(self, whole: Rota) -> Rota:
        """This rota, left out before `talks_since`, with the talks `whole` (the same file) has before then."""
        if self.talks_since is None:
            return self
        since = self.talks_since
        return replace(self, talks=(*(t for t in whole.talks if t.date < since), *self.talks), talks_since=None)

    def with_talk(self, talk: Talk) -> Rota:
        return replace(self, talks=tuple(sorted((*self.talks, talk), key=lambda t: t.date)))

    def without_talk(self, day: date) -> Rota:
        return replace(self, talks=tuple(t for t in self.talks if t.date != day))

    def upcoming_talks_of(self, presenter: str, today: date) -> list[Talk]:
        return [t for t in self.talks_of(presenter) if t.date >= today]

    def with_skip(self, skip: Skip) -> Rota:
        return replace(self, skips=tuple(sorted((*self.skips, skip), key=lambda s: s.date)))

    def without_skip(self, day: date) -> Rota:
        return replace(self, skips=tuple(s for s in self.skips if s.date != day))


@dataclass(frozen=True)
class FileChange:
    """One file a write plans to change, by its path in its repository; None: absent, or deleted."""

    path: str
    before: str | bytes | None
    after: str | bytes | None


class SessionState(StrEnum):
    BOOKED = "booked"
    OPEN = "open"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Session:
    """One programme date as people see it: booked, open or skipped."""

    date: date
    state: SessionState
    talk: Talk | None = None
    skip: Skip | None = None
    claimable: bool = False  # open and within the horizon
    short_notice: bool = False  # open but closer than the notice period


# A presenter confirms their talk in the week before it, when plans are firm enough to say so.
CONFIRM_WINDOW_DAYS = 7


UID_DOMAIN = "lunchlearn"


def event_uid(talk: Talk) -> str:
    """The talk's calendar UID as stored; a talk from before UIDs were stored gets one from its date and
    presenter."""
    return talk.uid or _derived_uid(talk.date, talk.presenter)


@cache  # a long history has thousands of talks without a stored UID, asked for twice each
def _derived_uid(day: date, presenter: str) -> str:
    import hashlib  # only for talks without a stored UID, which most reads never look at

    digest = hashlib.sha256(f"{day.isoformat()}\n{presenter.casefold()}".encode()).hexdigest()
    return f"{digest[:32]}@{UID_DOMAIN}"


def is_confirmed(talk: Talk) -> bool:
    return talk.confirmed is not False


def awaiting_confirmation(talk: Talk, today: date) -> bool:
    """A talk in the coming week whose presenter has not said it is on."""
    return not is_confirmed(talk) and 0 <= (talk.date - today).days <= CONFIRM_WINDOW_DAYS


def confirmable_from(talk: Talk) -> date:
    return talk.date - timedelta(days=CONFIRM_WINDOW_DAYS)


def claim_command(session: Session) -> str | None:
    """The sign-up command that claims an open session, or None when it cannot be claimed."""
    if session.state is not SessionState.OPEN or not session.claimable:
        return None
    command = f"lunchlearn signup --date {session.date.isoformat()}"
    return f"{command} --short-notice" if session.short_notice else command


def same_person(a: str, b: str) -> bool:
    """One person however the name was typed: case, spacing and Unicode forms aside."""
    return person_key(a) == person_key(b)


@lru_cache(maxsize=4096)  # a rota spells a few dozen names thousands of times
def person_key(name: str) -> str:
    """A name as people are compared: case, spacing and Unicode forms aside."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def talks_by_person(talks: Iterable[Talk]) -> dict[str, list[Talk]]:
    """`talks` by their presenter's person_key, each person's in the order given."""
    grouped: dict[str, list[Talk]] = defaultdict(list)
    for talk in talks:
        grouped[person_key(talk.presenter)].append(talk)
    return dict(grouped)


def plural(count: int, noun: str) -> str:
    """`1 article`, `3 articles`: counts in messages read as a person would write them."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def end_time(settings: Settings) -> str:
    """When a session ends, HH:MM: its start plus its duration (wrapping past midnight)."""
    hours, minutes = (int(part) for part in settings.time.split(":"))
    end = (hours * 60 + minutes + settings.duration_minutes) % (24 * 60)
    return f"{end // 60:02d}:{end % 60:02d}"


def time_ago(day: date, today: date) -> str:
    """`today`, `yesterday`, `4 days ago`, `3 weeks ago` (whole weeks): how long ago `day` was."""
    days = (today - day).days
    if days >= 7:
        return f"{plural(days // 7, 'week')} ago"
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


def format_day(day: date) -> str:
    """`Fri 4 Dec 2026`: the form used in messages and commit messages."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def iso_date(text: str) -> date | None:
    """The date written YYYY-MM-DD (no week dates, no compact forms) within the dates lunchlearn handles."""
    try:
        return parse_date(text)
    except BadInput:
        return None


def parse_date(text: str, what: str = "date") -> date:
    value = text.strip()
    try:
        day = date.fromisoformat(value) if _ISO_DATE.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        raise BadInput(f"{what} {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-12-04")
    if not FIRST_DATE <= day <= LAST_DATE:
        raise BadInput(f"{what} {text!r} is outside the dates lunchlearn handles ({FIRST_DATE} to {LAST_DATE})")
    return day


def check_today(day: date, what: str) -> date:
    """`day` as today, refused when a date up to the longest horizon after it would be out of range."""
    latest = LAST_DATE - timedelta(weeks=INT_LIMITS["horizon_weeks"][1] + 1)
    if day > latest:
        raise BadInput(
            f"{what} {day} is too late: lunchlearn plans up to {INT_LIMITS['horizon_weeks'][1]} weeks ahead "
            f"and handles dates up to {LAST_DATE}, so today must be {latest} or earlier"
        )
    return day


def parse_weekday(text: str) -> str:
    """Accept `Friday`, `friday` or `fri`."""
    wanted = text.strip().lower()
    for day in WEEKDAYS:
        if wanted in (day, day[:3]):
            return day
    raise BadInput(f"unknown weekday {text!r}; use one of {', '.join(WEEKDAYS)}")


def check_time(text: str) -> str:
    if not _HH_MM.fullmatch(text.strip()):
        raise BadInput(f"time {text!r} is not HH:MM (24-hour), e.g. 12:30")
    return text.strip().zfill(5)


def check_timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            f"unknown time zone {name!r}; use an IANA name such as Europe/London"
        ) from None
    return name


def check_text(value: str, what: str) -> str:
    """Names and topics are stored exactly as typed, but must be one non-empty line."""
    text = value.strip()
    if not text:
        raise BadInput(f"{what} is empty; give some text")
    return check_one_line(text, what)


def check_one_line(value: str, what: str) -> str:
    """Text shown in a table row, a message or a commit subject: no line break or control character."""
    if _CONTROL.search(value):
        raise BadInput(f"{what} {value!r} contains a line break or control character; use one line")
    return value


def check_timestamp(text: str, what: str) -> str:
    """A moment in UTC written `YYYY-MM-DDTHH:MM:SSZ`, as a talk's `changed` is stored."""
    if not _UTC_STAMP.fullmatch(text):
        raise BadInput(f"{what} {text!r} is not a UTC time written YYYY-MM-DDTHH:MM:SSZ")
    try:
        datetime.fromisoformat(text)  # the pattern holds; this checks the day and time exist
    except ValueError:
        raise BadInput(f"{what} {text!r} is not a real time") from None
    return text


def check_email(value: str) -> str:
    text = value.strip()
    if text and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", text):
        raise BadInput(f"e-mail address {value!r} does not look like name@example.com")
    return text


_HTTP_ADDRESS = re.compile(r"https?://[^\s<>\"]+")


def is_http_address(text: str) -> bool:
    return _HTTP_ADDRESS.fullmatch(text) is not None


def check_setting(name: str, value: object) -> None:
    """Validate one setting's value, raising BadInput that names it."""
    if name in INT_LIMITS:
        low, high = INT_LIMITS[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise BadInput(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    elif name == "weekday":
        parse_weekday(str(value))
    elif name == "time":
        check_time(str(value))
    elif name == "timezone":
        check_timezone(str(value))
    elif name in ("title", "room"):
        check_text(str(value), name)
    elif name == "site":
        check_one_line(str(value), name)
    elif name in ("announce_to", "email_from"):
        check_email(str(value))
    elif name == "calendar_url" and value and not is_http_address(str(value)):
        raise BadInput(f"calendar_url must be an http(s) address such as https://example.com/talks.ics, not {value!r}")
    elif name == "site_url" and value and not is_http_address(str(value)):
        raise BadInput(f"site_url must be an http(s) address such as https://example.com/blog, not {value!r}")
    elif name == "sync" and value not in SYNC_MODES:
        raise BadInput(f"sync must be one of {', '.join(SYNC_MODES)}, not {value!r}")


def check_settings(settings: Settings) -> Settings:
    """Validate values that came from a person (init options or a hand-edited file)."""
    for name in SETTING_NAMES:
        check_setting(name, getattr(settings, name))
    if settings.horizon_weeks < settings.lead_weeks:
        raise BadInput(
            f"horizon_weeks ({settings.horizon_weeks}) is shorter than lead_weeks "
            f"({settings.lead_weeks}): no date could ever be claimed"
        )
    return settings


def slugify(text: str) -> str:
    """A short ASCII slug for file names; `talk` when nothing of the text is ASCII."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "talk"


def check_slug(slug: str) -> str:
    """A `slug:` an author chose: it names the post's file in the site, so it must be a plain name."""
    if not _SLUG.fullmatch(slug):
        raise BadInput(
            f"slug {slug!r} must be lowercase letters, digits and hyphens (such as {slugify(slug)!r}), "
            "as it names the post's file in the site"
        )
    return slug


def file_slug(path: str) -> str:
    """The slug an article's file name gives it: the name without its date and extension."""
    return slugify(_DATED_NAME.sub("", path.rsplit("/", 1)[-1].removesuffix(".md")))


def article_path_for(day: date, topic: str, taken: set[str]) -> str:
    """`talks/YYYY-MM-DD-<slug>.md` with a slug no file in `taken` has on any date.

    The slug names the published post, so two talks on one topic must not share it.
    """
    base = slugify(topic)
    # Every slug tried starts with the topic's first word: an ASCII name without it cannot clash, and
    # a long history's thousand names are slugified only where they might.
    first = base.split("-", 1)[0]
    used = {file_slug(name) for name in taken if first in name.lower() or not name.isascii() or base == "talk"}
    slug, number = base, 2
    while slug in used:
        slug, number = f"{base}-{number}", number + 1
    return f"talks/{day.isoformat()}-{slug}.md"


def session_dates(settings: Settings, start: date) -> Iterator[date]:
    """The programme's weekdays from `start` (inclusive) onwards."""
    day = start + timedelta(days=(settings.weekday_number - start.weekday()) % 7)
    while True:
        yield day
        day += timedelta(days=7)


def earliest_signup(settings: Settings, today: date) -> date:
    return today + timedelta(weeks=settings.lead_weeks)


def horizon_end(settings: Settings, today: date) -> date:
    return today + timedelta(weeks=settings.horizon_weeks)


def session_on(rota: Rota, day: date, today: date) -> Session:
    talk = rota.talk_on(day)
    if talk is not None:
        return Session(day, SessionState.BOOKED, talk=talk)
    skip = rota.skip_on(day)
    if skip is not None:
        return Session(day, SessionState.SKIPPED, skip=skip)
    claimable = today <= day <= horizon_end(rota.settings, today)
    short = claimable and day < earliest_signup(rota.settings, today)
    return Session(day, SessionState.OPEN, claimable=claimable, short_notice=short)


def upcoming_sessions(rota: Rota, today: date, count: int) -> list[Session]:
    dates = session_dates(rota.settings, today)
    return [session_on(rota, next(dates), today) for _ in range(count)]


def open_slots(rota: Rota, today: date) -> list[Session]:
    """Every open date from today to the horizon, short-notice ones flagged."""
    end = horizon_end(rota.settings, today)
    slots: list[Session] = []
    for day in session_dates(rota.settings, today):
        if day > end:
            return slots
        session = session_on(rota, day, today)
        if session.state is SessionState.OPEN:
            slots.append(session)
    return slots


def date_refusal(rota: Rota, day: date, today: date, short_notice: bool) -> str | None:
    """Why nobody may sign up for `day`, or None when it is open to claim."""
    settings = rota.settings
    if day.weekday() != settings.weekday_number:
        return f"{format_day(day)} is not a {settings.weekday.capitalize()}"
    if day < today:
        return f"{format_day(day)} is in the past"
    skip = rota.skip_on(day)
    if skip is not None:
        return f"{format_day(day)} is skipped ({skip.reason})"
    talk = rota.talk_on(day)
    if talk is not None:
        return f"{format_day(day)} is already taken by {talk.presenter} ({talk.topic})"
    if day > horizon_end(settings, today):
        end = horizon_end(settings, today)
        last = end - timedelta(days=(end.weekday() - settings.weekday_number) % 7)
        return (
            f"{format_day(day)} is beyond the {settings.horizon_weeks}-week horizon; "
            f"the last date open to sign up for is {format_day(last)}"
        )
    if day < earliest_signup(settings, today) and not short_notice:
        return (
            f"{format_day(day)} is less than {settings.lead_weeks} weeks away; "
            "pass --short-notice if you are sure you can prepare in time"
        )
    return None


def limit_refusal(rota: Rota, presenter: str, today: date) -> str | None:
    """Why `presenter` may not take another slot, or None."""
    # A talk whose week became a holiday or was skipped does not use up the person's turn.
    held = [t for t in rota.upcoming_talks_of(presenter, today) if rota.skip_on(t.date) is None]
    limit = rota.settings.max_upcoming
    if len(held) < limit:
        return None
    dates = ", ".join(format_day(t.date) for t in held)
    return (
        f"{held[0].presenter} already holds {plural(len(held), 'upcoming slot')} ({dates}) and the limit is "
        f"{limit}; withdraw one first"
    )


def standby_to_ask(rota: Rota, day: date, today: date, leaving: str = "") -> tuple[str, ...]:
    """Who on the standby list to ask for `day` when it is open: not the person `leaving` it, nobody at
    their limit."""
    if session_on(rota, day, today).state is not SessionState.OPEN:
        return ()
    return tuple(
        name
        for name in rota.standby
        if not (leaving and same_person(name, leaving)) and limit_refusal(rota, name, today) is None
    )


def nearby_open_dates_hint(rota: Rota, day: date, today: date, short_notice: bool, limit: int = 3) -> str:
    """`open dates nearby: ...`: the open dates closest to `day`, in calendar order."""
    candidates = [s.date for s in open_slots(rota, today) if short_notice or not s.short_notice]
    nearest = sorted(sorted(candidates, key=lambda d: (abs((d - day).days), d))[:limit])
    if not nearest:
        return "no date is open within the horizon"
    return "open dates nearby: " + ", ".join(d.isoformat() for d in nearest)


def check_signup(rota: Rota, day: date, presenter: str, today: date, short_notice: bool) -> None:
    """Raise Refused, naming the nearest open dates, unless `presenter` may take `day`."""
    reason = date_refusal(rota, day, today, short_notice)
    if reason is not None:
        raise Refused(f"{reason}; {nearby_open_dates_hint(rota, day, today, short_notice)}")
    reason = limit_refusal(rota, presenter, today)
    if reason is not None:
        raise Refused(reason)


def first_open_date(rota: Rota, presenter: str, today: date) -> date:
    """The first date `presenter` may claim with full notice."""
    reason = limit_refusal(rota, presenter, today)
    if reason is not None:
        raise Refused(reason)
    for session in open_slots(rota, today):
        if not session.short_notice:
            return session.date
    raise Refused(
        f"no date is open between {format_day(earliest_signup(rota.settings, today))} and "
        f"{format_day(horizon_end(rota.settings, today))}; try --date with --short-notice"
    )



def article_path_on(path: str, day: date) -> str:
    """The article file `path` renamed for a talk on `day`: its date prefix changed, the rest of its name kept."""
    folder, _, name = path.rpartition("/")
    return f"{folder}/{day.isoformat()}-{_DATED_NAME.sub('', name)}"


def move_refusal(rota: Rota, talk: Talk, target: date, today: date, short_notice: bool, published: bool) -> str | None:
    """Why `talk` may not move to `target`, naming the nearest open dates when the target is the problem."""
    settings = rota.settings
    if published:
        return (
            f"the talk on {format_day(talk.date)} is published; a published talk cannot move "
            "(its post's date and links would no longer match)"
        )
    if talk.date < today:
        return f"the talk on {format_day(talk.date)} is in the past; history is kept as it is"
    if target == talk.date:
        return f"{talk.presenter}'s talk is already on {format_day(target)}"
    if talk.date < earliest_signup(settings, today) and not short_notice:
        return (
            f"{talk.presenter}'s talk on {format_day(talk.date)} is less than {settings.lead_weeks} weeks away, "
            "so moving it leaves that date short of notice; pass --short-notice if that is agreed"
        )
    reason = date_refusal(rota, target, today, short_notice)
    if reason is None:
        return None
    return f"{reason}; {nearby_open_dates_hint(rota, target, today, short_notice)}"


def moved(rota: Rota, day: date, target: date) -> Rota:
    """The rota with the talk on `day` moved to `target`, its article renamed for the new date."""
    return rota.without_talk(day).with_talk(_on_new_date(rota.booked(day), target))


def swapped(rota: Rota, first: date, second: date) -> Rota:
    """The rota with the talks on `first` and `second` exchanged, each article renamed for its new date."""
    one, other = rota.booked(first), rota.booked(second)
    exchanged = rota.without_talk(first).without_talk(second)
    return exchanged.with_talk(_on_new_date(one, second)).with_talk(_on_new_date(other, first))


def _on_new_date(talk: Talk, target: date) -> Talk:
    # A confirmation was for the old date: the presenter confirms the new one in its own week. The event
    # moves with the talk: one from before UIDs were stored gets the UID it had written.
    return replace(talk, date=target, article=article_path_on(talk.article, target), confirmed=False,
                   uid=event_uid(talk))


def swap_refusal(rota: Rota, first: date, second: date, today: date, short_notice: bool,
                 published: set[date]) -> str | None:
    """Why the talks on `first` and `second` may not exchange dates: each must be free to move to the other's."""
    one, other = rota.booked(first), rota.booked(second)
    if first == second:
        return f"both dates are {format_day(first)}; name two different talks"
    for talk, target in ((one, second), (other, first)):
        reason = move_refusal(rota.without_talk(target), talk, target, today, short_notice, talk.date in published)
        if reason is not None:
            return reason
    return None


def skip_refusal(rota: Rota, day: date, today: date) -> str | None:
    """Why `day` cannot be skipped (a talk on it is the caller's to move or withdraw first)."""
    settings = rota.settings
    if day.weekday() != settings.weekday_number:
        return f"{format_day(day)} is not a {settings.weekday.capitalize()}, so there is no session to skip"
    if day < today:
        return f"{format_day(day)} is in the past; history is kept as it is"
    skip = rota.skip_on(day)
    if skip is not None:
        return f"{format_day(day)} is already skipped ({skip.reason})"
    return None


def skip_to_lift(rota: Rota, day: date, today: date) -> Skip:
    """The skip written on `day` that `unskip` lifts; Refused when `day` is not skipped, is past, or is
    skipped only as a public holiday."""
    skip = rota.skip_on(day)
    if skip is None:
        listed = ", ".join(s.date.isoformat() for s in rota.skips) or "none"
        raise Refused(f"{format_day(day)} is not skipped; skipped dates: {listed}")
    if day < today:
        raise Refused(f"{format_day(day)} is in the past; history is kept as it is")
    written = next((s for s in rota.skips if s.date == day), None)
    if written is None:
        region = f" of the holidays: region {rota.holidays.code}" if rota.holidays else ""
        raise Refused(f"{format_day(day)} is a public holiday ({skip.reason}){region}, and lunchlearn skips every one")
    return written
