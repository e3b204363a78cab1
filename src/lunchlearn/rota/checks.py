"""The rules behind `check`, `write`, `save` and `ready`, applied to texts already read: each problem
located as file:line:col."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lunchlearn.errors import BadInput
from lunchlearn.rota import article_file, model, similarity
from lunchlearn.rota.model import ARTICLE_STATUSES, PLACEHOLDER_PREFIX, Talk
from lunchlearn.rota.yamltext import Problem

REQUIRED_KEYS = ("title", "presenter", "date", "status")


ONE_LINE_KEYS = ("title", "presenter")  # shown in tables, messages and commit subjects


_WORD = re.compile(r"\w+(?:['’.-]\w+)*")


@dataclass(frozen=True)
class Article:
    """An article split into front matter and body, with what is wrong with its front matter."""

    path: str  # relative to the rota folder
    text: str
    meta: dict[str, Any] | None  # None when the front matter does not parse
    body_start: int  # where the body begins in `text`: `check` holds every article, each text once
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
    def body(self) -> str:
        return self.text[self.body_start :]

    @property
    def body_line(self) -> int:
        """The file line on which the body starts."""
        return self.text.count("\n", 0, self.body_start) + 1


@dataclass(frozen=True)
class Report:
    problems: list[Problem]
    articles_checked: int
    warnings: list[Problem] = field(default_factory=list)  # worth a look, but nothing is wrong


def repeated_topics(rota: model.Rota, articles: dict[str, Article], today: date) -> list[Problem]:
    """A warning for each upcoming talk whose topic and tags resemble a talk already given."""
    def words(talk: Talk) -> frozenset[str]:
        tags = (articles[talk.article].meta or {}).get("tags") if talk.article in articles else None
        listed = [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []
        return similarity.talk_words(talk, listed)

    given = [(talk, words(talk)) for talk in rota.talks if talk.date < today]
    warnings = []
    for talk in (talk for talk in rota.talks if talk.date >= today):
        found = similarity.most_like(words(talk), given)
        if found is not None:
            earlier = found.earlier
            warnings.append(
                Problem(
                    model.SCHEDULE,
                    *talk.place("topic"),
                    f"the talk on {talk.date} ({talk.topic!r}) looks like the one {earlier.presenter} gave on "
                    f"{earlier.date} ({earlier.topic!r}): both are about {', '.join(found.shared)}; "
                    "worth a look, or a different angle",
                )
            )
    return warnings


def parse_article(text: str, path: str, required: tuple[str, ...] = REQUIRED_KEYS) -> Article:
    """Parse an article and check its front matter on its own: required keys, status and date."""
    front = article_file.parse_front_matter(text, path)
    article = Article(path, text, front.meta, len(text) - len(front.body), front.problems, front.places)
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
    where = f"{model.SCHEDULE} line {talk.line}" if talk.line else model.SCHEDULE
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


def unclaimed(article: Article, claimed: Collection[str]) -> Problem | None:
    """The problem with an article no talk points to, unless it is kept, marked withdrawn."""
    if article.path in claimed or article.meta is None or is_withdrawn(article):
        return None
    return Problem(
        article.path,
        1,
        1,
        f"no talk in {model.SCHEDULE} points to this article; add its talk to the rota, set its "
        "status to withdrawn, or delete it",
    )


def duplicate_slugs(articles: dict[str, Article]) -> list[Problem]:
    """Two articles that would publish under one name; a presenter may set `slug` explicitly."""
    problems = []
    first_with: dict[str, str] = {}
    for path, article in articles.items():
        if article.meta is None or is_withdrawn(article):
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


def _front_matter_date(article: Article) -> date | None:
    try:
        return model.parse_date(article.text_of("date"))
    except BadInput:
        return None


def is_withdrawn(article: Article) -> bool:
    return article.text_of("status") == "withdrawn"
