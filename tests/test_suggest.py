"""`suggest`: whom to ask for the next open dates, fairly and reproducibly, through the CLI and as properties."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lunchlearn.rota import fairness
from lunchlearn.rota.model import Rota, Skip, Talk
from tests.helpers import lunchlearn
from tests.test_stats import TODAY, make_programme


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    return make_programme(tmp_path / "rota")


def test_suggest_ranks_the_pool_and_says_why(programme: Path) -> None:
    result = lunchlearn("suggest", "--count", "3", "--json", cwd=programme, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # The open dates from today: 29 Jan (inside the two weeks' notice), then 12 and 19 Feb (5 Feb is Ann's).
    assert data["slots"] == [{"date": "2027-01-29", "short_notice": True},
                             {"date": "2027-02-12", "short_notice": False},
                             {"date": "2027-02-19", "short_notice": False}]
    # Never presented first (standby before not, then by name); then the earliest last talk: Cy 11 Dec, bob 18 Dec.
    assert [s["name"] for s in data["suggestions"]] == ["Fay", "Gus", "Dee", "Cy", "bob"]
    # Ann (5 Feb) and Eve (today) each hold an upcoming talk, the limit.
    assert data["left_out"] == ["Ann", "Eve"] and data["max_upcoming"] == 1
    reasons = {s["name"]: s["reason"] for s in data["suggestions"]}
    assert reasons["Dee"] == (
        "has not presented yet; their talk of Fri 25 Dec 2026 fell on a public holiday (Christmas Day), "
        "so it does not count against them"
    )
    assert reasons["Cy"] == "hasn't presented in 6 weeks (last talk Fri 11 Dec 2026; 1 talk given)"
    assert reasons["Fay"] == "has not presented yet; on standby"


def test_suggest_in_words(programme: Path) -> None:
    result = lunchlearn("suggest", cwd=programme, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    assert "1. Fay: has not presented yet; on standby" in result.stdout
    assert "5. bob: hasn't presented in 5 weeks (last talk Fri 18 Dec 2026; 2 talks given)" in result.stdout
    assert "Left out, 2 people: Ann, Eve; each already holds 1 upcoming talk, the limit (max_upcoming)" in result.stdout


@pytest.mark.parametrize("count", ["0", "-1", "many"])
def test_a_bad_count_is_refused(programme: Path, count: str) -> None:
    result = lunchlearn("suggest", "--count", count, cwd=programme)

    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "--count" in result.stderr


# Properties of the ranking, on rotas built from a handful of people over 40 Fridays around a fixed today.
DAY = date(2027, 1, 22)  # a Friday
NAMES = ("Ann", "Bob", "Cy", "Dee", "Eve", "Fay")
WEEKS = range(-30, 10)
Item = TypeVar("Item")


def _friday(week: int) -> date:
    return DAY + timedelta(weeks=week)


@st.composite
def rotas(draw: st.DrawFn) -> Rota:
    weeks = draw(st.lists(st.sampled_from(WEEKS), unique=True, max_size=20))
    talks = tuple(Talk(_friday(w), draw(st.sampled_from(NAMES)), "Topic", f"talks/{w}.md") for w in weeks)
    free = [w for w in WEEKS if w not in weeks]
    skips = tuple(Skip(_friday(w), "Event") for w in draw(st.lists(st.sampled_from(free), unique=True, max_size=5)))
    people = tuple(draw(st.lists(st.sampled_from(NAMES), unique=True)))
    standby = tuple(draw(st.lists(st.sampled_from(NAMES), unique=True)))
    # Holidays on any week, booked or not: a talk may fall on one.
    holidays = tuple(Skip(_friday(w), "Holiday") for w in draw(st.lists(st.sampled_from(WEEKS), unique=True,
                                                                       max_size=5)))
    return Rota(talks=talks, skips=skips, people=people, standby=standby, public_holidays=holidays)


def _order(rota: Rota) -> list[str]:
    return [c.name for c in fairness.suggest(rota, DAY, 3).ranked]


@given(rotas(), st.randoms())
def test_the_order_does_not_depend_on_the_order_of_the_file(rota: Rota, shuffler: Random) -> None:
    def shuffled(items: tuple[Item, ...]) -> tuple[Item, ...]:
        return tuple(shuffler.sample(items, len(items)))

    permuted = replace(rota, talks=shuffled(rota.talks), skips=shuffled(rota.skips), people=shuffled(rota.people),
                       standby=shuffled(rota.standby), public_holidays=shuffled(rota.public_holidays))

    assert fairness.suggest(permuted, DAY, 3) == fairness.suggest(rota, DAY, 3)


@given(rotas())
def test_who_presented_least_recently_ranks_first(rota: Rota) -> None:
    ranked = fairness.suggest(rota, DAY, 3).ranked
    keys = [(c.last_given is not None, c.last_given or date.min) for c in ranked]

    assert keys == sorted(keys)
    for first, second in itertools.pairwise(ranked):
        if first.last_given == second.last_given:  # equals: fewer talks given, then standby, first
            assert (first.talks_given, not first.on_standby) <= (second.talks_given, not second.on_standby)


@given(rotas(), st.lists(st.sampled_from(WEEKS), unique=True, min_size=1, max_size=8), st.booleans())
def test_skipped_weeks_and_holidays_without_a_talk_never_change_the_order(
    rota: Rota, weeks: list[int], as_holidays: bool
) -> None:
    booked = {t.date for t in rota.talks}
    closed = tuple(Skip(_friday(w), "Closed") for w in weeks if _friday(w) not in booked)
    more = replace(rota, **{"public_holidays": rota.public_holidays + closed} if as_holidays
                   else {"skips": rota.skips + closed})

    assert _order(more) == _order(rota)


@given(rotas(), st.data())
def test_a_past_talk_whose_week_became_a_holiday_counts_as_never_given(rota: Rota, data: st.DataObject) -> None:
    past = [t for t in rota.talks if t.date <= DAY and rota.skip_on(t.date) is None]
    if not past:
        return
    talk = data.draw(st.sampled_from(past))
    holiday = replace(rota, public_holidays=(*rota.public_holidays, Skip(talk.date, "Holiday")))
    # Without the talk, its presenter stays in the pool only when named elsewhere: name them under people:.
    without = replace(rota, talks=tuple(t for t in rota.talks if t != talk), people=(*rota.people, talk.presenter))

    assert _order(holiday) == _order(without)
