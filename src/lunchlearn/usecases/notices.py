"""Reading use cases that tell people what is coming: `remind` and `announce`. They only read files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lunchlearn import storage
from lunchlearn.git import readcache
from lunchlearn.git.views import View
from lunchlearn.rota import reminders
from lunchlearn.rota.model import Rota
from lunchlearn.rota.reminders import Announcement, Reminders
from lunchlearn.usecases.workspace import reading_rota, reading_view


def remind(repo: Path | None, days: int | None) -> Reminders:
    """What needs doing in the next `days` days (default: settings.remind_days), and late articles."""
    found: Reminders = reading_view(repo, "remind", days, lambda root, rota, today: _reminders(root, rota, today, days))
    return found


def _reminders(root: Path, rota: Rota, today: date, days: int | None) -> View:
    facts = readcache.article_facts(root, [talk.article for talk in rota.talks])
    statuses = {article: status for article, (status, _) in facts.items()}
    found = reminders.reminders(rota, today, days or rota.settings.remind_days, statuses)
    return View(found, rota.settings.timezone, today, facts)


def announce(repo: Path | None, day: date | None) -> Announcement:
    """The announcement for `day` (default: the next session), with its article's summary and post."""
    root, rota, today = reading_rota(repo, since=lambda now: now if day is None else min(day, now))
    day = day or reminders.next_programme_day(rota.settings, today)
    talk = rota.talk_on(day)
    if talk is None:
        return reminders.announcement(rota, day, today, "", "")
    front_matter = readcache.article_facts(root, [talk.article])[talk.article][1]
    summary = front_matter.get("summary")
    summary = summary.strip() if isinstance(summary, str) else ""
    return reminders.announcement(rota, day, today, summary, storage.published_url(front_matter))
