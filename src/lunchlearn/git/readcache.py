"""What reading commands work out from files, kept under `<git dir>/lunchlearn/` so the next read need not:
the parsed rota, the region's public holidays (without loading the `holidays` package), each article's
status and front matter, the laid-out calendar feed, and facts learned from a file such as the clone's
config. Found without running git; outside a clone, or with a read-only git dir, everything is worked out
afresh and nothing is kept.

Never stale: a kept rota is used only while schedule.yaml has the size, inode, modification and change
times (in nanoseconds) it had when it was parsed, and was changed at least RACY_NS before the entry was
written: git's "racily clean" rule, since an edit within one timestamp tick of the entry leaves all four
unchanged (changed: the later of its modification time, which can be put back, and its change time).
The entry names the lunchlearn version and the shape of the rota's classes, so an upgrade never
unpickles an old shape.
"""

from __future__ import annotations

import gc
import io
import json
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import fields, is_dataclass, replace
from datetime import date, timedelta
from enum import Enum
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from lunchlearn import __version__, storage
from lunchlearn.git.statedir import STATE_FOLDER, git_dir
from lunchlearn.rota import model
from lunchlearn.rota.model import ARTICLE_STATUSES, SCHEDULE, TALKS_DIR, HolidayRegion, Rota, Settings
from lunchlearn.rota.public_holidays import NAMES_LANGUAGE, holidays_in, remember_valid, with_public_holidays

ROTA_ENTRY = "rota.pickle"
HOLIDAYS_ENTRY = "holidays.json"
ROTA_ENTRY_FORMAT = "key, digest, recent, chunk count, chunks"  # the rota entry's layout: a new one is a new key
RACY_NS = 2_000_000_000  # coarser than any filesystem's timestamps (FAT keeps two seconds)
# The talks a kept rota loads first: what `next`, `slots` and `schedule` look at, and the writes that look
# from today on (signup, withdraw, move, confirm, topic, swap, skip, unskip), and more.
RECENT_DAYS = 400
# An unpickler holds every object it made until it is done, each talk's attributes too: the older talks are
# kept a thousand to a pickle, so loading 10,000 of them holds a tenth of that at once (6 MB less at its peak).
OLDER_CHUNK = 1000


def read_rota(root: Path, since: Callable[[Settings], date] | None = None) -> Rota:
    """The rota in `root`'s schedule.yaml, as storage.read_rota parses it, from the kept entry when it is fresh.

    `since` gives, from the rota's settings, the first day a command looks at: the talks before it may then
    be left out, and a long history is not loaded to show the weeks ahead.
    """
    kept = kept_rota(root, since)
    if kept is not None:
        return kept
    folder = state_folder(root)
    # Stat before reading: if the file changes meanwhile, the entry's key no longer matches it.
    status = os.stat(root / SCHEDULE)
    remember_checked_regions(root)
    with cycle_collector_paused():
        rota = storage.read_rota(root)
    if folder is None:
        return rota
    key = _rota_key(root, status)
    settled = time.time_ns() - last_changed_ns(status) >= RACY_NS  # else the entry could not be trusted
    if settled:
        import hashlib

        try:
            digest = hashlib.sha256((root / SCHEDULE).read_bytes()).hexdigest()
            unchanged = os.stat(root / SCHEDULE).st_ctime_ns == status.st_ctime_ns
        except OSError:  # gone or replaced since it was parsed: nothing to keep
            unchanged = False
        if unchanged:
            header = json.dumps(key).encode() + b"\n" + digest.encode() + b"\n"
            keep(folder / ROTA_ENTRY, header + _pickled(rota))
    return rota


def rota_digest(root: Path) -> str | None:
    """A digest of `root`'s schedule.yaml as its kept rota was parsed from, while that entry is fresh: what a
    result worked out from the rota is kept by (git/views.py), found without loading the rota."""
    folder = state_folder(root)
    try:
        status = os.stat(root / SCHEDULE)
        if folder is None:
            return None
        with (folder / ROTA_ENTRY).open("rb") as handle:
            if not _fresh(handle, _rota_key(root, status), last_changed_ns(status)):
                return None
            return handle.readline().strip().decode("ascii")
    except (OSError, ValueError):
        return None


def kept_rota(root: Path, since: Callable[[Settings], date] | None = None) -> Rota | None:
    """The rota kept for `root`'s schedule.yaml, when there is a fresh entry; it parsed with no problem.

    With `since`, the talks before the day it gives may be left out (see read_rota).
    """
    folder = state_folder(root)
    try:
        status = os.stat(root / SCHEDULE)
    except OSError:
        return None
    if folder is None:
        return None
    return _kept_rota(folder / ROTA_ENTRY, _rota_key(root, status), last_changed_ns(status), since)


def _pickled(rota: Rota) -> bytes:
    """The rota as pickles: the first with the talks of about the last year and after (all of them when none
    is older; a parsed rota's talks are in date order), then how many more follow, each with some of the
    talks before, loaded only for a command that looks further back."""
    recent_from = date.today() - timedelta(days=RECENT_DAYS)
    split = next((i for i, talk in enumerate(rota.talks) if talk.date >= recent_from), len(rota.talks))
    older, recent = rota.talks[:split], rota.talks[split:]
    first: tuple[date | None, Rota] = (recent_from, replace(rota, talks=recent, talks_since=recent_from))
    if not older:
        first = (None, rota)
    chunks = [older[start : start + OLDER_CHUNK] for start in range(0, len(older), OLDER_CHUNK)]
    return b"".join(pickle.dumps(part, pickle.HIGHEST_PROTOCOL) for part in (first, len(chunks), *chunks))


def with_holidays(
    root: Path, rota: Rota, today: date, until: date | None = None, since: date | None = None
) -> Rota:
    """`rota` knowing its region's public holidays (rota.public_holidays.with_public_holidays), each year's
    holidays computed once per version of the `holidays` package and kept."""
    if rota.holidays is None:
        return rota
    folder = state_folder(root)
    if folder is None:
        return with_public_holidays(rota, today, until, since)
    entry = folder / HOLIDAYS_ENTRY
    try:
        kept: dict[str, dict[str, list[list[str]]]] = json.loads(entry.read_bytes())
    except (OSError, ValueError):
        kept = {}
    region_key = _holidays_key(rota.holidays)
    years = kept.get(region_key) if isinstance(kept, dict) else None
    if not isinstance(years, dict):
        years = {}
    if years:  # kept after a parse that checked the region with this version of the package
        remember_valid(rota.holidays)
    added = False

    def lookup(region: HolidayRegion, year: int) -> tuple[tuple[date, str], ...]:
        nonlocal added
        if str(year) not in years:
            years[str(year)] = [[day.isoformat(), name] for day, name in holidays_in(region, year)]
            added = True
        return tuple((date.fromisoformat(day), name) for day, name in years[str(year)])

    found = with_public_holidays(rota, today, until, since, lookup)
    if added:
        keep(entry, json.dumps({**kept, region_key: years}).encode())
    return found


def article_facts(root: Path, articles: Iterable[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each article's status and front matter (storage.article_facts), kept per article while its file
    has the size, inode and times it had when read, and was then older than a timestamp tick.

    Kept by the year in the article's name (articles-YYYY.json), so `next` on a long history reads the
    few articles it shows, not every article's front matter.
    """
    folder = state_folder(root)
    shape = [__version__, list(ARTICLE_STATUSES)]
    shards: dict[str, dict[str, Any]] = {}
    found, changed, now = {}, set(), time.time_ns()
    for article, status in storage.file_statuses(root, articles).items():
        if status is None:  # missing, or not a file lunchlearn may read: it says which
            found[article] = storage.article_facts(root, article)
            continue
        shard = _year_of(article)
        if shard not in shards:
            shards[shard] = _kept_articles(folder, shard, shape)
        key = file_key(status)
        known = shards[shard]["articles"].get(article)
        if isinstance(known, list) and len(known) == 3 and known[0] == key:
            found[article] = (known[1], known[2])
            continue
        found[article] = storage.article_facts(root, article)
        if now - last_changed_ns(status) >= RACY_NS:
            shards[shard]["articles"][article] = [key, *found[article]]
            changed.add(shard)
    for shard in changed:
        with suppress(TypeError, ValueError):  # front matter JSON cannot hold is simply not kept
            if folder is not None:
                keep(folder / f"articles-{shard}.json", json.dumps(shards[shard]).encode())
    return found


def _year_of(article: str) -> str:
    """The year an article's name begins with (`talks/2026-12-04-rss.md`), or `other`."""
    year = article.removeprefix(f"{TALKS_DIR}/")[:4]
    return year if year.isdigit() and len(year) == 4 else "other"


def _kept_articles(folder: Path | None, shard: str, shape: list[Any]) -> dict[str, Any]:
    try:
        kept = json.loads((folder / f"articles-{shard}.json").read_bytes()) if folder else {}
    except (OSError, ValueError):
        kept = {}
    if not isinstance(kept, dict) or kept.get("shape") != shape or not isinstance(kept.get("articles"), dict):
        return {"shape": shape, "articles": {}}
    return kept


def kept_output(root: Path, name: str, shown: str, sources: Iterable[Path], build: Callable[[], bytes]) -> Output:
    """`build()`'s bytes, kept under `name` while `shown` (everything the output shows, as text) and the
    `sources` (the library files that lay it out, by size and times) are the same: a digest of both
    names the kept bytes, so nothing that changes them can be missed. Kept bytes are read from their
    file as the caller goes, so `calendar` streams a kept feed of thousands of events to its output."""
    key = _output_key(shown, sources)
    kept = open_output(root, name, key)
    if kept is not None:
        return Output(key, kept)
    data = build()
    folder = state_folder(root)
    if folder is not None:
        keep(folder / name, _framed(key, data))
    return Output(key, io.BytesIO(data))


def kept_value(root: Path, name: str, shown: str, sources: Iterable[Path]) -> Any:
    """What keep_value kept under `name` for the same `shown` and `sources` (named as kept_output names its
    bytes), loaded only as lunchlearn's own classes; None when there is no such value."""
    handle = open_output(root, name, _output_key(shown, sources))
    if handle is None:
        return None
    with handle:
        try:
            return OwnUnpickler(handle).load()
        except Exception:  # whatever a damaged entry raises only means working the value out again
            return None


def keep_value(root: Path, name: str, shown: str, sources: Iterable[Path], value: object) -> None:
    """Keep `value` under `name` for kept_value to find while `shown` and `sources` are the same."""
    folder = state_folder(root)
    if folder is not None:
        keep(folder / name, _framed(_output_key(shown, sources), pickle.dumps(value, pickle.HIGHEST_PROTOCOL)))


def _framed(key: bytes, data: bytes) -> bytes:
    """A kept output as open_output reads it: its key, its length, then its bytes."""
    return key + len(data).to_bytes(8, "big") + data


def _output_key(shown: str, sources: Iterable[Path]) -> bytes:
    """A digest of `shown` and of each source file's size and times: what a kept output is named by."""
    import hashlib

    digest = hashlib.sha256(shown.encode("utf-8", "surrogatepass"))
    for source in sources:
        try:
            digest.update(json.dumps([str(source), *file_key(os.stat(source))]).encode())
        except OSError:
            digest.update(f"{source} is missing".encode())
    return f"{__version__} {digest.hexdigest()}\n".encode()


class Output(NamedTuple):
    """What kept_output gives: the key naming the output, and the output to read (and close)."""

    key: bytes
    stream: BinaryIO


def open_output(root: Path, name: str, key: bytes) -> BinaryIO | None:
    """The output kept under `name` by kept_output, open at its first byte, while it is the one `key` names
    and whole (a crash may leave it cut short)."""
    folder = state_folder(root)
    if folder is None:
        return None
    try:
        handle = (folder / name).open("rb")
    except OSError:
        return None
    try:
        named = handle.read(len(key)) == key
        whole = named and len(key) + 8 + int.from_bytes(handle.read(8), "big") == os.fstat(handle.fileno()).st_size
    except OSError:
        whole = False
    if not whole:
        handle.close()
        return None
    return handle


def remembered(root: Path, name: str, source: Path) -> str | None:
    """The value kept under `name` by `remember`, while `source`, the file it was learned from, is unchanged."""
    folder = state_folder(root)
    if folder is None:
        return None
    try:
        status = os.stat(source)
        with (folder / f"{name}.json").open("rb") as handle:
            written_ns = os.fstat(handle.fileno()).st_mtime_ns
            key, value = json.loads(handle.read())
    except (OSError, TypeError, ValueError):
        return None
    fresh = key == file_key(status) and written_ns - last_changed_ns(status) >= RACY_NS
    return value if fresh and isinstance(value, str) else None


def remember(root: Path, name: str, source: Path, value: str) -> None:
    """Keep `value`, learned from the file `source`, until that file changes."""
    folder = state_folder(root)
    try:
        status = os.stat(source)
    except OSError:
        return
    if folder is not None and time.time_ns() - last_changed_ns(status) >= RACY_NS:
        keep(folder / f"{name}.json", json.dumps([file_key(status), value]).encode())


def file_key(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_ino, status.st_mtime_ns, status.st_ctime_ns]


def last_changed_ns(status: os.stat_result) -> int:
    """When the file last changed as far as can be told: its modification time can be put back (`touch -d`,
    `os.utime`), its change time cannot; either may be the later (a modification time set ahead)."""
    return max(status.st_mtime_ns, status.st_ctime_ns)


def state_folder(root: Path) -> Path | None:
    found = git_dir(root)
    return None if found is None else found / STATE_FOLDER


def _rota_key(root: Path, status: os.stat_result) -> list[Any]:
    return [__version__, _shape(), ROTA_ENTRY_FORMAT, str(root), *file_key(status)]


@cache
def _shape() -> str:
    """Every dataclass in the rota model, field by field: what a kept rota is made of."""
    classes = sorted((c for c in vars(model).values() if isinstance(c, type) and is_dataclass(c)),
                     key=lambda c: c.__qualname__)
    return repr([(c.__qualname__, [(f.name, str(f.type)) for f in fields(c)]) for c in classes])


# The last whole rota loaded in this process, with its entry's key: a write reads the rota to plan its
# change and again to place it in the file, and loads it once (a write that loads only the recent talks
# unpickles those twice: a few hundred). The key names the file's state, so a file changed meanwhile
# misses it as it misses the entry.
_last_loaded: tuple[list[Any], Rota] | None = None


def _kept_rota(
    entry: Path, key: list[Any], changed_ns: int, since: Callable[[Settings], date] | None
) -> Rota | None:
    global _last_loaded
    if _last_loaded is not None and _last_loaded[0] == key:
        return _last_loaded[1]
    try:
        with entry.open("rb") as handle:
            if not _fresh(handle, key, changed_ns):
                return None
            handle.readline()  # the file's digest
            recent_from, rota = OwnUnpickler(handle).load()
            if not isinstance(rota, Rota):
                return None
            if recent_from is None or since is None or since(rota.settings) < recent_from:
                count = OwnUnpickler(handle).load()
                # Each a pickle of its own: a new unpickler, a new memo.
                chunks = [OwnUnpickler(handle).load() for _ in range(count)]
                if not all(isinstance(chunk, tuple) for chunk in chunks):
                    return None
                rota = replace(rota, talks=tuple(chain(*chunks, rota.talks)), talks_since=None)
                _last_loaded = (key, rota)
    except Exception:  # whatever a damaged entry raises only means parsing the file again
        return None
    return rota


def _fresh(handle: BinaryIO, key: list[Any], changed_ns: int) -> bool:
    """Whether the entry open in `handle` was kept for `key`, and written long enough after the file it
    was parsed from had last changed (`changed_ns`) to be trusted; reads the entry's key line."""
    written_ns = os.fstat(handle.fileno()).st_mtime_ns
    return bool(json.loads(handle.readline()) == key and written_ns - changed_ns >= RACY_NS)


class OwnUnpickler(pickle.Unpickler):
    """Loads only dates and the dataclasses and enums of lunchlearn's rota package.

    pickle, for speed, in 0600 files under .git/ that only lunchlearn writes: whoever can write there can
    run code through git's hooks anyway, and the unpickler refuses any other class all the same.
    """

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("datetime", "date"):
            return super().find_class(module, name)
        if module.startswith(f"{model.__name__.rpartition('.')[0]}."):
            try:
                found = super().find_class(module, name)
            except (ImportError, AttributeError):  # a damaged entry names what does not exist
                found = None
            if is_dataclass(found) or (isinstance(found, type) and issubclass(found, Enum)):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a rota")

    def load(self) -> Any:
        with cycle_collector_paused():
            return super().load()


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a rota's objects are made: it would scan those made so far again
    and again (a third of unpickling 10,000 talks, a fifth of parsing them), to find no cycle."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _holidays_key(region: HolidayRegion) -> str:
    return f"{region.country}-{region.subdiv}@{_holidays_names()}"


def _holidays_names() -> str:
    """Which names the holidays kept have: the package's version and the names' language."""
    return f"{_holidays_version()}/{NAMES_LANGUAGE}"


@cache
def _holidays_version() -> str:
    """The `holidays` package's version, read from its files so the package is not loaded: the version
    its version file spells out, or else that file's path and state (it reads the version from the
    package's metadata, and an upgrade writes it anew)."""
    import re

    source = holidays_version_file()
    try:
        text = "" if source is None else source.read_text(encoding="utf-8")
        state = "" if source is None else repr(file_key(os.stat(source)))
    except OSError:
        text = state = ""
    found = re.search(r"""__version__\s*=\s*["']([^"']+)""", text)
    return found.group(1) if found else f"{source}{state}"


def remember_checked_regions(root: Path) -> None:
    """Take each region whose holidays were kept with this version of the package as valid (see
    public_holidays.remember_valid): parsing schedule.yaml after a change then does not load the package's
    list of countries (≈40 ms)."""
    folder = state_folder(root)
    try:
        kept = json.loads((folder / HOLIDAYS_ENTRY).read_bytes()) if folder else {}
    except (OSError, ValueError):
        return
    for key in kept if isinstance(kept, dict) else ():
        region, _, version = str(key).partition("@")
        if version == _holidays_names():
            country, _, subdiv = region.partition("-")
            remember_valid(HolidayRegion(country, subdiv))


@cache
def holidays_version_file() -> Path | None:
    """The file that names the installed `holidays` package's version, found without loading the package."""
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    return None if spec is None or spec.origin is None else Path(spec.origin).parent / "version.py"


def keep(entry: Path, data: bytes, rest: BinaryIO | None = None) -> None:
    """Replace the entry atomically with `data` and what `rest` has left to read (copied a block at a time),
    readable by this user only; a failure only means no entry.

    Not fsynced: an entry lost in a crash costs one parse.
    """
    import shutil
    import tempfile

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".cache-", dir=entry.parent)  # mode 0600
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if rest is not None:
                shutil.copyfileobj(rest, handle)
        os.replace(temporary, entry)
    except OSError:
        Path(temporary).unlink(missing_ok=True)

