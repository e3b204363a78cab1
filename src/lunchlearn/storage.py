"""The rota's files on disk: paths kept inside the repository, atomic writes, reading text."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lunchlearn.errors import BadInput, RotaFileError, UnsafePath
from lunchlearn.rota.model import (
    ARTICLE_STATUSES,
    FEEDBACK_SUFFIX,
    SCHEDULE,
    TALKS_DIR,
    Rota,
    Talk,
    is_http_address,
    iso_date,
)

if TYPE_CHECKING:  # the parsers load PyYAML: imported by the functions that parse, not by every read
    from lunchlearn.rota.feedback import Feedback, TalkFeedback
    from lunchlearn.rota.ideas import Idea
    from lunchlearn.rota.yamltext import Problem


def unparsed(problems: list[Problem]) -> RotaFileError:
    """The error for a file that does not parse: its first problem, and how many more there are."""
    more = f" (and {len(problems) - 1} more; run lunchlearn check)" if len(problems) > 1 else ""
    return RotaFileError(f"{problems[0]}{more}; fix the file and try again")


def read_rota(root: Path) -> Rota:
    """Load schedule.yaml, raising RotaFileError (file:line:col) on the first problem."""
    from lunchlearn.rota.schedule_file import parse_rota
    from lunchlearn.rota.yamltext import Problem, decode

    path = root / SCHEDULE
    text = decode(read_file(path), str(path))
    if isinstance(text, Problem):
        raise RotaFileError(str(text))
    rota, problems = parse_rota(text, str(path))
    if rota is None:
        raise unparsed(problems)
    return rota


def read_ideas(root: Path) -> tuple[Idea, ...]:
    """Load ideas.yaml (none when it is absent), raising RotaFileError (file:line:col) on the first problem."""
    from lunchlearn.rota.ideas import IDEAS, parse_ideas

    text = read_text(root, IDEAS)
    if text is None:
        return ()
    ideas, problems = parse_ideas(text, IDEAS)
    if ideas is None:
        raise unparsed(problems)
    return ideas


def read_feedback(root: Path, day: date) -> TalkFeedback | None:
    """The feedback on the talk of `day`; None when nobody gave any. RotaFileError (file:line:col) when
    the file does not parse."""
    from lunchlearn.rota.feedback import feedback_path, parse_feedback

    path = feedback_path(day)
    text = read_text(root, path)
    if text is None:
        return None
    feedback, problems = parse_feedback(text, path)
    if feedback is None:
        raise unparsed(problems)
    return feedback


def read_all_feedback(root: Path) -> dict[date, tuple[Feedback, ...]]:
    """Every talk's feedback, by the talk's date; RotaFileError on the first file that does not parse."""
    days = sorted(
        day for entry in (root / TALKS_DIR).glob(f"*{FEEDBACK_SUFFIX}")
        if (day := iso_date(entry.name.removesuffix(FEEDBACK_SUFFIX))) is not None
    )
    found = {day: read_feedback(root, day) for day in days}
    return {day: feedback.entries for day, feedback in found.items() if feedback is not None}


def talk_files(root: Path) -> set[str]:
    """Every name in the talks folder, as rota-relative paths: the names a new article must not take."""
    try:
        names = os.listdir(root / TALKS_DIR)  # plain names: a Path for each of thousands costs more
    except (FileNotFoundError, NotADirectoryError):
        return set()
    return {f"{TALKS_DIR}/{name}" for name in names}


def article_status(root: Path, talk: Talk) -> str:
    """The article's status from its front matter: `missing` or `unreadable` when it cannot say."""
    return article_facts(root, talk.article)[0]


def article_facts(root: Path, article: str) -> tuple[str, dict[str, Any]]:
    """An article's status and front matter from one read: `missing` or `unreadable`, and no front
    matter, when it cannot say."""
    from lunchlearn.rota.article_file import parse_front_matter

    try:
        text = read_file(safe_path(root, article)).decode("utf-8")
    except FileNotFoundError:
        return "missing", {}
    except (OSError, UnicodeDecodeError, UnsafePath):
        return "unreadable", {}
    meta = parse_front_matter(text, article).meta
    if meta is None:
        return "unreadable", {}
    status = meta.get("status")
    return (status if status in ARTICLE_STATUSES else "unreadable"), meta


def read_front_matter(root: Path, talk: Talk) -> dict[str, Any]:
    """The article's front matter, {} when there is no article; RotaFileError (file:line:col) when it does
    not parse, so no figure is worked out from an article that could not be read."""
    from lunchlearn.rota.article_file import parse_front_matter

    text = read_text(root, talk.article)
    if text is None:
        return {}
    front = parse_front_matter(text, talk.article)
    if front.meta is None:
        raise unparsed(front.problems)
    return front.meta


def published_url(front_matter: dict[str, Any]) -> str:
    """The public address `publish` recorded in an article's front matter; empty when it knows none."""
    url = front_matter.get("published_url")
    return url if isinstance(url, str) and is_http_address(url) else ""


def safe_path(root: Path, relative: str) -> Path:
    """`root/relative`, refusing anything that resolves outside root (`..`, absolute, symlinks)."""
    base = _resolved(root)
    if os.path.isabs(relative):
        raise UnsafePath(f"{relative!r} points outside {base}; refusing to touch it")
    # A plain path with no link on the way stays inside: one lstat per part below root, not per part of
    # the whole path as resolving takes, in plain strings (`remind` and `check` ask for every article).
    parts = [part for part in relative.replace(os.sep, "/").split("/") if part not in ("", ".")]
    here = str(base)
    if ".." not in parts and not any(os.path.islink(here := os.path.join(here, part)) for part in parts):
        return base / relative
    if not (base / relative).resolve().is_relative_to(base):
        raise UnsafePath(f"{relative!r} points outside {base}; refusing to touch it")
    return base / relative


def file_statuses(root: Path, relatives: Iterable[str]) -> dict[str, os.stat_result | None]:
    """Each file's os.stat where safe_path accepts it and it exists, else None: one system call per file,
    each folder checked once, for the hundreds of articles `remind` and `schedule --past` look at."""
    folders: dict[str, str | None] = {}  # plain strings: a Path per file costs more than its system call
    found: dict[str, os.stat_result | None] = {}
    for relative in relatives:
        folder, _, name = relative.replace(os.sep, "/").rpartition("/")
        if folder not in folders:
            try:
                folders[folder] = str(safe_path(root, folder))
            except UnsafePath:
                folders[folder] = None
        plain = name not in ("", ".", "..") and not os.path.isabs(relative)
        base = folders[folder] if plain else None
        try:
            status = None if base is None else os.lstat(os.path.join(base, name))
            if status is None or stat.S_ISLNK(status.st_mode):  # safe_path resolves the path and decides
                status = os.stat(safe_path(root, relative))
        except (OSError, UnsafePath):
            status = None
        found[relative] = status
    return found


@lru_cache(maxsize=8)
def _resolved(root: Path) -> Path:
    """The rota folder's real path, worked out once per process."""
    return root.resolve()


def refuse_as_output(path: Path, what: str, example_name: str) -> None:
    """Refuse a file the user named for `what` (the page, the feed) when it is a folder, or inside a .git
    folder, git's own storage, where a stray file could be taken for git's."""
    if ".git" in path.resolve().parts:
        raise BadInput(f"{path} is inside a .git folder, git's own storage; write {what} somewhere else")
    if path.is_dir():
        raise BadInput(f"{path} is a folder; give a file name for {what}, e.g. {path / example_name}")


def atomic_write(path: Path, data: str | bytes, scratch: Path | None = None) -> None:
    """Write via a temporary file, fsync and rename: readers see the old or the new file, never half.

    `scratch` holds the temporary file (under .git/) so a killed process leaves none in the work tree.
    """
    import tempfile

    directory = scratch or path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".lunchlearn-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding schedule.yaml, like git finds .git."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / SCHEDULE).is_file():
            return folder
    return None


def read_bytes(path: Path) -> bytes | None:
    """A file's bytes; None when it does not exist."""
    try:
        return read_file(path)
    except FileNotFoundError:
        return None


def read_file(path: Path | str, *, follow_links: bool = True) -> bytes:
    """A regular file's bytes. A pipe or a device is refused (OSError), not read: one that nothing writes
    to would keep the command waiting for ever."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.ESPIPE, "a pipe or device, not a file", str(path))
        file = open(descriptor, "rb")  # noqa: SIM115  (closed by the `with` below, or the descriptor here)
    except BaseException:
        os.close(descriptor)
        raise
    with file:
        return file.read()


def read_text(root: Path, relative: str) -> str | None:
    """A file's exact text, line endings and all; None when it does not exist."""
    from lunchlearn.rota.yamltext import Problem, decode

    data = read_bytes(safe_path(root, relative))
    if data is None:
        return None
    text = decode(data, relative)
    if isinstance(text, Problem):
        raise RotaFileError(str(text))
    return text
