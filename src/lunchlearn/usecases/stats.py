"""The `stats` and `suggest` use cases: the programme's figures and whom to ask next. They only read."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lunchlearn import storage
from lunchlearn.errors import BadInput
from lunchlearn.git import readcache
from lunchlearn.git.views import Facts, View
from lunchlearn.rota import model
from lunchlearn.rota import stats as figures
from lunchlearn.usecases.workspace import reading_view

if TYPE_CHECKING:
    from lunchlearn.rota.fairness import Suggestions


def programme_stats(repo: Path | None, since: date | None) -> tuple[model.Settings, figures.Stats]:
    """The rota's settings and its figures from `since` (default: its earliest talk or skip) to today."""
    found: tuple[model.Settings, figures.Stats] = reading_view(
        repo, "stats", since, lambda root, rota, day: _stats(root, rota, day, since))
    return found


def _stats(root: Path, rota: model.Rota, day: date, since: date | None) -> View:
    if since is not None and since > day:
        raise BadInput(f"--since {since} is after today ({day}); give a date on or before today")
    report, facts = _figures_and_facts(root, rota, day, since)
    return View((rota.settings, report), rota.settings.timezone, day, facts,
                listings=[(model.TALKS_DIR, model.FEEDBACK_SUFFIX)])


def figures_of(root: Path, rota: model.Rota, day: date, since: date | None = None) -> figures.Stats:
    """The figures of the rota in `root` from `since` (default: its earliest talk or skip) to `day`."""
    return _figures_and_facts(root, rota, day, since)[0]


def _figures_and_facts(
    root: Path, rota: model.Rota, day: date, since: date | None
) -> tuple[figures.Stats, dict[str, Facts]]:
    """The figures, and the facts of the articles they count."""
    start = since or figures.default_since(rota, day)
    rota = readcache.with_holidays(root, rota, day, since=start)
    held = figures.held_talks(rota, start, day)
    facts = readcache.article_facts(root, [talk.article for talk in held])
    articles = {talk.date: _article_facts(root, talk, *facts[talk.article]) for talk in held}
    return figures.compute(rota, articles, storage.read_all_feedback(root), start, day), facts


def _article_facts(root: Path, talk: model.Talk, status: str, meta: dict[str, Any]) -> figures.ArticleFacts:
    """The article's status, tags and first publication day, as its front matter records them."""
    if status == "unreadable":  # read again to say where, rather than count it as unpublished
        meta = storage.read_front_matter(root, talk)
    tags, published_on = meta.get("tags"), meta.get("published_on")
    return figures.ArticleFacts(
        str(meta.get("status", "missing")),
        tuple(str(tag) for tag in tags if tag is not None) if isinstance(tags, list) else (),
        None if published_on is None else model.iso_date(str(published_on)),  # most articles have none
    )


def write_page(page: str, path: Path) -> None:
    """Write the stats page to `path` atomically."""
    storage.refuse_as_output(path, "the page", "stats.html")
    storage.atomic_write(path, page)


def suggestions(repo: Path | None, count: int) -> Suggestions:
    from lunchlearn.rota import fairness

    def ranked(root: Path, rota: model.Rota, day: date) -> View:
        # The rota knows the holidays on every talk's date, the ones ranking needs.
        return View(fairness.suggest(rota, day, count), rota.settings.timezone, day)

    found: Suggestions = reading_view(repo, "suggest", count, ranked)
    return found
