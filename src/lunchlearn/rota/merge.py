"""The 3-way merge of two rotas by meaning, and the git merge driver built on it.

Each date is one unit (who presents, or why it is skipped) and each setting is one unit: a unit
changed on one side only takes that side's value, whatever lines moved in the file. A unit changed
differently on both sides is a conflict; the merge keeps `ours` for it and reports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from lunchlearn.errors import BadInput
from lunchlearn.rota import feedback, schedule_file, yamltext
from lunchlearn.rota.model import Cancelled, Rota, Settings, Skip, Talk, check_settings, format_day, same_person

DRIVER_NAME = "lunchlearn"
# The line `init` commits to .gitattributes so git merges schedule.yaml with the driver below,
# and the clone's git configuration key that names the driver's command.
ATTRIBUTES_LINE = f"{schedule_file.SCHEDULE} merge={DRIVER_NAME}"
FEEDBACK_ATTRIBUTES_LINE = f"{feedback.FEEDBACK_PATTERN} merge={DRIVER_NAME}"
DRIVER_CONFIG_KEY = f"merge.{DRIVER_NAME}.driver"

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
    talks: list[Talk] = []
    skips: list[Skip] = []
    for day in sorted(days):
        ours_entry = entry_on(ours, day)
        chosen, conflict = _pick(entry_on(base, day), ours_entry, entry_on(theirs, day))
        if conflict:
            conflicts.append(
                Conflict(day.isoformat(), ours_entry.describe(), entry_on(theirs, day).describe())
            )
        if chosen.talk is not None:
            talks.append(chosen.talk)
        if chosen.skip is not None:
            skips.append(chosen.skip)
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
        **sections,
    )


@dataclass(frozen=True)
class Overruled:
    """A local change the remote overrules, and the local sign-up that loses its date with it (if any)."""

    conflict: Conflict
    talk: Talk | None


@dataclass(frozen=True)
class ReplayPlan:
    """What replaying local commits on the remote's branch must undo, decided from three rotas alone."""

    overruled: tuple[Overruled, ...] = ()

    @property
    def keys(self) -> list[str]:
        return [change.conflict.key for change in self.overruled]

    @property
    def dropped_articles(self) -> set[str]:
        """Articles of local sign-ups that lost their date: they are not replayed."""
        return {change.talk.article for change in self.overruled if change.talk is not None}


def plan_replay(fork: Rota, remote: Rota, local: Rota) -> ReplayPlan:
    """The remote is the arbiter: every unit both sides changed since `fork` keeps the remote's version."""
    overruled = []
    for conflict in merge_rotas(fork, remote, local).conflicts:
        talk = None if conflict.day is None else local.talk_on(conflict.day)
        overruled.append(Overruled(conflict, talk if talk not in fork.talks else None))
    return ReplayPlan(tuple(overruled))


@dataclass(frozen=True)
class DriverResult:
    """What the merge driver did with one file: merged cleanly, or why not."""

    path: str
    conflicts: tuple[Conflict, ...] = ()
    unreadable: str | None = None  # a side that does not parse: nothing was merged

    @property
    def clean(self) -> bool:
        return not self.conflicts and self.unreadable is None


def merge_files(ancestor: Path, current: Path, other: Path, path: str) -> DriverResult:
    """The git merge driver: merge three versions of schedule.yaml (or of a talk's feedback file),
    writing the result to `current`.

    The result is always a valid rota that keeps both sides' comments but where they changed the same
    lines; a conflicting date keeps `current`'s version (during a rebase that is the branch being
    rebased onto, i.e. the remote's).
    """
    if feedback.talk_of_path(path) is not None:
        return _merge_feedback_files(ancestor, current, other, path)
    texts, rotas = [], []
    for side, label in ((ancestor, "the common ancestor"), (current, "ours"), (other, "theirs")):
        try:
            text = yamltext.decode(side.read_bytes(), path)
        except OSError as error:
            return DriverResult(path, unreadable=f"{label} cannot be read ({error})")
        if isinstance(text, yamltext.Problem):
            return DriverResult(path, unreadable=f"{label} cannot be read ({text})")
        rota, problems = schedule_file.parse_rota(text, path)
        if rota is None:
            return DriverResult(path, unreadable=f"{label} does not parse: {problems[0]}")
        texts.append(text)
        rotas.append(rota)
    merged = merge_rotas(*rotas)
    result = merged_text(texts[1], _line_merge(ancestor, current, other), merged.rota)
    current.write_bytes(result.encode("utf-8"))
    return DriverResult(path, merged.conflicts)


def _merge_feedback_files(ancestor: Path, current: Path, other: Path, path: str) -> DriverResult:
    """Feedback files merged person by person (rota/feedback.py); an empty ancestor: both sides created it."""
    texts = []
    for side, label in ((ancestor, "the common ancestor"), (current, "ours"), (other, "theirs")):
        try:
            text = yamltext.decode(side.read_bytes(), path)
        except OSError as error:
            return DriverResult(path, unreadable=f"{label} cannot be read ({error})")
        if isinstance(text, yamltext.Problem):
            return DriverResult(path, unreadable=f"{label} cannot be read ({text})")
        texts.append(text)
    merged = feedback.merge_feedback(texts[0] or None, texts[1], texts[2], path)
    if isinstance(merged, yamltext.Problem):
        return DriverResult(path, unreadable=f"a side does not parse: {merged}")
    current.write_bytes(merged.encode("utf-8"))
    return DriverResult(path)


def merged_text(ours: str, line_merged: bytes | None, rota: Rota) -> str:
    """The merged rota's text, keeping both sides' comments as far as git's line merge can.

    `line_merged` is that merge with `ours` taking any conflicting hunk; when it parses, it is changed
    to say exactly `rota` in the lines that differ, else `ours` is.
    """
    try:
        text = None if line_merged is None else line_merged.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and schedule_file.parse_rota(text)[0] is not None:
        return schedule_file.edit_rota(text, rota)
    return schedule_file.edit_rota(ours, rota)


def _line_merge(ancestor: Path, current: Path, other: Path) -> bytes | None:
    """git's line-by-line 3-way merge of the files, `current` taking a conflicting hunk; None if git fails."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "merge-file", "-p", "--quiet", "--ours", "--", str(current), str(ancestor), str(other)],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None
