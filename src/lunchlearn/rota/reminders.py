"""What the programme needs this week: confirmations, open dates, late articles, the announcement. No I/O.

Article statuses come in as a mapping from an article's path to its status (`draft`, `ready`,
`published`, `withdrawn`, `missing` or `unreadable`), read by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import takewhile

from lunchlearn.errors import Refused
from lunchlearn.rota.model import (
    CONFIRM_WINDOW_DAYS,
    Rota,
    Session,
    SessionState,
    Settings,
    Talk,
    awaiting_confirmation,
    claim_command,
    confirmable_from,
    end_time,
    format_day,
    horizon_end,
    same_person,
    session_dates,
    session_on,
    standby_to_ask,
)

# Standby people step in at short notice: they are named for open dates this close, whatever `days`.
STANDBY_WINDOW_DAYS = 14
_DONE_STATUSES = ("published", "withdrawn")
_UNWRITTEN_STATUSES = ("draft", "missing")


def talk_to_confirm(rota: Rota, day: date | None, presenter: str, named: bool, today: date) -> Talk:
    """The talk `presenter` may confirm today (`day`, or their next talk), or Refused saying why not."""
    if day is None:
        upcoming = rota.upcoming_talks_of(presenter, today)
        if not upcoming:
            raise Refused(f"{presenter} has no upcoming talk to confirm; give the talk's date (and --name)")
        talk = upcoming[0]
    else:
        talk = rota.booked(day)
    if not same_person(talk.presenter, presenter):
        hint = "" if named else f"; to confirm it for them, pass --name {talk.presenter!r}"
        raise Refused(f"the talk on {format_day(talk.date)} is {talk.presenter}'s, not {presenter}'s{hint}")
    if talk.date < today:
        raise Refused(f"the talk on {format_day(talk.date)} is in the past; there is nothing to confirm")
    opens = confirmable_from(talk)
    if today < opens:
        raise Refused(
            f"the talk on {format_day(talk.date)} is more than {CONFIRM_WINDOW_DAYS} days away; "
            f"confirm it from {format_day(opens)} (`lunchlearn confirm {talk.date}`)"
        )
    return talk


class Due(StrEnum):
    UNCONFIRMED = "unconfirmed"
    OPEN = "open"
    DRAFT = "draft"
    UNPUBLISHED = "unpublished"


@dataclass(frozen=True)
class Reminder:
    """One thing someone should do, and the command that does it."""

    kind: Due
    date: date
    message: str
    command: str
    talk: Talk | None = None
    article_status: str | None = None


@dataclass(frozen=True)
class StandbyCall:
    """An open date in the next two weeks, and the people on standby to ask to take it."""

    date: date
    ask: tuple[str, ...]


@dataclass(frozen=True)
class Reminders:
    settings: Settings
    today: date
    days: int
    next_session: Session | None  # the first session from today that is not skipped
    due: tuple[Reminder, ...]
    standby: tuple[StandbyCall, ...] = ()


def reminders(rota: Rota, today: date, days: int, statuses: Mapping[str, str]) -> Reminders:
    """Everything due: unconfirmed talks, open dates and drafts in the next `days` days, late articles."""
    end = today + timedelta(days=days)
    week = today + timedelta(days=CONFIRM_WINDOW_DAYS)  # confirmations are due in the coming week whatever `days`
    due: list[Reminder] = []
    for session in _sessions_between(rota, today, max(end, week)):
        due += _session_reminders(session, today, statuses, session.date <= end)
    due += _unpublished(rota, today, statuses)
    return Reminders(rota.settings, today, days, next_session(rota, today), tuple(due), standby_calls(rota, today))


def standby_calls(rota: Rota, today: date) -> tuple[StandbyCall, ...]:
    """The open dates of the next two weeks that someone on standby could take, and whom to ask."""
    window = _sessions_between(rota, today, today + timedelta(days=STANDBY_WINDOW_DAYS))
    calls = (StandbyCall(s.date, standby_to_ask(rota, s.date, today)) for s in window if claim_command(s) is not None)
    return tuple(call for call in calls if call.ask)


def next_session(rota: Rota, today: date) -> Session | None:
    """The first session from today on that is not skipped, within the sign-up horizon."""
    return next((s for s in _sessions_between(rota, today, horizon_end(rota.settings, today))
                 if s.state is not SessionState.SKIPPED), None)


def _sessions_between(rota: Rota, today: date, end: date) -> list[Session]:
    dates = takewhile(lambda day: day <= end, session_dates(rota.settings, today))
    return [session_on(rota, day, today) for day in dates]


def _session_reminders(
    session: Session, today: date, statuses: Mapping[str, str], in_window: bool
) -> list[Reminder]:
    """What is due for one session; open dates and drafts only `in_window` (the days `remind` looks at)."""
    day = format_day(session.date)
    claim = claim_command(session)
    if claim is not None and in_window:
        return [Reminder(Due.OPEN, session.date, f"nobody presents on {day} yet", claim)]
    talk = session.talk
    if talk is None:
        return []
    found: list[Reminder] = []
    status = statuses.get(talk.article)
    if awaiting_confirmation(talk, today):
        message = f"{talk.presenter} has not confirmed the talk on {day} ({talk.topic})"
        found.append(Reminder(Due.UNCONFIRMED, talk.date, message, f"lunchlearn confirm {talk.date}", talk, status))
    if status in _UNWRITTEN_STATUSES and in_window:
        message = f"{talk.presenter}'s article for {day} ({talk.topic}) is still {status}"
        found.append(Reminder(Due.DRAFT, talk.date, message, f"lunchlearn write {talk.date}", talk, status))
    return found


def _unpublished(rota: Rota, today: date, statuses: Mapping[str, str]) -> list[Reminder]:
    late = today - timedelta(days=rota.settings.unpublished_after_days)
    found = []
    for talk in rota.talks:
        status = statuses.get(talk.article)
        if talk.date >= today or talk.date > late or status in _DONE_STATUSES:
            continue
        days = (today - talk.date).days
        command = f"lunchlearn {'publish' if status == 'ready' else 'ready'} {talk.date}"
        message = (
            f"{talk.presenter}'s article for {format_day(talk.date)} ({talk.topic}) is not published "
            f"{days} days after the talk (it is {status})"
        )
        found.append(Reminder(Due.UNPUBLISHED, talk.date, message, command, talk, status))
    return found


@dataclass(frozen=True)
class Announcement:
    """The week's announcement as data: the session, and what the article and settings add to it."""

    settings: Settings
    session: Session
    end_time: str  # HH:MM
    summary: str = ""
    link: str = ""
    claim: str | None = None
    article_url: str = ""  # the talk's published post


def next_programme_day(settings: Settings, today: date) -> date:
    """The next day the programme meets, today included: what `announce` announces by default."""
    return next(session_dates(settings, today))


def announcement(rota: Rota, day: date, today: date, summary: str, article_url: str) -> Announcement:
    """The announcement for `day`; `summary` and `article_url` are the talk's article's and its post's."""
    settings = rota.settings
    session = session_on(rota, day, today)
    if session.talk is None and day.weekday() != settings.weekday_number:
        raise Refused(f"{format_day(day)} is not a {settings.weekday.capitalize()}, when the programme meets")
    return Announcement(
        settings,
        session,
        end_time(settings),
        summary if session.talk is not None else "",
        settings.calendar_url,
        claim_command(session),
        article_url if session.talk is not None else "",
    )


def email_sender(settings: Settings) -> str:
    """Who the e-mails lunchlearn writes are from: settings.email_from, else the announcement list."""
    sender = settings.email_from or settings.announce_to
    if not sender:
        raise Refused(
            "e-mails need a sender: add `email_from: rota@example.com` (or `announce_to:`) under settings "
            "in schedule.yaml"
        )
    return sender


def announce_address(settings: Settings) -> str:
    if not settings.announce_to:
        raise Refused(
            "no list to announce to: add `announce_to: everyone@example.com` under settings in schedule.yaml"
        )
    return settings.announce_to
