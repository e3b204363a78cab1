"""Whom to ask for the next open slots, ranked fairly and reproducibly from the rota alone. No I/O.

The pool is everyone in `people:`, everyone who has presented and everyone on standby, once each.
A talk counts as given when its date is today or earlier and its week was neither skipped nor a public
holiday. The ranking: people who never gave a talk first; then the earliest last talk given; ties go to
fewer talks given, then people on standby, then the name (case aside). Weeks are calendar weeks, so a
skipped week or a holiday never moves anyone down; no clock but today, no randomness, no git history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lunchlearn.rota.model import (
    Rota,
    Session,
    Talk,
    format_day,
    limit_refusal,
    open_slots,
    person_key,
    plural,
    talks_by_person,
    time_ago,
)
from lunchlearn.rota.stats import held_talks, people_names


@dataclass(frozen=True)
class Candidate:
    name: str
    talks_given: int
    last_given: date | None
    on_standby: bool
    reason: str  # why they rank where they do, in words


@dataclass(frozen=True)
class Suggestions:
    slots: tuple[Session, ...]  # the next open dates within the horizon
    ranked: tuple[Candidate, ...]
    at_limit: tuple[str, ...]  # left out: they already hold as many upcoming talks as the rota allows
    max_upcoming: int


def suggest(rota: Rota, today: date, count: int) -> Suggestions:
    """The next `count` open slots and the ranked pool; `rota` must know its public holidays."""
    given = talks_by_person(held_talks(rota, date.min, today))
    standby = {person_key(name) for name in rota.standby}
    candidates, at_limit = [], []
    for name in people_names(rota):
        key = person_key(name)
        if limit_refusal(rota, name, today) is not None:
            at_limit.append(name)
        else:
            candidates.append(_candidate(rota, name, given.get(key, []), key in standby, today))
    candidates.sort(key=_rank)
    at_limit.sort(key=lambda name: (name.casefold(), name))
    return Suggestions(tuple(open_slots(rota, today)[:count]), tuple(candidates), tuple(at_limit),
                       rota.settings.max_upcoming)


def _rank(candidate: Candidate) -> tuple[bool, date, int, bool, str, str]:
    return (
        candidate.last_given is not None,
        candidate.last_given or date.min,
        candidate.talks_given,
        not candidate.on_standby,
        candidate.name.casefold(),
        candidate.name,
    )


def _candidate(rota: Rota, name: str, theirs: list[Talk], standby: bool, today: date) -> Candidate:
    """`name`'s place in the ranking, from `theirs`: the talks they gave."""
    last = max((t.date for t in theirs), default=None)
    if last is None:
        reasons = ["has not presented yet"]
    else:
        weeks = (today - last).days // 7
        lately = f"hasn't presented in {plural(weeks, 'week')}" if weeks else f"presented {time_ago(last, today)}"
        reasons = [f"{lately} (last talk {format_day(last)}; {plural(len(theirs), 'talk')} given)"]
    reasons += [_not_counted(rota, t) for t in sorted(rota.talks_of(name), key=lambda t: t.date)
                if (last or date.min) < t.date <= today and rota.skip_on(t.date) is not None]
    if standby:
        reasons.append("on standby")
    return Candidate(name, len(theirs), last, standby, "; ".join(reasons))


def _not_counted(rota: Rota, talk: Talk) -> str:
    written = any(s.date == talk.date for s in rota.skips)
    skip = rota.skip_on(talk.date)
    reason = f" ({skip.reason})" if skip else ""
    why = f"was on a skipped week{reason}" if written else f"fell on a public holiday{reason}"
    return f"their talk of {format_day(talk.date)} {why}, so it does not count against them"
