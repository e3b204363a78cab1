"""The reading use cases that list the rota: its sessions (`next`, `schedule`, `slots`) and who is on standby.

They load only the kept rota (git/readcache) and the model: no YAML parser while the rota is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lunchlearn.git import readcache
from lunchlearn.rota import model
from lunchlearn.rota.model import Rota, Session, SessionState, Settings
from lunchlearn.usecases.workspace import reading_rota


@dataclass(frozen=True)
class SessionView:
    """A session with what people want to know about it: days to go and the article's status."""

    session: Session
    days_to_go: int
    article_status: str | None = None
    needs_attention: bool = False  # a draft inside the notice period, or a past talk still unpublished
    unconfirmed: bool = False  # in the coming week and its presenter has not confirmed it


@dataclass(frozen=True)
class Listing:
    """Sessions to show, with the settings of the programme they belong to (its title, time and room)."""

    settings: Settings
    views: list[SessionView]


def _view(settings: Settings, session: Session, day: date, statuses: dict[str, tuple[str, Any]]) -> SessionView:
    if session.talk is None:
        return SessionView(session, (session.date - day).days)
    status = statuses[session.talk.article][0]
    days_to_go = (session.date - day).days
    late_draft = 0 <= days_to_go < settings.lead_weeks * 7 and status in ("draft", "missing")
    unpublished = days_to_go < 0 and status not in ("published", "withdrawn")
    unconfirmed = model.awaiting_confirmation(session.talk, day)
    return SessionView(session, days_to_go, status, needs_attention=late_draft or unpublished, unconfirmed=unconfirmed)


def _listing(root: Path, rota: Rota, sessions: list[Session], day: date) -> Listing:
    statuses = readcache.article_facts(root, [s.talk.article for s in sessions if s.talk is not None])
    return Listing(rota.settings, [_view(rota.settings, s, day, statuses) for s in sessions])


def next_sessions(repo: Path | None, count: int) -> Listing:
    root, rota, day = reading_rota(repo, since=lambda today: today)
    # `--count` may reach past the horizon
    rota = readcache.with_holidays(root, rota, day, until=day + timedelta(weeks=count))
    return _listing(root, rota, model.upcoming_sessions(rota, day, count), day)


def schedule(repo: Path | None, past: bool) -> Listing:
    """Booked and skipped dates: upcoming ones, or with `past` the history, latest first."""
    root, rota, day = reading_rota(repo, since=None if past else lambda today: today)
    # Sessions only on the side of today asked for: not one per talk of a long history to show a few weeks.
    entries = [model.Session(t.date, SessionState.BOOKED, talk=t) for t in rota.talks if (t.date < day) == past]
    entries += [model.Session(s.date, SessionState.SKIPPED, skip=s) for s in rota.skips if (s.date < day) == past]
    end = model.horizon_end(rota.settings, day)
    listed = {s.date for s in entries}  # a talk or a written skip on a holiday is shown as it is
    entries += [
        model.Session(h.date, SessionState.SKIPPED, skip=h)
        for h in rota.public_holidays
        if day <= h.date <= end and h.date not in listed
    ]
    chosen = [s for s in entries if (s.date < day) == past]
    chosen.sort(key=lambda s: s.date, reverse=past)
    return _listing(root, rota, chosen, day)


def open_slots(repo: Path | None) -> Listing:
    root, rota, day = reading_rota(repo, since=lambda today: today)
    return _listing(root, rota, model.open_slots(rota, day), day)


def standby_list(repo: Path | None) -> tuple[str, ...]:
    return reading_rota(repo, since=lambda today: today)[1].standby  # the list, not the history
