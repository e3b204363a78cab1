"""Where the rota is, and what day it is there: what every command needs before it reads or writes."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lunchlearn import storage
from lunchlearn.errors import LunchlearnError, NotARota
from lunchlearn.git import readcache, views
from lunchlearn.git.driver import ensure_merge_driver
from lunchlearn.git.views import View
from lunchlearn.rota import model
from lunchlearn.rota.model import Rota, Settings

TODAY_VARIABLE = "LUNCHLEARN_TODAY"


def find_rota(repo: Path | None) -> Path:
    """The rota folder: `repo` when given, else the nearest folder above the current one."""
    if repo is not None:
        if repo.name == model.SCHEDULE and repo.is_file():  # --repo named the file rather than its folder
            repo = repo.parent
        if repo.is_file():
            raise NotARota(f"{repo} is a file; --repo names the rota's folder (the one with {model.SCHEDULE})")
        if not (repo / model.SCHEDULE).is_file():
            init = f"lunchlearn init {shlex.quote(str(repo))}"
            raise NotARota(f"{repo} has no {model.SCHEDULE}; create a rota there with `{init}`")
        root = repo.resolve()
    else:
        found = storage.find_root(Path.cwd())
        if found is None:
            raise NotARota(
                f"not inside a lunchlearn rota (no {model.SCHEDULE} here or above); "
                "create one with `lunchlearn init` or pass --repo PATH"
            )
        root = found
    return root


def today(settings: Settings) -> date:
    """Today in the rota's time zone, or LUNCHLEARN_TODAY when set (for tests and demos)."""
    return today_in(settings.timezone)


def today_in(timezone: str) -> date:
    """Today in `timezone`, or LUNCHLEARN_TODAY when set."""
    override = os.environ.get(TODAY_VARIABLE, "").strip()
    if override:
        return model.check_today(model.parse_date(override, TODAY_VARIABLE), TODAY_VARIABLE)
    from zoneinfo import ZoneInfo

    return model.check_today(datetime.now(ZoneInfo(timezone)).date(), "today")


def reading_root(repo: Path | None) -> Path:
    """The rota folder, ready to be read: its merge driver registered, any killed write finished."""
    root = find_rota(repo)
    ensure_merge_driver(root)
    finish_interrupted_write(root)
    return root


def reading_rota(repo: Path | None, since: Callable[[date], date] | None = None) -> tuple[Path, Rota, date]:
    """The rota folder, its rota and today, for commands that only read.

    `since` gives, from today, the first day the command looks at: the talks before it may be left out.
    """
    root = reading_root(repo)
    return (root, *_rota_and_today(root, since))


def reading_view(repo: Path | None, name: str, options: object, work_out: Callable[[Path, Rota, date], View]) -> Any:
    """What `work_out(root, rota, today)` gives for the reading command `name` with `options`, kept while
    nothing it came from changes (git/views.py): for the commands about the whole history."""
    root = reading_root(repo)

    def worked_out() -> View:
        return work_out(root, *_rota_and_today(root))

    return views.kept_view(root, name, options, today_in, worked_out)


def _rota_and_today(root: Path, since: Callable[[date], date] | None = None) -> tuple[Rota, date]:
    rota = readcache.read_rota(root, None if since is None else lambda settings: since(today(settings)))
    day = today(rota.settings)
    return readcache.with_holidays(root, rota, day), day


def programme_weekday(repo: Path | None) -> int:
    """The rota's weekday (Monday is 0), for the dates in help's examples: the default's outside a rota,
    or when its schedule.yaml cannot be read, as help must show whatever state the rota is in."""
    try:
        return readcache.read_rota(find_rota(repo), today).settings.weekday_number
    except (LunchlearnError, OSError):
        return Settings().weekday_number


def finish_interrupted_write(root: Path) -> None:
    """Undo or finish what a killed writer left before reading, as SQLite rolls back a hot journal.

    Finding no journal costs a stat or two; git and the lock are loaded only when there is one.
    """
    from lunchlearn.git.statedir import journal_path

    journal = journal_path(root)
    if journal is None or not journal.exists():
        return
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.git.transaction import locked

    with locked(GitRepo.open(root)):
        pass  # taking the lock recovers
