"""Reading use cases that tell people what is coming: `remind` and `announce`. They only read files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lunchlearn import storage
from lunchlearn.errors import LunchlearnError
from lunchlearn.rota import article_file, reminders
from lunchlearn.rota.model import Talk
from lunchlearn.rota.reminders import Announcement, Reminders
from lunchlearn.usecases.workspace import reading_rota


def remind(repo: Path | None, days: int | None) -> Reminders:
    """What needs doing in the next `days` days (default: settings.remind_days), and late articles."""
    root, rota, today = reading_rota(repo)
    statuses = {talk.article: storage.article_status(root, talk) for talk in rota.talks}
    return reminders.reminders(rota, today, days or rota.settings.remind_days, statuses)


def announce(repo: Path | None, day: date | None) -> Announcement:
    """The announcement for `day` (default: the next session), with its article's summary."""
    root, rota, today = reading_rota(repo)
    day = day or reminders.next_programme_day(rota.settings, today)
    talk = rota.talk_on(day)
    return reminders.announcement(rota, day, today, "" if talk is None else _article_summary(root, talk))


def _article_summary(root: Path, talk: Talk) -> str:
    """The summary in the talk's article; none when the article is missing or does not parse."""
    try:
        text = storage.read_text(root, talk.article)
    except LunchlearnError:
        return ""
    meta = None if text is None else article_file.parse_front_matter(text, talk.article).meta
    summary = (meta or {}).get("summary")
    return summary.strip() if isinstance(summary, str) else ""
