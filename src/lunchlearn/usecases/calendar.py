"""The `calendar` use case: the rota's iCalendar feed, for everyone or one presenter."""

from __future__ import annotations

from pathlib import Path

from lunchlearn import storage
from lunchlearn.errors import BadInput
from lunchlearn.git import readcache
from lunchlearn.rota import model
from lunchlearn.rota.revisions import event_uid
from lunchlearn.usecases.workspace import reading_rota


def calendar_feed(repo: Path | None, person: str | None) -> bytes:
    """The feed's bytes; with `person`, only that presenter's talks."""
    from lunchlearn.site import calendar

    root, rota, _ = reading_rota(repo)
    if person is not None:
        person = model.check_text(person, "--person")
    return calendar.feed(rota, person, post_links(root, rota))


def post_links(root: Path, rota: model.Rota) -> dict[str, str]:
    """{event UID: the public address of the talk's post} for the talks whose address `publish` recorded."""
    facts = readcache.article_facts(root, [talk.article for talk in rota.talks])
    return {event_uid(talk): url for talk in rota.talks if (url := storage.published_url(facts[talk.article][1]))}


def write_feed(data: bytes, path: Path) -> bool:
    """Write the feed to `path` atomically; False (and no write) when the file already says the same."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        raise BadInput(f"{path} is a folder; give a file name for the feed, e.g. {path / 'lunchlearn.ics'}") from None
    storage.atomic_write(path, data)
    return True
