"""Validation behind `check`, `write`, `save` and `ready`: every problem located as file:line:col.

Reads files only, so `check` stays a fast reading command that never loads the git layer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from lunchlearn import model, store
from lunchlearn.errors import BadInput, UnsafePath
from lunchlearn.model import ARTICLE_STATUSES, PLACEHOLDER_PREFIX, Rota, Talk
from lunchlearn.store import Problem

REQUIRED_KEYS = ("title", "presenter", "date", "status")
ONE_LINE_KEYS = ("title", "presenter")  # shown in tables, messages and commit subjects
_WORD = re.compile(r"\w+(?:['’.-]\w+)*")


@dataclass(frozen=True)
class Article:
    """An article split into front matter and body, with what is wrong with its front matter."""

    path: str  # relative to the rota folder
    text: str
    meta: dict[str, Any] | None  # None when the front matter does not parse
    body: str
    problems: list[Problem]
    places: dict[str, tuple[int, int]]  # each front-matter key's value, by line and column

    def line_of(self, key: str) -> tuple[int, int]:
        """Line and column of a top-level front-matter key's value; the opening --- if absent."""
        return self.places.get(key, (1, 1))

    def text_of(self, key: str) -> str:
        value = (self.meta or {}).get(key)
        return value.strip() if isinstance(value, str) else ""

    def problem(self, key: str, message: str) -> Problem:
        return Problem(self.path, *self.line_of(key), message)

    @property
    def body_line(self) -> int:
        """The file line on which the body starts."""
        return self.text[: len(self.text) - len(self.body)].count("\n") + 1


@dataclass(frozen=True)
class Report:
    problems: list[Problem]
    articles_checked: int


def parse_article(text: str, path: str, required: tuple[str, ...] = REQUIRED_KEYS) -> Article:
    """Parse an article and check its front matter on its own: required keys, status and date."""
    front = store.parse_front_matter(text, path)
    article = Article(path, text, front.meta, front.body, front.problems, front.places)
    meta, problems = front.meta, front.problems
    if meta is None:
        return article
    for key in required:
        if not article.text_of(key):
            found = "is empty" if key in meta else "is missing"
            problems.append(article.problem(key, f"front matter: {key} {found}; add `{key}: ...`"))
    for key in ONE_LINE_KEYS:
        try:
            model.check_one_line(article.text_of(key), key)
        except BadInput as error:
            problems.append(article.problem(key, f"front matter: {error.message}"))
    status = meta.get("status")
    if isinstance(status, str) and status.strip() and status.strip() not in ARTICLE_STATUSES:
        problems.append(
            article.problem(
                "status", f"status {status!r} is not one of {', '.join(ARTICLE_STATUSES)}"
            )
        )
    if article.text_of("date") and _front_matter_date(article) is None:
        problems.append(
            article.problem("date", f"date {article.text_of('date')!r} is not a date (YYYY-MM-DD)")
        )
    return article


def disagreements(article: Article, talk: Talk) -> list[Problem]:
    """Where the article's front matter contradicts the rota's entry for its talk."""
    problems = []
    day = _front_matter_date(article)
    where = f"{store.SCHEDULE} line {talk.line}" if talk.line else store.SCHEDULE
    if day is not None and day != talk.date:
        problems.append(
            article.problem(
                "date",
                f"date {day} disagrees with the rota ({where} has this talk on {talk.date}); "
                "make them the same",
            )
        )
    presenter = article.text_of("presenter")
    if presenter and not model.same_person(presenter, talk.presenter):
        problems.append(
            article.problem(
                "presenter",
                f"presenter {presenter!r} disagrees with the rota ({where} has "
                f"{talk.presenter!r}); make them the same",
            )
        )
    return problems


def readiness_gaps(article: Article, min_words: int) -> list[str]:
    """What keeps a parsed article from being ready to publish, in words for its author."""
    gaps = []
    title = article.text_of("title")
    if not title or title == model.DEFAULT_TOPIC:
        gaps.append("a title (in the front matter)")
    if not article.text_of("summary"):
        gaps.append("a summary (one or two sentences in the front matter)")
    placeholders = [
        str(article.body_line + number)
        for number, line in enumerate(article.body.split("\n"))
        if line.strip().startswith(PLACEHOLDER_PREFIX)
    ]
    if placeholders:
        gaps.append(
            f"your text in place of {model.plural(len(placeholders), 'outline placeholder')} "
            f"({PLACEHOLDER_PREFIX} at line {', '.join(placeholders)})"
        )
    words = count_words(article.body)
    if words < min_words:
        gaps.append(f"at least {min_words} words (the body has {words})")
    return gaps


def count_words(body: str) -> int:
    """Words of prose: headings and placeholders do not count, so an outline is not an article."""
    prose = (
        line
        for line in body.splitlines()
        if not line.lstrip().startswith(("#", PLACEHOLDER_PREFIX))
    )
    return sum(len(_WORD.findall(line)) for line in prose)


def check_folder(root: Path) -> Report:
    """Every problem in the rota folder: schedule.yaml, its talks and the articles in talks/."""
    links = _links_out(root)
    linked = {problem.file for problem in links}
    schedule_text, problems = (None, []) if store.SCHEDULE in linked else _read(root, store.SCHEDULE)
    problems += links
    rota: Rota | None = None
    if schedule_text is not None:
        rota, rota_problems = store.parse_rota(schedule_text, store.SCHEDULE)
        problems += rota_problems
    paths = sorted(
        path
        for path in _article_paths(root, linked)
        if path not in linked and (root / path).is_file()
    )
    articles: dict[str, Article] = {}
    for path in paths:
        text, unreadable = _read(root, path)
        problems += unreadable
        if text is not None:
            articles[path] = parse_article(text, path)
            problems += articles[path].problems
    if rota is not None:
        problems += _rota_problems(root, rota, articles)
    problems += _duplicate_slugs(articles)
    shown = _shown_prefix(root)
    problems.sort(key=lambda p: (p.file != store.SCHEDULE, p.file, p.line or 0))
    return Report([replace(p, file=f"{shown}{p.file}") for p in problems], len(paths))


def _rota_problems(root: Path, rota: Rota, articles: dict[str, Article]) -> list[Problem]:
    problems = []
    weekday = rota.settings.weekday
    pointed_to: dict[str, Talk] = {}
    for talk in rota.talks:
        if talk.date.weekday() != rota.settings.weekday_number:
            problems.append(
                Problem(
                    store.SCHEDULE,
                    *_talk_field(talk, "date"),
                    f"talk on {talk.date} is on a {talk.date:%A}, but the programme runs on "
                    f"{weekday.capitalize()}s; move it to a {weekday.capitalize()}",
                )
            )
        skip = rota.skip_on(talk.date)
        if skip is not None:
            problems.append(
                Problem(
                    store.SCHEDULE,
                    *_talk_field(talk, "date"),
                    f"talk on {talk.date} is on a skipped date ({skip.reason}); move the talk or "
                    "remove the skip",
                )
            )
        first = pointed_to.setdefault(talk.article, talk)
        if first is not talk:
            problems.append(
                Problem(
                    store.SCHEDULE,
                    *_talk_field(talk, "article"),
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
                        store.SCHEDULE,
                        *_talk_field(talk, "article"),
                        f"the talk on {talk.date} has no article: {talk.article} does not exist; "
                        f"restore it from git or write it with `lunchlearn write {talk.date}`",
                    )
                )
        elif article.meta is not None:
            problems += disagreements(article, talk)
            if _is_withdrawn(article):
                problems.append(
                    article.problem(
                        "status",
                        f"the article is marked withdrawn but the talk on {talk.date} is still in the "
                        "rota; withdraw the talk with `lunchlearn withdraw` or set the status back to draft",
                    )
                )
    problems += [p for p in (unclaimed(a, pointed_to.keys()) for a in articles.values()) if p is not None]
    return problems


def unclaimed(article: Article, claimed: Collection[str]) -> Problem | None:
    """The problem with an article no talk points to, unless it is kept, marked withdrawn."""
    if article.path in claimed or article.meta is None or _is_withdrawn(article):
        return None
    return Problem(
        article.path,
        1,
        1,
        f"no talk in {store.SCHEDULE} points to this article; add its talk to the rota, set its "
        "status to withdrawn, or delete it",
    )


def _duplicate_slugs(articles: dict[str, Article]) -> list[Problem]:
    """Two articles that would publish under one name; a presenter may set `slug` explicitly."""
    problems = []
    first_with: dict[str, str] = {}
    for path, article in articles.items():
        if article.meta is None or _is_withdrawn(article):
            continue
        slug = article.text_of("slug") or model.file_slug(path)
        if article.text_of("slug"):
            try:
                model.check_slug(slug)
            except BadInput as error:
                problems.append(article.problem("slug", error.message))
                continue
        first = first_with.setdefault(slug, path)
        if first != path:
            key = "slug" if article.text_of("slug") else "title"
            problems.append(
                article.problem(
                    key,
                    f"slug {slug!r} is already used by {first}; give this article its own "
                    "`slug: ...` in the front matter or rename the file",
                )
            )
    return problems


def _talk_field(talk: Talk, key: str) -> tuple[int, int]:
    """Line and column of one field's value within the talk's entry in schedule.yaml."""
    return next(((line, column) for name, line, column in talk.places if name == key), (talk.line or 1, 1))


def _front_matter_date(article: Article) -> date | None:
    try:
        return model.parse_date(article.text_of("date"))
    except BadInput:
        return None


def _is_withdrawn(article: Article) -> bool:
    return article.text_of("status") == "withdrawn"


def _read(root: Path, path: str) -> tuple[str | None, list[Problem]]:
    try:
        data = store.safe_path(root, path).read_bytes()
    except UnsafePath as error:
        return None, [Problem(path, 1, 1, error.message)]
    except OSError as error:
        return None, [Problem(path, 1, 1, f"cannot be read: {error.strerror}")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Problem(path, line, 1, "not UTF-8 text; save it as UTF-8")]


def _missing(root: Path, path: str) -> bool:
    """No file at `path`; a link out of the rota folder is not missing: it is reported on its own."""
    try:
        return not store.safe_path(root, path).is_file()
    except UnsafePath:
        return False


def _article_paths(root: Path, linked: Collection[str]) -> list[str]:
    """The talks/*.md entries, links included; none when talks/ itself leads out of the rota folder."""
    if store.TALKS_DIR in linked:
        return []
    return [f"{store.TALKS_DIR}/{entry.name}" for entry in (root / store.TALKS_DIR).glob("*.md")]


def _links_out(root: Path) -> list[Problem]:
    """Symbolic links leading out of the rota folder, which every writer refuses to follow."""
    links = [_link_out(root, path) for path in (store.SCHEDULE, store.TALKS_DIR)]
    links += [_link_out(root, path) for path in _article_paths(root, {p.file for p in links if p})]
    return [problem for problem in links if problem is not None]


def _link_out(root: Path, path: str) -> Problem | None:
    link = root / path
    if not link.is_symlink():
        return None
    try:
        store.safe_path(root, path)
        return None
    except UnsafePath:
        kind = "folder" if path == store.TALKS_DIR else "file"
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
