"""What the commands about the whole history (`calendar`, `stats`, `remind`, `suggest`) work out, kept
under `<git dir>/lunchlearn/` with everything it was worked out from: a read of a rota and articles that
did not change loads neither the rota nor any article's front matter, whatever the length of the history.

Never stale: a kept view is used only while
- schedule.yaml has the content it was worked out from (the digest kept with the parsed rota, which
  git/readcache.py trusts only by its file's size, inode, times and the racy rule);
- the command, its options, the rota's folder, today (in the rota's time zone, or LUNCHLEARN_TODAY),
  Python, and lunchlearn's version and installed folder are the same;
- every other file it read (lunchlearn's own code, a library's, the time zone's rules, feedback files) has
  the size, inode and times it had, and every folder it listed holds the same names;
- each article it used has the size, inode and times it had or, when not (a checkout, a reset, an edit
  put back), the same status and front matter, read again through readcache.article_facts.
A file changed while the view was worked out, or less than a timestamp tick before, is always read
again (or the view is not kept), and so is an article reached through a link.
"""

from __future__ import annotations

import os
import pickle
import stat
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from lunchlearn import __version__
from lunchlearn.git import readcache
from lunchlearn.rota.model import SCHEDULE, TALKS_DIR

Facts = tuple[str, dict[str, Any]]  # an article's status and front matter (readcache.article_facts)


@dataclass(frozen=True)
class View:
    """A reading command's result, the day it is for, and everything besides the rota it was worked out from."""

    value: Any
    timezone: str  # the rota's: the value holds for `today` there
    today: date
    articles: Mapping[str, Facts] = field(default_factory=dict)  # each article it used, with its facts
    files: Iterable[Path] = ()  # other files it read: compared by size, inode and times
    listings: Iterable[tuple[str, str]] = ()  # (folder, suffix): the folder's files it looked for, and read


_LAYOUT = "header, articles with their states as one array, value"  # an entry's pickles: a new layout, a new key


def kept_view(
    root: Path, name: str, options: object, today_in: Callable[[str], date], work_out: Callable[[], View]
) -> Any:
    """The value of `work_out()` for the command `name` with `options`, kept while nothing it came from
    changed (see the module's docstring); `today_in(timezone)` is today in a time zone."""
    folder = readcache.state_folder(root)
    if folder is None:
        return work_out().value
    entry = folder / f"view-{name}.pickle"
    # The rota's folder too: the files the header names are this clone's, and a copied clone has the entry.
    asked = [__version__, _LAYOUT, str(Path(__file__).parent), sys.version, str(root), name, repr(options)]
    digest = readcache.rota_digest(root)
    if digest is not None:
        found = _kept(root, entry, [*asked, digest], today_in)
        if found is not None:
            return found[0]
    before = _file_state(root / SCHEDULE)
    # A file changed after this, or a timestamp tick before, could have changed after work_out read it.
    started = time.time_ns()
    view = work_out()
    # The digest of the rota work_out read: schedule.yaml did not change while it worked.
    digest = readcache.rota_digest(root)
    if digest is not None and before is not None and _file_state(root / SCHEDULE) == before:
        _keep(root, entry, [*asked, digest], view, started)
    return view.value


def _kept(root: Path, entry: Path, key: list[str], today_in: Callable[[str], date]) -> tuple[Any] | None:
    """(the kept value,) when the entry is fresh; its articles' file states brought up to date when only
    their files, not their facts, changed."""
    try:
        with entry.open("rb") as handle:
            header = readcache.OwnUnpickler(handle).load()
            if header["key"] != key or today_in(header["timezone"]) != header["today"]:
                return None
            if any(_file_state(Path(path)) != state for path, state in header["files"]):
                return None
            if any(_file_state(root / folder) != folder_state and _names(root, folder, suffix) != names
                   for folder, suffix, names, folder_state in header["listings"]):
                return None
            articles_at = handle.tell()
            joined, kept_states, digests, unsettled = readcache.OwnUnpickler(handle).load()
            value_at = handle.tell()
            names = joined.split("\0") if joined else []
            current = _article_states(root, names)
            if unsettled or current.tobytes() != kept_states:
                states = array("q", kept_states)
                if len(states) != len(current):
                    return None
                changed = [i for i in range(len(names)) if _state(current, i) != _state(states, i)
                           or _state(current, i) == _UNKNOWN]
                facts = readcache.article_facts(root, [names[i] for i in changed])
                if any(_facts_digest(facts[names[i]]) != digests[16 * i:16 * i + 16] for i in changed):
                    return None
                refreshed = array("q", states)
                for i in changed:
                    refreshed[_WIDTH * i:_WIDTH * (i + 1)] = array("q", _settled(_state(current, i), time.time_ns()))
                if refreshed != states:
                    handle.seek(0)
                    head = handle.read(articles_at)
                    handle.seek(value_at)
                    readcache.keep(entry, head + _articles_block(joined, refreshed, digests), handle)
                    handle.seek(value_at)
            value = readcache.OwnUnpickler(handle).load()
    except Exception:  # whatever a damaged entry raises only means working the view out again
        return None
    return (value,)


def _keep(root: Path, entry: Path, key: list[str], view: View, started_ns: int) -> None:
    listed = [(folder, suffix, _names(root, folder, suffix), _file_state(root / folder))
              for folder, suffix in view.listings]
    paths = [*_code_files(), *view.files, *(root / folder / name for folder, _, names, _ in listed for name in names)]
    files = [(str(path), _file_state(path)) for path in paths]
    folders = [state for *_, state in listed]
    if any(state is not None and started_ns - _changed_ns(state) < readcache.RACY_NS
           for state in [*folders, *dict(files).values()]):
        return  # a file or folder changed while, or a timestamp tick before, the view was worked out
    names = list(view.articles)
    current = _article_states(root, names)
    states = array("q")
    for i in range(len(names)):
        states.extend(_settled(_state(current, i), started_ns))
    header = {"key": key, "timezone": view.timezone, "today": view.today, "files": files, "listings": listed}
    digests = b"".join(_facts_digest(view.articles[article]) for article in names)
    try:
        data = _pickled(header) + _articles_block("\0".join(names), states, digests) + _pickled(view.value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    readcache.keep(entry, data)


def _articles_block(joined: str, states: array[int], digests: bytes) -> bytes:
    """The articles a view used, in the form a fresh view is checked fastest: their names joined by NUL
    (which no path holds), their file states as `_article_states` gives them (compared whole, as bytes),
    their facts' digests end to end, and whether any state is unknown (a file read again each time)."""
    unsettled = any(states[at] == _UNKNOWN[0] for at in range(0, len(states), _WIDTH))
    return _pickled((joined, states.tobytes(), digests, unsettled))


# An article file's state: its size, inode, modification and change times (ns), four integers side by side
# in one array for all articles (10,000 compared at once, with no Python object for each). The error that
# stops reading a file is (-2, errno, 0, 0); a state unknown, for a file whose facts are read again each
# time (a link, or one changed within a timestamp tick), is _UNKNOWN.
_WIDTH = 4
_UNKNOWN = (-1, 0, 0, 0)


def _article_states(root: Path, names: list[str]) -> array[int]:
    """Each article file's state where it is a plain file directly in the talks folder and that folder is no
    link; _UNKNOWN for any other."""
    folder = f"{root}{os.sep}{TALKS_DIR}"
    try:
        plain_folder = not stat.S_ISLNK(os.lstat(folder).st_mode)
    except OSError:
        plain_folder = False
    prefix = f"{TALKS_DIR}/"
    lstat, is_link = os.lstat, stat.S_ISLNK
    found = array("q")
    for article in names:
        base = article.removeprefix(prefix)
        if not plain_folder or base == article or "/" in base or base in ("", ".", ".."):
            found.extend(_UNKNOWN)
            continue
        try:
            status = lstat(f"{folder}{os.sep}{base}")
        except OSError as error:
            found.extend((-2, error.errno or 0, 0, 0))
            continue
        try:  # a whole state or none: extend() would keep the values before the one that overflows
            found.extend(array("q", _UNKNOWN if is_link(status.st_mode) else
                               (status.st_size, _signed(status.st_ino), status.st_mtime_ns, status.st_ctime_ns)))
        except OverflowError:  # a time past 2262 or before 1677: read again each time
            found.extend(_UNKNOWN)
    return found


def _signed(number: int) -> int:
    """An unsigned 64-bit number (an inode's, which some file systems fill) as the signed one with its bits."""
    return (number ^ (1 << 63)) - (1 << 63)


def _state(states: array[int], index: int) -> tuple[int, ...]:
    return tuple(states[_WIDTH * index:_WIDTH * (index + 1)])


def _settled(state: tuple[int, ...], now_ns: int) -> tuple[int, ...]:
    """`state`, or _UNKNOWN for a file changed within a timestamp tick of `now_ns`: it could change again unseen."""
    if state[0] >= 0 and now_ns - _changed_ns(state) < readcache.RACY_NS:
        return _UNKNOWN
    return state


def _changed_ns(state: tuple[int, ...]) -> int:
    """readcache.last_changed_ns of a kept state (size, inode, mtime, ctime)."""
    return max(state[2], state[3])


def _file_state(path: Path) -> tuple[int, ...] | None:
    try:
        return tuple(readcache.file_key(os.stat(path)))
    except OSError:
        return None


def _names(root: Path, folder: str, suffix: str) -> list[str]:
    try:
        return sorted(name for name in os.listdir(root / folder) if name.endswith(suffix))
    except OSError:
        return []


def _facts_digest(facts: Facts) -> bytes:
    import hashlib

    return hashlib.blake2b(repr(facts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


@cache
def _code_files() -> tuple[Path, ...]:
    """lunchlearn's own modules and the file naming the `holidays` package's version: a view worked out by
    other code, or with another year's holidays, is worked out again."""
    package = Path(__file__).resolve().parent.parent
    holidays = readcache.holidays_version_file()
    return (*sorted(package.rglob("*.py")), *([holidays] if holidays else []))


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
