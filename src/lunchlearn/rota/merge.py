"""The 3-way merge of two rotas by meaning, and the plan for replaying local commits on the remote's.

Each date is one unit (who presents, or why it is skipped) and each setting is one unit: a unit
changed on one side only takes that side's value, whatever lines moved in the file. A unit changed
differently on both sides is a conflict; the merge keeps `ours` for it and reports it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, TypeVar

from lunchlearn.errors import BadInput
from lunchlearn.rota import schedule_file
from lunchlearn.rota.model import (
    Cancelled,
    Rota,
    Settings,
    Skip,
    Talk,
    check_settings,
    event_uid,
    format_day,
    same_person,
)

_T = TypeVar("_T")
# Parts of a rota merged unit by unit; any other section of the rota is merged as one unit.
_MERGED_BY_PART = ("settings", "skips", "talks", "cancelled", "people", "standby")


@dataclass(frozen=True)
class DateEntry:
    """What a rota says about one date."""

    talk: Talk | None = None
    skip: Skip | None = None

    def describe(self) -> str:
        if self.talk is not None:
            return f"booked by {self.talk.presenter} ({self.talk.topic})"
        if self.skip is not None:
            return f"skipped ({self.skip.reason})"
        return "open"


@dataclass(frozen=True)
class Conflict:
    """One date, setting or section that both sides changed differently; the merge kept `ours`."""

    key: str  # an ISO date, `settings.<name>`, or the name of another section of the rota
    ours: str
    theirs: str
    also: tuple[str, ...] = ()  # the other dates of a talk both sides changed, which stay as ours has them

    @property
    def day(self) -> date | None:
        try:
            return date.fromisoformat(self.key)
        except ValueError:
            return None

    def describe(self, ours: str = "ours", theirs: str = "theirs") -> str:
        subject = self.key if self.day is None else format_day(self.day)
        return f"{subject} is {self.ours} in {ours} but {self.theirs} in {theirs}"


@dataclass(frozen=True)
class Merged:
    rota: Rota
    conflicts: tuple[Conflict, ...] = ()


def entry_on(rota: Rota, day: date) -> DateEntry:
    return DateEntry(rota.talk_on(day), rota.skip_on(day))


def _pick(base: _T, ours: _T, theirs: _T) -> tuple[_T, bool]:
    """The 3-way choice for one unit, and whether it is a conflict (then `ours` is kept)."""
    if ours == theirs or theirs == base:
        return ours, False
    if ours == base:
        return theirs, False
    return ours, True


def merge_rotas(base: Rota, ours: Rota, theirs: Rota) -> Merged:
    """Merge `ours` and `theirs`, both descended from `base`; conflicting units keep `ours`."""
    settings, conflicts = _merge_settings(base.settings, ours.settings, theirs.settings)
    days = {talk.date for rota in (base, ours, theirs) for talk in rota.talks}
    days |= {skip.date for rota in (base, ours, theirs) for skip in rota.skips}
    entries: dict[date, DateEntry] = {}
    for day in sorted(days):
        ours_entry, theirs_entry = entry_on(ours, day), entry_on(theirs, day)
        if ours_entry != theirs_entry and ours_entry.skip == theirs_entry.skip and (
            _unstamped(ours_entry.talk) == _unstamped(theirs_entry.talk)
        ):
            theirs_entry = ours_entry  # the same change, stamped for calendars at another moment
        entries[day], conflict = _pick(_base_entry(base, day, ours_entry, theirs_entry), ours_entry, theirs_entry)
        if conflict:
            conflicts.append(Conflict(day.isoformat(), ours_entry.describe(), theirs_entry.describe()))
    by_talk = _one_date_per_talk(base, ours, theirs, entries)
    by_talk += _each_talk_once(ours, theirs, entries)  # once the line above has put `entries` right
    for talk_conflict in by_talk:
        _add_conflict(conflicts, talk_conflict)
    talks = [entry.talk for _, entry in sorted(entries.items()) if entry.talk is not None]
    skips = [entry.skip for _, entry in sorted(entries.items()) if entry.skip is not None]
    sections: dict[str, Any] = {}
    for section in fields(Rota):
        if section.name in _MERGED_BY_PART or not section.compare:  # not compared: not in the file either
            continue
        mine = getattr(ours, section.name)
        sections[section.name], conflict = _pick(getattr(base, section.name), mine, getattr(theirs, section.name))
        if conflict:
            conflicts.append(Conflict(section.name, "changed one way", "changed another way"))
    cancelled = _merge_cancelled(base, ours, theirs, {t.uid for t in talks})
    for names in ("people", "standby"):
        sections[names] = merge_names(getattr(base, names), getattr(ours, names), getattr(theirs, names))
    rota = Rota(settings=settings, skips=tuple(skips), talks=tuple(talks), cancelled=cancelled, **sections)
    return Merged(rota, tuple(conflicts))


def _add_conflict(conflicts: list[Conflict], conflict: Conflict) -> None:
    """Add `conflict`, or, when its unit conflicts already, join the two: a replay that takes the remote's
    version of the unit must take the talk's other dates with it, and the report says where the talk went."""
    same = next((i for i, known in enumerate(conflicts) if known.key == conflict.key), None)
    if same is None:
        conflicts.append(conflict)
        return
    known = conflicts[same]
    ours = known.ours if conflict.ours.startswith(known.ours) else f"{known.ours}; {conflict.ours}"
    also = (*known.also, *(day for day in conflict.also if day not in known.also))
    conflicts[same] = replace(known, ours=ours, also=also)


def _base_entry(base: Rota, day: date, ours: DateEntry, theirs: DateEntry) -> DateEntry:
    """`base`'s entry for `day`, open when both sides took its talk off the date (moved or withdrew it,
    known by its calendar UID) or both lifted its skip: where that talk went is for `_one_date_per_talk`,
    and what either side booked on the freed date is a change of that side alone."""
    entry = entry_on(base, day)
    if entry in (ours, theirs):  # a side left the date as it was
        return entry
    if entry.talk is None:  # a skip both sides lifted leaves the date open
        return DateEntry() if ours.skip is None and theirs.skip is None else entry
    uid = event_uid(entry.talk)
    if any(side.talk is not None and event_uid(side.talk) == uid for side in (ours, theirs)):
        return entry
    return DateEntry()


def _one_date_per_talk(base: Rota, ours: Rota, theirs: Rota, entries: dict[date, DateEntry]) -> list[Conflict]:
    """A talk both sides changed differently, one moving or withdrawing it (known by its calendar UID, which a
    move keeps), stays as `ours` has it: the dates' merge alone could keep it twice, bring a withdrawn talk
    back, or let a withdrawal vanish. `entries` (the dates' merge) is put right; the conflicts say what."""
    changed_ours = [talk for talk in ours.talks if base.talk_on(talk.date) != talk]
    changed_theirs = [talk for talk in theirs.talks if base.talk_on(talk.date) != talk]
    conflicts = []
    for talk in base.talks:
        if talk in (ours.talk_on(talk.date), theirs.talk_on(talk.date)):
            continue  # one side left it as it was: the dates' merge takes the other's change
        uid = event_uid(talk)
        mine = [t for t in changed_ours if event_uid(t) == uid]
        other = [t for t in changed_theirs if event_uid(t) == uid]
        if len(mine) > 1 or len(other) > 1 or (talk.uid and sum(t.uid == uid for t in base.talks) > 1):
            continue  # a UID written on several talks by hand says nothing about which is which
        kept, lost = (mine[0] if mine else None), (other[0] if other else None)
        both_where_it_is = kept is not None and lost is not None and kept.date == lost.date == talk.date
        if _unstamped(kept) == _unstamped(lost) or both_where_it_is:
            continue  # the same change, or both changed it where it is: the dates' merge settles that
        if kept is None:
            fate = "withdrawn"
        elif kept.date != talk.date:
            fate = f"moved to {format_day(kept.date)}"
        else:
            fate = f"changed on {format_day(talk.date)}"
        held = {day for day in {talk.date, *(t.date for t in other)}
                if (entry := entries.get(day)) and entry.talk and event_uid(entry.talk) == uid}
        extra = held - ({kept.date} if kept else set())
        for day in sorted(extra):  # where theirs put it: as ours has that date
            entries[day] = entry_on(ours, day)
            ours_then = f"{entries[day].describe()}, {talk.presenter}'s talk {fate}"
            conflicts.append(Conflict(day.isoformat(), ours_then, entry_on(theirs, day).describe(),
                                      _other_date(kept, day)))
        if extra:
            continue
        # theirs' move or withdrawal is lost to ours' placement: say so
        if lost is None and kept is not None and kept.date != talk.date:
            # on the date ours moved it to: the date it left is free on both sides, for whoever booked it
            conflicts.append(Conflict(kept.date.isoformat(), f"{talk.presenter}'s talk, moved there from "
                                      f"{format_day(talk.date)}", f"{talk.presenter}'s talk withdrawn"))
            continue
        day = lost.date if lost else talk.date
        theirs_then = entry_on(theirs, day).describe() if lost else "withdrawn"
        conflicts.append(Conflict(day.isoformat(), f"{talk.presenter}'s talk, {fate}", theirs_then,
                                  _other_date(kept, day)))
    return conflicts


def _each_talk_once(ours: Rota, theirs: Rota, entries: dict[date, DateEntry]) -> list[Conflict]:
    """Each talk both sides still have is booked once, where `ours` has it when the dates' merge left it
    twice or not at all: theirs moved it off a date that went back to ours (half a swap undone), or onto a
    date ours kept for another talk. The dates put right are as `ours` has them; the conflicts say what.
    A UID written on several talks by hand in ours is left alone."""
    written_twice = {uid for uid, count in Counter(t.uid for t in ours.talks if t.uid).items() if count > 1}
    ours_dates = {t.uid: t.date for t in ours.talks if t.uid and t.uid not in written_twice}
    kept_by_both = ours_dates.keys() & {t.uid for t in theirs.talks}
    conflicts: list[Conflict] = []
    while True:
        dates_of: dict[str, list[date]] = {}
        for day, entry in entries.items():
            if entry.talk is not None and entry.talk.uid in ours_dates:
                dates_of.setdefault(entry.talk.uid, []).append(day)
        twice = [day for days in dates_of.values() if len(days) > 1 for day in days]
        dropped = [ours_dates[uid] for uid in kept_by_both - dates_of.keys()]  # every day of ours is merged
        unlike_ours = sorted({day for day in (*twice, *dropped) if entries[day] != entry_on(ours, day)})
        if not unlike_ours:
            return conflicts
        for day in unlike_ours:
            entries[day] = entry_on(ours, day)
            conflicts.append(Conflict(day.isoformat(), entries[day].describe(), entry_on(theirs, day).describe()))


def _unstamped(talk: Talk | None) -> Talk | None:
    """The talk but for the time its calendar revision was stamped, which two clones' same change differ in."""
    return None if talk is None else replace(talk, changed="")


def _other_date(kept: Talk | None, day: date) -> tuple[str, ...]:
    """Where ours has the talk, when not on `day`: a replay that takes ours for `day` takes it there too."""
    return (kept.date.isoformat(),) if kept is not None and kept.date != day else ()


def _merge_cancelled(base: Rota, ours: Rota, theirs: Rota, booked: set[str]) -> tuple[Cancelled, ...]:
    """Both sides' cancelled events, the latest revision of each, none that either side let go of."""
    dropped = {c.uid for c in base.cancelled} - ({c.uid for c in ours.cancelled} & {c.uid for c in theirs.cancelled})
    latest: dict[str, Cancelled] = {}
    for event in (*ours.cancelled, *theirs.cancelled):
        if event.uid not in dropped | booked and event.sequence >= latest.get(event.uid, event).sequence:
            latest[event.uid] = event
    return tuple(sorted(latest.values(), key=lambda c: (c.date, c.uid)))


def merge_names(base: tuple[str, ...], ours: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, ...]:
    """A list of people merged as a set: everyone either side added, none that either side removed.

    It never conflicts, and a person added on both sides (however the name was typed) is there once.
    """

    def among(name: str, names: Sequence[str]) -> bool:
        return any(same_person(name, other) for other in names)

    kept = [name for name in ours if not among(name, base) or among(name, theirs)]
    added = [name for name in theirs if not among(name, base) and not among(name, kept)]
    return (*kept, *added)


def _merge_settings(base: Settings, ours: Settings, theirs: Settings) -> tuple[Settings, list[Conflict]]:
    """Each setting merged on its own, unless the mix would not be valid settings."""
    names = [setting.name for setting in fields(Settings)]
    values: dict[str, Any] = {}
    contested: list[str] = []
    for name in names:
        values[name], conflict = _pick(getattr(base, name), getattr(ours, name), getattr(theirs, name))
        if conflict:
            contested.append(name)
    merged = Settings(**values)
    # A conflict may be settled either way, so the mix must be valid both ways (which keeps the merge
    # symmetric). Otherwise, say their short horizon with our long notice: keep ours whole, and
    # report every setting the two sides have differently.
    settled_theirs = replace(merged, **{name: getattr(theirs, name) for name in contested})
    if not (_valid(merged) and _valid(settled_theirs)):
        merged = ours
        contested = [name for name in names if getattr(ours, name) != getattr(theirs, name)]
    conflicts = [
        Conflict(f"settings.{name}", repr(getattr(ours, name)), repr(getattr(theirs, name))) for name in contested
    ]
    return merged, conflicts


def _valid(settings: Settings) -> bool:
    try:
        check_settings(settings)
    except BadInput:
        return False
    return True


def take_theirs(rota: Rota, theirs: Rota, keys: list[str]) -> Rota:
    """`rota` with the units named by `keys` (as in `Conflict.key`) as `theirs` has them."""
    settings = {
        key.removeprefix("settings."): getattr(theirs.settings, key.removeprefix("settings."))
        for key in keys
        if key.startswith("settings.")
    }
    days = {date.fromisoformat(key) for key in keys if Conflict(key, "", "").day is not None}
    sections = {
        key: getattr(theirs, key)
        for key in keys
        if key in {section.name for section in fields(Rota)} and key not in _MERGED_BY_PART
    }
    talks = [t for t in rota.talks if t.date not in days] + [t for t in theirs.talks if t.date in days]
    skips = [s for s in rota.skips if s.date not in days] + [s for s in theirs.skips if s.date in days]
    return replace(
        rota,
        settings=replace(rota.settings, **settings),
        talks=tuple(sorted(talks, key=lambda t: t.date)),
        skips=tuple(sorted(skips, key=lambda s: s.date)),
        cancelled=_cancelled_after_taking(rota, theirs, talks),
        **sections,
    )


def _cancelled_after_taking(rota: Rota, theirs: Rota, talks: list[Talk]) -> tuple[Cancelled, ...]:
    """The cancelled events once `talks` are booked: a talk taking its date back is not cancelled, and a
    talk of `rota` the taking let go of is cancelled as `theirs` has it (the remote withdrew it)."""
    booked = {event_uid(talk) for talk in talks}
    let_go = {event_uid(talk) for talk in rota.talks} - booked
    kept = {c.uid: c for c in rota.cancelled if c.uid not in booked}
    for event in theirs.cancelled:
        if event.uid in let_go and event.sequence >= kept.get(event.uid, event).sequence:
            kept[event.uid] = event
    return tuple(sorted(kept.values(), key=lambda c: (c.date, c.uid)))


@dataclass(frozen=True)
class Overruled:
    """A local change the remote overrules, and the local talk that loses its date with it (if any): a
    sign-up, or (`signed_up` False) a talk the fork had, moved or changed there."""

    conflict: Conflict
    talk: Talk | None
    signed_up: bool = True


@dataclass(frozen=True)
class ReplayPlan:
    """What replaying local commits on the remote's branch must undo, decided from three rotas alone."""

    overruled: tuple[Overruled, ...] = ()
    # The three rotas merged, the remote's version kept for each contested unit: what the replayed commits
    # must add up to, before the overruled changes are undone.
    merged: Rota | None = None

    @property
    def keys(self) -> list[str]:
        return [key for change in self.overruled for key in (change.conflict.key, *change.conflict.also)]

    @property
    def days(self) -> list[date]:
        return [day for key in self.keys if (day := Conflict(key, "", "").day) is not None]

    @property
    def dropped_articles(self) -> set[str]:
        """Articles of local sign-ups that lost their date: they are not replayed."""
        return {change.talk.article for change in self.overruled if change.talk is not None}


def plan_replay(fork: Rota, remote: Rota, local: Rota) -> ReplayPlan:
    """The remote is the arbiter: every unit both sides changed since `fork` keeps the remote's version."""
    overruled = []
    merged = merge_rotas(fork, remote, local)
    in_fork = {event_uid(talk) for talk in fork.talks} if merged.conflicts else set()  # most replays have none
    for conflict in merged.conflicts:
        talk = None if conflict.day is None else local.talk_on(conflict.day)
        if talk in fork.talks:
            talk = None
        overruled.append(Overruled(conflict, talk, signed_up=talk is not None and event_uid(talk) not in in_fork))
    return ReplayPlan(tuple(overruled), merged.rota)


def merged_text(ours: str, line_merged: str | None, rota: Rota) -> str:
    """The merged rota's text, keeping both sides' comments as far as git's line merge can.

    `line_merged` is that merge with `ours` taking any conflicting hunk; when it parses, it is changed
    to say exactly `rota` in the lines that differ, else `ours` is.
    """
    if line_merged is not None and schedule_file.parse_rota(line_merged)[0] is not None:
        return schedule_file.edit_rota(line_merged, rota)
    return schedule_file.edit_rota(ours, rota)
