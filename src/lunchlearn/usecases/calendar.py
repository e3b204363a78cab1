"""The `calendar` use case: the rota's iCalendar feed, for everyone or one presenter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import BinaryIO

from lunchlearn import storage
from lunchlearn.git import readcache
from lunchlearn.git.views import Facts, View
from lunchlearn.rota import model
from lunchlearn.site import calendar
from lunchlearn.site.calendar import EventData
from lunchlearn.usecases.workspace import find_rota, reading_rota, reading_view

EVENT_LAYOUTS = "feed-events.pickle"  # each event of the last feed of everyone's talks, as laid out


def calendar_feed(repo: Path | None, person: str | None) -> BinaryIO:
    """The feed, to read (and close); with `person`, only that presenter's talks.

    Laying out thousands of events takes icalendar seconds, so the laid-out feed is kept (readcache.kept_output)
    by what it shows and the files that lay it out, and laid out again only when one of them changes.
    """
    worked_out: list[BinaryIO] = []

    def feed_key(root: Path, rota: model.Rota, day: date) -> View:
        view, feed = _feed(root, rota, day, person)
        worked_out.append(feed)
        return view

    try:
        key: bytes = reading_view(repo, "calendar", person, feed_key)
    except BaseException:
        for feed in worked_out:
            feed.close()
        raise
    if worked_out:
        return worked_out[0]
    kept = readcache.open_output(find_rota(repo), calendar.FEED_NAME, key)
    if kept is not None:
        return kept
    # The kept view names a feed kept no more (another person's feed replaced it): lay it out again.
    return _feed(*reading_rota(repo), person)[1]


def _feed(root: Path, rota: model.Rota, day: date, person: str | None) -> tuple[View, BinaryIO]:
    if person is not None:
        person = model.check_text(person, "--person")
    facts = readcache.article_facts(root, [talk.article for talk in rota.talks])
    events = calendar.feed_events(rota, person, _links(rota, facts))
    shown = repr((rota.settings, person, events))
    layout = _layout_sources(rota.settings.timezone)
    output = readcache.kept_output(root, calendar.FEED_NAME, shown, layout,
                                   lambda: _laid_out(root, rota.settings, person, events, layout))
    return View(output.key, rota.settings.timezone, day, facts, layout), output.stream


def _laid_out(
    root: Path, settings: model.Settings, person: str | None, events: list[EventData], layout: list[Path]
) -> bytes:
    """The feed of `events`, each laid out again only when it changed since the last feed of everyone's
    talks with these settings (a write changes one or two events of thousands)."""
    shown = repr(settings)
    kept = readcache.kept_value(root, EVENT_LAYOUTS, shown, layout)
    layouts = calendar.event_layouts(settings, events, kept if isinstance(kept, dict) else {})
    if person is None:  # one person's feed reuses everyone's layouts without replacing them by its few
        readcache.keep_value(root, EVENT_LAYOUTS, shown, layout, layouts)
    return calendar.feed_of(settings, person, events, layouts)


def _layout_sources(timezone: str) -> list[Path]:
    """The files a feed's layout comes from besides the rota: lunchlearn's own layout code, icalendar's, and
    the time zone's rules (its VTIMEZONE), from the system's zone database or the `tzdata` package."""
    import importlib.util
    import zoneinfo

    found = [importlib.util.find_spec(name) for name in ("icalendar", "tzdata")]
    packages = [Path(spec.origin).parent for spec in found if spec is not None and spec.origin is not None]
    sources = [folder / name for folder in packages for name in ("__init__.py", "_version.py")]
    zones = [Path(folder) for folder in zoneinfo.TZPATH] + [folder / "zoneinfo" for folder in packages]
    return [Path(calendar.__file__), *sources, *(zones_folder / timezone for zones_folder in zones)]


def post_links(root: Path, rota: model.Rota) -> dict[str, str]:
    """{event UID: the public address of the talk's post} for the talks whose address `publish` recorded."""
    return _links(rota, readcache.article_facts(root, [talk.article for talk in rota.talks]))


def _links(rota: model.Rota, facts: Mapping[str, Facts]) -> dict[str, str]:
    return {model.event_uid(talk): url for talk in rota.talks if (url := storage.published_url(facts[talk.article][1]))}


def write_feed(feed: BinaryIO, path: Path) -> bool:
    """Write the feed to `path` atomically; False (and no write) when the file already says the same."""
    storage.refuse_as_output(path, "the feed", "lunchlearn.ics")
    data = feed.read()
    if path.is_file() and path.read_bytes() == data:
        return False
    storage.atomic_write(path, data)
    return True
