"""The `stats` and `suggest` use cases: the programme's figures and whom to ask next. They only read."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lunchlearn import storage
from lunchlearn.errors import BadInput
from lunchlearn.git import readcache
from lunchlearn.rota import model
from lunchlearn.rota import stats as figures
from lunchlearn.usecases.workspace import reading_rota

if TYPE_CHECKING:
    from lunchlearn.rota.fairness import Suggestions


def programme_stats(repo: Path | None, since: date | None) -> tuple[model.Settings, figures.Stats]:
    """The rota's settings and its figures from `since` (default: its earliest talk or skip) to today."""
    root, rota, day = reading_rota(repo)
    if since is not None and since > day:
        raise BadInput(f"--since {since} is after today ({day}); give a date on or before today")
    return rota.settings, figures_of(root, rota, day, since)


def figures_of(root: Path, rota: model.Rota, day: date, since: date | None = None) -> figures.Stats:
    """The figures of the rota in `root` from `since` (default: its earliest talk or skip) to `day`."""
    start = since or figures.default_since(rota, day)
    rota = readcache.with_holidays(root, rota, day, since=start)
    held = figures.held_talks(rota, start, day)
    facts = readcache.article_facts(root, [talk.article for talk in held])
    articles = {talk.date: _article_facts(root, talk, *facts[talk.article]) for talk in held}
    return figures.compute(rota, articles, storage.read_all_feedback(root), start, day)


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

    _, rota, day = reading_rota(repo)  # it knows the holidays on every talk's date, the ones ranking needs
    return fairness.suggest(rota, day, count)
