"""The 3-way rota merge by meaning (properties) and the merge driver git runs."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunchlearn.rota import schedule_file
from lunchlearn.rota.merge import entry_on, merge_names, merge_rotas, plan_replay, take_theirs
from lunchlearn.rota.model import Rota, Settings, Skip, Talk
from tests.helpers import lunchlearn

DAYS = [date(2026, 12, 4) + timedelta(weeks=week) for week in range(8)]
ROOMS = ("Main meeting room", "Canteen", "Roof")


def _talk(day: date, presenter: str, topic: str) -> Talk:
    return Talk(day, presenter, topic, f"talks/{day.isoformat()}-{topic.lower()}.md")


entries = st.one_of(
    st.builds(_talk, st.just(DAYS[0]), st.sampled_from(["Ann", "Bob", "Cid"]), st.sampled_from(["Git", "Rust"])),
    st.builds(Skip, st.just(DAYS[0]), st.sampled_from(["Holiday", "Offsite"])),
)


@st.composite
def rotas(draw: st.DrawFn, days: list[date] = DAYS) -> Rota:
    chosen = draw(st.dictionaries(st.sampled_from(days), entries, max_size=len(days)))
    placed = [replace(entry, date=day) for day, entry in sorted(chosen.items())]
    talks = tuple(replace(t, article=f"talks/{t.date}-{t.topic.lower()}.md") for t in placed if isinstance(t, Talk))
    lead = draw(st.integers(0, 4))
    settings = Settings(
        room=draw(st.sampled_from(ROOMS)),
        max_upcoming=draw(st.integers(1, 3)),
        lead_weeks=lead,
        horizon_weeks=draw(st.integers(max(lead, 1), 6)),
    )
    return Rota(settings, tuple(s for s in placed if isinstance(s, Skip)), talks)


@given(rotas(), rotas())
def test_the_same_change_on_both_sides_merges_to_it(base: Rota, changed: Rota) -> None:
    merged = merge_rotas(base, changed, changed)
    assert merged.rota == changed
    assert merged.conflicts == ()


@given(rotas(), rotas())
def test_a_change_on_one_side_is_taken_whole(base: Rota, changed: Rota) -> None:
    assert merge_rotas(base, base, changed).rota == changed
    assert merge_rotas(base, changed, base).rota == changed
    assert merge_rotas(base, base, changed).conflicts == ()


@given(rotas(DAYS[:4]), st.sets(st.sampled_from(DAYS[4:])), st.sets(st.sampled_from(DAYS[4:])))
def test_disjoint_signups_always_both_survive(base: Rota, mine: set[date], others: set[date]) -> None:
    others -= mine
    ours = base
    for day in mine:
        ours = ours.with_talk(_talk(day, "Ann", "Git"))
    theirs = base
    for day in others:
        theirs = theirs.with_talk(_talk(day, "Bob", "Rust"))

    merged = merge_rotas(base, ours, theirs)

    assert merged.conflicts == ()
    assert {t.date for t in merged.rota.talks} == {t.date for t in base.talks} | mine | others


@given(rotas(), rotas(), rotas())
def test_merging_is_symmetric_up_to_conflicts(base: Rota, ours: Rota, theirs: Rota) -> None:
    one = merge_rotas(base, ours, theirs)
    other = merge_rotas(base, theirs, ours)

    contested = {c.key for c in one.conflicts}
    assert contested == {c.key for c in other.conflicts}
    for day in DAYS:
        if day.isoformat() not in contested:
            assert one.rota.talk_on(day) == other.rota.talk_on(day)
            assert one.rota.skip_on(day) == other.rota.skip_on(day)
    if not contested:
        assert one.rota == other.rota


@given(rotas(), rotas(), rotas())
def test_the_result_is_always_a_valid_rota_in_canonical_form(base: Rota, ours: Rota, theirs: Rota) -> None:
    merged = merge_rotas(base, ours, theirs).rota
    text = schedule_file.dump_rota(merged)
    parsed, problems = schedule_file.parse_rota(text)
    assert problems == []
    assert parsed == merged


def test_settings_valid_on_each_side_but_not_mixed_keep_ours_and_conflict() -> None:
    base = Rota(Settings(lead_weeks=2, horizon_weeks=8))
    ours = Rota(Settings(lead_weeks=6, horizon_weeks=8))
    theirs = Rota(Settings(lead_weeks=2, horizon_weeks=4))

    merged = merge_rotas(base, ours, theirs)

    assert merged.rota.settings == ours.settings
    assert [c.key for c in merged.conflicts] == ["settings.lead_weeks", "settings.horizon_weeks"]


def test_a_contested_date_keeps_ours_and_says_both() -> None:
    base = Rota()
    ours = base.with_talk(_talk(DAYS[1], "Ann", "Git"))
    theirs = base.with_talk(_talk(DAYS[1], "Bob", "Rust"))

    merged = merge_rotas(base, ours, theirs)

    assert merged.rota == ours
    assert [c.describe() for c in merged.conflicts] == [
        "Fri 11 Dec 2026 is booked by Ann (Git) in ours but booked by Bob (Rust) in theirs"
    ]


def _sides(tmp_path: Path, base: Rota, ours: Rota, theirs: str) -> list[str]:
    files = []
    for name, text in (("O", schedule_file.dump_rota(base)), ("A", schedule_file.dump_rota(ours)), ("B", theirs)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(str(tmp_path / name))
    return files


def test_the_driver_writes_the_merge_in_canonical_form(tmp_path: Path) -> None:
    ours = Rota().with_talk(_talk(DAYS[1], "Ann", "Git"))
    theirs = Rota().with_talk(_talk(DAYS[2], "Bob", "Rust"))
    files = _sides(tmp_path, Rota(), ours, schedule_file.dump_rota(theirs))

    result = lunchlearn("merge-driver", "--", *files, "schedule.yaml")

    assert result.exit_code == 0
    merged = (tmp_path / "A").read_text(encoding="utf-8")
    assert merged == schedule_file.dump_rota(ours.with_talk(_talk(DAYS[2], "Bob", "Rust")))


def test_the_driver_refuses_a_side_that_does_not_parse(tmp_path: Path) -> None:
    ours = Rota().with_talk(_talk(DAYS[1], "Ann", "Git"))
    files = _sides(tmp_path, Rota(), ours, "talks: [\n")

    result = lunchlearn("merge-driver", "--", *files, "schedule.yaml")

    assert result.exit_code == 1
    assert "schedule.yaml cannot be merged by meaning: theirs does not parse" in result.stderr
    assert (tmp_path / "A").read_text(encoding="utf-8") == schedule_file.dump_rota(ours)


def test_the_replay_plan_keeps_the_remote_for_a_date_both_took() -> None:
    fork = Rota()
    remote = fork.with_talk(_talk(DAYS[1], "Bob", "Rust"))
    local = fork.with_talk(_talk(DAYS[1], "Ann", "Git")).with_talk(_talk(DAYS[2], "Ann", "Git"))

    plan = plan_replay(fork, remote, local)

    assert plan.keys == [DAYS[1].isoformat()]
    assert plan.dropped_articles == {f"talks/{DAYS[1]}-git.md"}
    assert take_theirs(local, remote, plan.keys).talk_on(DAYS[1]) == remote.talk_on(DAYS[1])


@given(rotas(), rotas(), rotas())
def test_a_replay_plan_overrules_only_what_the_remote_changed_too(fork: Rota, remote: Rota, local: Rota) -> None:
    plan = plan_replay(fork, remote, local)
    for change in plan.overruled:
        day = change.conflict.day
        if day is not None:
            assert entry_on(remote, day) != entry_on(fork, day) != entry_on(local, day)
        if change.talk is not None:
            assert change.talk in local.talks and change.talk not in fork.talks
    if remote == fork or local == fork:
        assert plan.overruled == ()


def test_the_holidays_region_merges_like_a_setting() -> None:
    from lunchlearn.rota.model import HolidayRegion

    base = Rota()
    ours = replace(base, talks=(Talk(date(2027, 1, 8), "Ann", "A topic", "talks/2027-01-08-a-topic.md"),))
    theirs = replace(base, holidays=HolidayRegion("GB", "ENG"))
    merged = merge_rotas(base, ours, theirs)
    assert merged.rota == replace(ours, holidays=HolidayRegion("GB", "ENG"))
    assert not merged.conflicts
    contested = merge_rotas(base, replace(base, holidays=HolidayRegion("DE")), theirs)
    assert [conflict.key for conflict in contested.conflicts] == ["holidays"]
    assert contested.rota.holidays == HolidayRegion("DE")


def test_people_lists_merge_as_sets_whoever_merges() -> None:
    base = Rota(standby=("Ann", "Bob"))
    ours = Rota(standby=("Ann", "Cy"))  # Bob left, Cy joined
    theirs = Rota(standby=("bob", "Dee", " cy"))  # Ann left, Dee and Cy joined
    merged = merge_rotas(base, ours, theirs)
    assert merged.conflicts == ()
    assert merged.rota.standby == ("Cy", "Dee")
    assert merge_rotas(base, theirs, ours).rota.standby == ("Dee", " cy")


name_lists = st.lists(st.sampled_from(["Ann", "Bob", "Cy", "Dee", "ann"]), unique_by=str.casefold).map(tuple)


@given(name_lists, name_lists, name_lists)
def test_merged_names_keep_every_addition_and_no_removal(
    base: tuple[str, ...], ours: tuple[str, ...], theirs: tuple[str, ...]
) -> None:
    merged = {name.casefold() for name in merge_names(base, ours, theirs)}
    assert len(merged) == len(merge_names(base, ours, theirs))
    added = {n.casefold() for n in (*ours, *theirs)} - {n.casefold() for n in base}
    removed = {n.casefold() for n in base} - ({n.casefold() for n in ours} & {n.casefold() for n in theirs})
    assert added <= merged
    assert not removed & merged
    assert merged == {name.casefold() for name in merge_names(base, theirs, ours)}


def _every_talk_once(rota: Rota) -> bool:
    from lunchlearn.rota.model import event_uid

    uids = [event_uid(talk) for talk in rota.talks]
    return len(uids) == len(set(uids))


ANN = Talk(date(2027, 1, 22), "Ann", "Move me", "talks/2027-01-22-move-me.md", uid="ann@lunchlearn")


@pytest.mark.parametrize("in_place", [
    replace(ANN, topic="A new topic"), replace(ANN, confirmed=date(2027, 1, 18)), replace(ANN, email="a@example.com"),
], ids=["topic", "confirmed", "email"])
@pytest.mark.parametrize("moved_by", ["ours", "theirs"])
def test_a_talk_moved_on_one_side_and_changed_in_place_on_the_other_is_kept_once_as_ours_has_it(
    in_place: Talk, moved_by: str
) -> None:
    base = Rota(talks=(ANN,))
    moved = Rota(talks=(replace(ANN, date=date(2027, 2, 19), article="talks/2027-02-19-move-me.md"),))
    changed = Rota(talks=(in_place,))
    ours, theirs = (moved, changed) if moved_by == "ours" else (changed, moved)

    merged = merge_rotas(base, ours, theirs)

    assert merged.rota.talks == ours.talks and _every_talk_once(merged.rota)
    assert merged.conflicts  # theirs' change is not taken, and that is said


def test_a_uid_copied_by_hand_onto_two_talks_loses_neither() -> None:
    twin = replace(ANN, date=date(2027, 1, 15), presenter="Bob", article="talks/2027-01-15-bob.md")
    base = Rota(talks=(twin, ANN))
    theirs = Rota(talks=(twin, replace(ANN, date=date(2027, 2, 19), article="talks/2027-02-19-move-me.md")))
    ours = Rota(talks=(twin, replace(ANN, topic="Retitled")))

    merged = merge_rotas(base, ours, theirs).rota

    assert {talk.presenter for talk in merged.talks} == {"Ann", "Bob"}


_UIDS = itertools.count()


@st.composite
def changed_by_hand(draw: st.DrawFn, rota: Rota) -> Rota:
    """`rota` after a few of the changes people make: sign-ups, withdrawals, moves, swaps and new topics; a
    talk keeps its calendar UID through a move, a swap or a new topic, as the commands keep it."""
    booked = {talk.date: talk for talk in rota.talks}
    for _ in range(draw(st.integers(0, 4))):
        day, other = draw(st.sampled_from(DAYS[:3])), draw(st.sampled_from(DAYS[:3]))  # few: changes meet
        change = draw(st.sampled_from(["signup", "withdraw", "move", "swap", "topic"]))
        if change == "signup" and day not in booked:
            booked[day] = replace(_talk(day, draw(st.sampled_from(["Ann", "Bob", "Cid"])), "Git"),
                                  uid=f"u{next(_UIDS)}")
        elif change == "withdraw" and day in booked:
            del booked[day]
        elif change == "move" and day in booked and other not in booked:
            booked[other] = replace(booked.pop(day), date=other)
        elif change == "swap" and day in booked and other in booked:
            booked[day], booked[other] = replace(booked[other], date=day), replace(booked[day], date=other)
        elif change == "topic" and day in booked:
            booked[day] = replace(booked[day], topic="Rust" if booked[day].topic == "Git" else "Git")
    talks = tuple(replace(t, article=f"talks/{t.date}-{t.uid}.md") for _, t in sorted(booked.items()))
    return replace(rota, talks=talks)


@st.composite
def forks(draw: st.DrawFn) -> tuple[Rota, Rota, Rota]:
    base = draw(changed_by_hand(Rota()))
    return base, draw(changed_by_hand(base)), draw(changed_by_hand(base))


@settings(max_examples=400)
@given(forks())
def test_a_merge_books_each_talk_once_and_keeps_what_neither_side_undid(fork: tuple[Rota, Rota, Rota]) -> None:
    base, ours, theirs = fork
    merged = merge_rotas(base, ours, theirs)

    uids = [talk.uid for talk in merged.rota.talks]
    assert len(uids) == len(set(uids)), merged
    kept_by_both = {t.uid for t in ours.talks} & {t.uid for t in theirs.talks}
    assert kept_by_both <= set(uids), merged
    in_base = {t.uid for t in base.talks}
    for side, other in ((ours, theirs), (theirs, ours)):
        # a sign-up for a date the other side left open, or freed (moved or withdrew its talk), stands
        new_where_other_is_open = {t.uid for t in side.talks if t.uid not in in_base and not other.talk_on(t.date)}
        assert new_where_other_is_open <= set(uids), merged
    if not merged.conflicts:
        assert merged.rota.talks == merge_rotas(base, theirs, ours).rota.talks


@settings(max_examples=400)
@given(forks())
def test_undoing_the_overruled_changes_leaves_each_talk_once_as_the_remote_has_it(
    fork: tuple[Rota, Rota, Rota],
) -> None:
    """What sync does after replaying local commits: each contested unit is taken from the remote."""
    base, remote, local = fork
    plan = plan_replay(base, remote, local)
    assert plan.merged is not None

    final = take_theirs(plan.merged, remote, plan.keys)

    uids = [talk.uid for talk in final.talks]
    assert len(uids) == len(set(uids)), (plan, final)
    for day in plan.days:
        assert entry_on(final, day) == entry_on(remote, day)
    assert {t.uid for t in remote.talks} & {t.uid for t in local.talks} <= set(uids)
