"""The programme's figures for `stats`: sessions held, skipped and open, people, tags and articles. No I/O.

The sessions counted are the programme's weekdays from `since` up to and including `today`. Each is
**held** (a talk on it, and it is neither skipped nor a public holiday), **skipped** (a skip written in
the rota, or else one of the region's public holidays; the two are counted apart) or **open** (neither).
Every figure about talks counts only held talks: talks from `since` to `today` not on a skipped week or
public holiday (a talk on another weekday, from before the weekday changed, counts, though it is no session).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from lunchlearn.rota.model import (
    Rota,
    Talk,
    format_day,
    person_key,
    plural,
    session_dates,
    talks_by_person,
    time_ago,
)

if TYPE_CHECKING:  # the feedback parser loads PyYAML, which `suggest` does not need
    from lunchlearn.rota.feedback import Feedback


@dataclass(frozen=True)
class ArticleFacts:
    """What the stats need from a talk's article front matter."""

    status: str = "missing"
    tags: tuple[str, ...] = ()
    published_on: date | None = None  # the day `publish` first published it; None before it recorded that


NO_ARTICLE = ArticleFacts()  # the facts of a talk with no article


@dataclass(frozen=True)
class Sessions:
    """How the counted sessions went; `total` is their sum."""

    held: int
    skipped: int  # a skip written in the rota
    holidays: int  # a public holiday of the rota's region, not also a written skip
    open: int

    @property
    def total(self) -> int:
        return self.held + self.skipped + self.holidays + self.open


@dataclass(frozen=True)
class Person:
    name: str
    talks_given: int  # held talks in the counted sessions
    last_talk: date | None  # the latest of them
    weeks_since: int | None  # whole weeks from the last talk to today: (today - last_talk).days // 7
    feedback_average: float | None  # the mean of every rating given on their held talks, to 2 decimals
    ratings: int  # how many ratings that mean is over
    upcoming: int  # talks booked after today, not on a skipped week or public holiday


@dataclass(frozen=True)
class Articles:
    """Published articles among the held talks, and how many days after its talk each was first published."""

    held_talks: int
    published: int
    delay_unknown: int  # published before `publish` recorded the day (no `published_on`)
    median_days: float | None  # over the published articles whose day is known
    longest_days: int | None


# A part of the report as it is shown: its title, rows of cells, and each row's figure for a bar chart.
Section = tuple[str, list[list[str]], list[int]]


@dataclass(frozen=True)
class Stats:
    since: date
    today: date
    sessions: Sessions
    people: tuple[Person, ...]  # most talks given first, then by name
    tags: tuple[tuple[str, int], ...]  # (tag, held talks carrying it), most first, then by tag
    articles: Articles


def default_since(rota: Rota, today: date) -> date:
    """The earliest talk or written skip in the rota; today when it has none up to today."""
    return min((*(t.date for t in rota.talks), *(s.date for s in rota.skips), today))


def held_talks(rota: Rota, since: date, today: date) -> list[Talk]:
    """The talks from `since` to `today` (inclusive) that were held: not on a skipped week or holiday."""
    return [t for t in rota.talks if since <= t.date <= today and rota.skip_on(t.date) is None]


def compute(
    rota: Rota,
    articles: Mapping[date, ArticleFacts],
    feedback: Mapping[date, Sequence[Feedback]],
    since: date,
    today: date,
) -> Stats:
    """Every figure of `stats`; `rota` must know its public holidays from `since` to `today`."""
    held = held_talks(rota, since, today)
    return Stats(
        since,
        today,
        _sessions(rota, since, today),
        _people(rota, held, feedback, today),
        _tags(held, articles),
        _articles(held, articles),
    )


def _sessions(rota: Rota, since: date, today: date) -> Sessions:
    written = {s.date for s in rota.skips}
    counts: Counter[str] = Counter()
    for day in session_dates(rota.settings, since):
        if day > today:
            break
        if day in written:
            counts["skipped"] += 1
        elif rota.skip_on(day) is not None:
            counts["holidays"] += 1
        elif rota.talk_on(day) is not None:
            counts["held"] += 1
        else:
            counts["open"] += 1
    return Sessions(counts["held"], counts["skipped"], counts["holidays"], counts["open"])


def people_names(rota: Rota) -> list[str]:
    """Everyone in the programme, once each: `people:`, then presenters (latest talk first), then standby.

    A person's name is spelt as `people:` spells it, else as their latest talk does.
    """
    names: dict[str, str] = {}  # person_key -> the name as first met
    latest_first = sorted(rota.talks, key=lambda t: t.date, reverse=True)
    for name in (*rota.people, *(t.presenter for t in latest_first), *rota.standby):
        names.setdefault(person_key(name), name)
    return list(names.values())


def _people(
    rota: Rota, held: list[Talk], feedback: Mapping[date, Sequence[Feedback]], today: date
) -> tuple[Person, ...]:
    held_by = talks_by_person(held)
    people = []
    for name in people_names(rota):
        given = held_by.get(person_key(name), [])
        ratings = [entry.rating for t in given for entry in feedback.get(t.date, ())]
        last = max((t.date for t in given), default=None)
        upcoming = [t for t in rota.talks_of(name) if t.date > today]
        people.append(
            Person(
                name,
                len(given),
                last,
                None if last is None else (today - last).days // 7,
                rounded(sum(ratings), len(ratings), 2) if ratings else None,
                len(ratings),
                sum(1 for t in upcoming if rota.skip_on(t.date) is None),
            )
        )
    return tuple(sorted(people, key=lambda p: (-p.talks_given, p.name.casefold(), p.name)))


def _tags(held: list[Talk], articles: Mapping[date, ArticleFacts]) -> tuple[tuple[str, int], ...]:
    """Held talks per tag, one tag however it is typed (as sites file them), spelt as its latest talk does."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for talk in sorted(held, key=lambda t: t.date):
        tags = {person_key(tag): tag for tag in articles.get(talk.date, NO_ARTICLE).tags}
        counts.update(tags.keys())
        spelling |= tags
    named = ((spelling[key], count) for key, count in counts.items())
    return tuple(sorted(named, key=lambda item: (-item[1], item[0].casefold(), item[0])))


def _articles(held: list[Talk], articles: Mapping[date, ArticleFacts]) -> Articles:
    import statistics  # only to compute: a kept view's figures are rendered without it

    facts = [(t, articles.get(t.date, NO_ARTICLE)) for t in held]
    published = [(t, f) for t, f in facts if f.status == "published"]
    delays = [(f.published_on - t.date).days for t, f in published if f.published_on is not None]
    return Articles(
        len(held),
        len(published),
        len(published) - len(delays),
        statistics.median(delays) if delays else None,
        max(delays, default=None),
    )


def percent(count: int, total: int) -> float:
    """`count` as a share of `total`, in percent to one decimal; 0 when there is nothing to share."""
    return rounded(100 * count, total, 1) if total else 0.0


def rounded(numerator: int, denominator: int, places: int) -> float:
    """`numerator / denominator` to `places` decimals, halves up as people round (6.25 is 6.3, not 6.2)."""
    scale: int = 10**places
    # In whole numbers, so exactly: floor(x + 1/2) with x = numerator * scale / denominator, both counts.
    return ((2 * numerator * scale + denominator) // (2 * denominator)) / scale


def session_rows(figures: Stats) -> list[tuple[str, str, int]]:
    """(JSON key, label, count) for each way a session went."""
    sessions = figures.sessions
    return [("held", "held", sessions.held), ("skipped", "skipped", sessions.skipped),
            ("public_holidays", "public holiday", sessions.holidays), ("open", "left open", sessions.open)]


def report_sections(figures: Stats) -> list[Section]:
    """(title, rows of cells, each row's bar length) for the sessions, people, tags and articles."""
    total = figures.sessions.total
    sessions = [[label, str(count), f"{percent(count, total):g}%"] for _, label, count in session_rows(figures)]
    people = [
        [p.name, plural(p.talks_given, "talk"), _last_talk(p, figures.today), _feedback(p), f"{p.upcoming} upcoming"]
        for p in figures.people
    ]
    tags = [[tag, plural(count, "talk")] for tag, count in figures.tags]
    articles = figures.articles
    return [
        (f"Sessions ({total})", sessions, [count for _, _, count in session_rows(figures)]),
        ("People: talks given", people, [p.talks_given for p in figures.people]),
        ("Tags: held talks carrying each", tags, [count for _, count in figures.tags]),
        ("Articles", [[line] for line in _article_lines(articles)], []),
    ]


def _last_talk(person: Person, today: date) -> str:
    if person.last_talk is None:  # they may have given talks before `--since`
        return "no talk in this period"
    return f"last {format_day(person.last_talk)}, {time_ago(person.last_talk, today)}"


def _feedback(person: Person) -> str:
    if person.feedback_average is None:
        return "no ratings"
    return f"rated {person.feedback_average:g} ({plural(person.ratings, 'rating')})"


def _article_lines(articles: Articles) -> list[str]:
    lines = [f"{articles.published} of {plural(articles.held_talks, 'held talk')} have a published article"]
    if articles.median_days is not None:
        days = "day" if articles.median_days == 1 else "days"
        lines.append(f"published {articles.median_days:g} {days} after the talk (median), "
                     f"{articles.longest_days} at the longest")
    if articles.delay_unknown:
        lines.append(f"{plural(articles.delay_unknown, 'article')} published before lunchlearn recorded the day: "
                     "delay unknown")
    return lines
