"""The `calendar` use case: the rota's iCalendar feed, for everyone or one presenter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from lunchlearn import storage
from lunchlearn.git import readcache
from lunchlearn.git.views import Facts, View
from lunchlearn.rota import model
from lunchlearn.rota.revisions import event_uid
from lunchlearn.usecases.workspace import reading_view


def calendar_feed(repo: Path | None, person: str | None) -> bytes:
    """The feed's bytes; with `person`, only that presenter's talks.

    Laying out thousands of events takes icalendar seconds, so the feed is kept (git/readcache.kept_output)
    by what it shows and the files that lay it out, and laid out again only when one of them changes.
    """
    feed: bytes = reading_view(repo, "calendar", person, lambda root, rota, day: _feed(root, rota, day, person))
    return feed


def _feed(root: Path, rota: model.Rota, day: date, person: str | None) -> View:
    from lunchlearn.site import calendar

    if person is not None:
        person = model.check_text(person, "--person")
    facts = readcache.article_facts(root, [talk.article for talk in rota.talks])
    events = calendar.feed_events(rota, person, _links(rota, facts))
    shown = repr((rota.settings, person, events))
    layout = _layout_sources(rota.settings.timezone)
    data = readcache.kept_output(root, calendar.FEED_NAME, shown, layout,
                                 lambda: calendar.feed_of(rota.settings, person, events))
    return View(data, rota.settings.timezone, day, facts, layout)


def _layout_sources(timezone: str) -> list[Path]:
    """The files a feed's layout comes from besides the rota: lunchlearn's own layout code, icalendar's, and
    the time zone's rules (its VTIMEZONE), from the system's zone database or the `tzdata` package."""
    import importlib.util
    import zoneinfo

    from lunchlearn.site import calendar

    found = [importlib.util.find_spec(name) for name in ("icalendar", "tzdata")]
    packages = [Path(spec.origin).parent for spec in found if spec is not None and spec.origin is not None]
    sources = [folder / name for folder in packages for name in ("__init__.py", "_version.py")]
    zones = [Path(folder) for folder in zoneinfo.TZPATH] + [folder / "zoneinfo" for folder in packages]
    return [Path(calendar.__file__), *sources, *(zones_folder / timezone for zones_folder in zones)]


def post_links(root: Path, rota: model.Rota) -> dict[str, str]:
    """{event UID: the public address of the talk's post} for the talks whose address `publish` recorded."""
    return _links(rota, readcache.article_facts(root, [talk.article for talk in rota.talks]))


def _links(rota: model.Rota, facts: Mapping[str, Facts]) -> dict[str, str]:
    return {event_uid(talk): url for talk in rota.talks if (url := storage.published_url(facts[talk.article][1]))}


def write_feed(data: bytes, path: Path) -> bool:
    """Write the feed to `path` atomically; False (and no write) when the file already says the same."""
    storage.refuse_as_output(path, "the feed", "lunchlearn.ics")
    if path.is_file() and path.read_bytes() == data:
        return False
    storage.atomic_write(path, data)
    return True
