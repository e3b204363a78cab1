"""The `check` command: every file of the rota validated, each problem located as file:line:col.

Reads files only, so `check` stays a fast reading command that never loads the git layer.
"""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from pathlib import Path

from lunchlearn import storage
from lunchlearn.errors import UnsafePath
from lunchlearn.git import readcache
from lunchlearn.rota import feedback, model, schedule_file
from lunchlearn.rota.checks import (
    Article,
    Report,
    disagreements,
    duplicate_slugs,
    is_withdrawn,
    parse_article,
    repeated_topics,
    unclaimed,
)
from lunchlearn.rota.ideas import IDEAS, parse_ideas
from lunchlearn.rota.model import Rota, Talk
from lunchlearn.rota.yamltext import Problem, decode
from lunchlearn.usecases.workspace import reading_root, today


def check_folder(root: Path) -> Report:
    """Every problem in the rota folder: schedule.yaml, its talks and the articles in talks/."""
    links = [p for p in (_link_out(root, path) for path in (model.SCHEDULE, model.TALKS_DIR)) if p is not None]
    entries = {} if any(p.file == model.TALKS_DIR for p in links) else _talks_folder(root)
    linked_articles = [path for path, entry in entries.items() if path.endswith(".md") and entry.is_symlink()]
    links += [p for p in (_link_out(root, path) for path in linked_articles) if p is not None]
    linked = {problem.file for problem in links}
    schedule_text, problems = (None, []) if model.SCHEDULE in linked else _read(root, model.SCHEDULE)
    problems += links
    rota = None if schedule_text is None else readcache.kept_rota(root)
    if schedule_text is not None and rota is None:
        readcache.remember_checked_regions(root)
        rota, rota_problems = schedule_file.parse_rota(schedule_text, model.SCHEDULE)
        problems += rota_problems
    paths = sorted(path for path, entry in entries.items() if path.endswith(".md") and path not in linked and (
        entry.is_file() or not (entry.is_dir() or entry.is_symlink())  # a pipe or device is read, and refused
    ))
    articles: dict[str, Article] = {}
    for path in paths:
        text, unreadable = _read(root, path, entries[path])
        problems += unreadable
        if text is not None:
            articles[path] = parse_article(text, path)
            problems += articles[path].problems
    warnings = []
    feedback_paths = sorted(path for path in entries if path.endswith(model.FEEDBACK_SUFFIX))
    if rota is not None:
        day = today(rota.settings)
        known = readcache.with_holidays(root, rota, day)
        problems += _rota_problems(root, known, articles)
        problems += _feedback_problems(root, known, {path: entries[path] for path in feedback_paths})
        warnings = repeated_topics(rota, articles, day)
    problems += duplicate_slugs(articles)
    problems += _ideas_problems(root)
    shown = _shown_prefix(root)
    problems.sort(key=lambda p: (p.file != model.SCHEDULE, p.file, p.line or 0))
    return Report(
        [replace(p, file=f"{shown}{p.file}") for p in problems],
        len(paths),
        [replace(w, file=f"{shown}{w.file}") for w in warnings],
    )


def _ideas_problems(root: Path) -> list[Problem]:
    """What is wrong in ideas.yaml, when there is one."""
    if not (root / IDEAS).exists() and not (root / IDEAS).is_symlink():
        return []
    text, problems = _read(root, IDEAS)
    return problems if text is None else parse_ideas(text, IDEAS)[1]


def _rota_problems(root: Path, rota: Rota, articles: dict[str, Article]) -> list[Problem]:
    problems = []
    weekday = rota.settings.weekday
    pointed_to: dict[str, Talk] = {}
    for talk in rota.talks:
        if talk.date.weekday() != rota.settings.weekday_number:
            problems.append(
                Problem(
                    model.SCHEDULE,
                    *talk.place("date"),
                    f"talk on {talk.date} is on a {talk.date:%A}, but the programme runs on "
                    f"{weekday.capitalize()}s; move it to a {weekday.capitalize()}",
                )
            )
        skip = rota.skip_on(talk.date)
        if skip is not None:
            written = skip in rota.skips
            what, undo = ("skipped date", "remove the skip") if written else ("public holiday", "withdraw it")
            problems.append(
                Problem(
                    model.SCHEDULE,
                    *talk.place("date"),
                    f"talk on {talk.date} is on a {what} ({skip.reason}); move the talk or {undo}",
                )
            )
        first = pointed_to.setdefault(talk.article, talk)
        if first is not talk:
            problems.append(
                Problem(
                    model.SCHEDULE,
                    *talk.place("article"),
                    f"the talk on {talk.date} points to {talk.article}, the article of the talk "
                    f"on {first.date} (line {first.line}); give each talk its own article",
                )
            )
            continue
        article = articles.get(talk.article)
        if article is None:
            if _missing(root, talk.article):
                problems.append(
                    Problem(
                        model.SCHEDULE,
                        *talk.place("article"),
                        f"the talk on {talk.date} has no article: {talk.article} does not exist; "
                        f"restore it from git or write it with `lunchlearn write {talk.date}`",
                    )
                )
        elif article.meta is not None:
            problems += disagreements(article, talk)
            if is_withdrawn(article):
                problems.append(
                    article.problem(
                        "status",
                        f"the article is marked withdrawn but the talk on {talk.date} is still in the "
                        "rota; withdraw the talk with `lunchlearn withdraw` or set the status back to draft",
                    )
                )
    problems += [p for p in (unclaimed(a, pointed_to.keys()) for a in articles.values()) if p is not None]
    return problems


def _feedback_problems(root: Path, rota: Rota, files: dict[str, os.DirEntry[str]]) -> list[Problem]:
    """Each feedback file parses, is named for a date, and is on a talk that has happened."""
    problems: list[Problem] = []
    now = today(rota.settings)
    for path, entry in files.items():
        text, unreadable = _read(root, path, entry)
        problems += unreadable
        if text is None:
            continue
        found, parse_problems = feedback.parse_feedback(text, path)
        problems += parse_problems
        if found is None:
            continue
        if feedback.talk_of_path(path) is None:
            rename = f"rename it {feedback.feedback_path(found.talk)}"
            problems.append(Problem(path, 1, 1, f"not named for its talk's date; {rename}"))
            continue
        where = (path, _talk_line(text), 1)
        if found.talk > now:
            problems.append(Problem(*where, f"feedback on {found.talk}, a talk that has not happened yet"))
        elif rota.talk_on(found.talk) is None:
            problems.append(Problem(*where, f"feedback on {found.talk}, but nobody presented that day"))
    return problems


def _talk_line(text: str) -> int:
    """The line of the file's `talk:` key: where a problem with the talk's date is shown."""
    return next((n for n, line in enumerate(text.splitlines(), 1) if line.startswith("talk:")), 1)


def _read(root: Path, path: str, listed: os.DirEntry[str] | None = None) -> tuple[str | None, list[Problem]]:
    """A file's text, or the problem reading it; a file `_talks_folder` listed, not a link, is read as listed."""
    try:
        data = _read_as_listed(listed) if listed and not listed.is_symlink() else None
        if data is None:
            data = storage.read_file(storage.safe_path(root, path))
    except UnsafePath as error:
        return None, [Problem(path, 1, 1, error.message)]
    except OSError as error:
        return None, [Problem(path, 1, 1, f"cannot be read: {error.strerror}")]
    text = decode(data, path)
    return (None, [text]) if isinstance(text, Problem) else (text, [])


def _read_as_listed(listed: os.DirEntry[str]) -> bytes | None:
    """The listed file's bytes; None when it has become a link since it was listed, to be read as any path is."""
    try:
        return storage.read_file(listed.path, follow_links=False)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None
        raise


def _missing(root: Path, path: str) -> bool:
    """No file at `path`; a link out of the rota folder is not missing: it is reported on its own."""
    try:
        return not storage.safe_path(root, path).is_file()
    except UnsafePath:
        return False


def _talks_folder(root: Path) -> dict[str, os.DirEntry[str]]:
    """talks/ listed once, by rota-relative path: each entry knows, with no system call of its own, whether
    it is a link or a file, so hundreds of articles cost one read each. talks/ itself is no link out."""
    try:
        with os.scandir(root / model.TALKS_DIR) as listing:
            return {f"{model.TALKS_DIR}/{entry.name}": entry for entry in listing}
    except OSError:
        return {}


def _link_out(root: Path, path: str) -> Problem | None:
    link = root / path
    if not link.is_symlink():
        return None
    try:
        storage.safe_path(root, path)
        return None
    except UnsafePath:
        kind = "folder" if path == model.TALKS_DIR else "file"
        return Problem(
            path,
            None,
            None,
            f"a symbolic link to {os.readlink(link)}, outside the rota folder, which lunchlearn will not "
            f"read or write through; put the real {kind} in its place: `git rm {path}`, move the {kind} "
            "here, `git add` it and commit",
        )


def _shown_prefix(root: Path) -> str:
    """How to name the rota folder in messages: relative to the current folder, as compilers do."""
    try:
        relative = os.path.relpath(root, Path.cwd())
    except ValueError:  # another drive on Windows
        relative = str(root)
    return "" if relative == os.curdir else f"{Path(relative).as_posix()}/"


def check(repo: Path | None) -> Report:
    """Every problem in the rota at `repo` (or the one found from here)."""
    return check_folder(reading_root(repo))
