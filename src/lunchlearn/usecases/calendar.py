"""The `calendar` use case: the rota's iCalendar feed, for everyone or one presenter."""

from __future__ import annotations

from pathlib import Path

from lunchlearn import storage
from lunchlearn.git import readcache
from lunchlearn.rota import model
from lunchlearn.rota.revisions import event_uid
from lunchlearn.usecases.workspace import reading_rota


def calendar_feed(repo: Path | None, person: str | None) -> bytes:
    """The feed's bytes; with `person`, only that presenter's talks.

    Laying out thousands of events takes icalendar seconds, so the feed is kept (git/readcache.kept_output)
    by what it shows and the files that lay it out, and laid out again only when one of them changes.
    """
    from lunchlearn.site import calendar

    root, rota, _ = reading_rota(repo)
    if person is not None:
        person = model.check_text(person, "--person")
    events = calendar.feed_events(rota, person, post_links(root, rota))
    shown = repr((rota.settings, person, events))
    return readcache.kept_output(root, calendar.FEED_NAME, shown, _layout_sources(rota.settings.timezone),
                                 lambda: calendar.feed_of(rota.settings, person, events))


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
    facts = readcache.article_facts(root, [talk.article for talk in rota.talks])
    return {event_uid(talk): url for talk in rota.talks if (url := storage.published_url(facts[talk.article][1]))}


def write_feed(data: bytes, path: Path) -> bool:
    """Write the feed to `path` atomically; False (and no write) when the file already says the same."""
    storage.refuse_as_output(path, "the feed", "lunchlearn.ics")
    if path.is_file() and path.read_bytes() == data:
        return False
    storage.atomic_write(path, data)
    return True
