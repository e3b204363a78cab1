"""The files many people write from many clones, each with its 3-way merge by meaning.

One registry serves the git merge driver (`git pull`), `sync`'s replay of local commits and the
.gitattributes lines that route each file to the driver. A merge never writes conflict markers: a
unit both sides changed is settled as that file's merge says, or the file is left as `ours`
(unreadable sides only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypeVar

from lunchlearn.rota import feedback, ideas, model, schedule_file
from lunchlearn.rota.merge import Conflict, merge_rotas, merged_text
from lunchlearn.rota.model import MERGE_DRIVER
from lunchlearn.rota.yamltext import Problem, decode


@dataclass(frozen=True)
class TextMerge:
    """Three versions of a shared file merged: the text, or why a side could not be read."""

    text: str | None
    conflicts: tuple[Conflict, ...] = ()  # units both sides changed differently; the merge kept `ours`
    unreadable: str | None = None


# base, ours, theirs, git's line merge on demand (`ours` taking a conflicting hunk; None when git
# failed), and the file's name for messages
MergeTexts = Callable[[str, str, str, Callable[[], str | None], str], TextMerge]


@dataclass(frozen=True)
class SharedFile:
    pattern: str  # relative to the rota folder, as .gitattributes matches it
    merge: MergeTexts

    @property
    def attributes_line(self) -> str:
        """The .gitattributes line that has git merge the file with lunchlearn's driver."""
        return f"{self.pattern} merge={MERGE_DRIVER}"


_P = TypeVar("_P")


def _parse_sides(
    parse: Callable[[str, str], tuple[_P | None, list[Problem]]], texts: tuple[str, str, str], file: str
) -> list[_P] | str:
    """The three sides parsed, or which side does not parse and why."""
    sides = []
    for text, label in zip(texts, ("the common ancestor", "ours", "theirs"), strict=True):
        parsed, problems = parse(text, file)
        if parsed is None:
            return f"{label} does not parse: {problems[0]}"
        sides.append(parsed)
    return sides


def _merge_schedule(base: str, ours: str, theirs: str, line_merge: Callable[[], str | None], file: str) -> TextMerge:
    """The rota by meaning, both sides' comments kept but where they changed the same lines."""
    rotas = _parse_sides(schedule_file.parse_rota, (base, ours, theirs), file)
    if isinstance(rotas, str):
        return TextMerge(None, unreadable=rotas)
    merged = merge_rotas(*rotas)
    return TextMerge(merged_text(ours, line_merge(), merged.rota), merged.conflicts)


def _merge_ideas(base: str, ours: str, theirs: str, _: Callable[[], str | None], file: str) -> TextMerge:
    """The ideas by meaning, written canonically: the same text whichever side is `ours`."""
    sides = _parse_sides(ideas.parse_ideas, (base, ours, theirs), file)
    if isinstance(sides, str):
        return TextMerge(None, unreadable=sides)
    return TextMerge(ideas.dump_ideas(ideas.merge_ideas(*sides)))


def _merge_feedback(base: str, ours: str, theirs: str, _: Callable[[], str | None], file: str) -> TextMerge:
    """Feedback person by person, written canonically: the same text whichever side is `ours`."""
    merged = feedback.merge_feedback(base or None, ours, theirs, file)  # no ancestor: both sides created it
    if isinstance(merged, Problem):
        return TextMerge(None, unreadable=f"a side does not parse: {merged}")
    return TextMerge(merged)


SHARED_FILES = (
    SharedFile(model.SCHEDULE, _merge_schedule),
    SharedFile(ideas.IDEAS, _merge_ideas),
    SharedFile(feedback.FEEDBACK_PATTERN, _merge_feedback),
)


def shared_file(path: str) -> SharedFile | None:
    """The shared file at `path` (relative to the rota folder or a folder above it), if it is one."""
    return next((shared for shared in SHARED_FILES if PurePosixPath(path).match(shared.pattern)), None)


@dataclass(frozen=True)
class DriverResult:
    """What the merge driver did with one file: merged cleanly, or why not."""

    path: str
    conflicts: tuple[Conflict, ...] = ()
    unreadable: str | None = None  # a side that does not parse, or not a shared file: nothing was merged

    @property
    def clean(self) -> bool:
        return not self.conflicts and self.unreadable is None


def merge_files(ancestor: Path, current: Path, other: Path, path: str) -> DriverResult:
    """The git merge driver: merge three versions of the shared file at `path`, writing to `current`.

    The result is always a valid file; where both sides changed one unit, the file's merge settles
    it (for schedule.yaml, `current` wins: during a rebase that is the branch being rebased onto, the
    remote's).
    """
    shared = shared_file(path)
    if shared is None:
        return DriverResult(path, unreadable="it is not a file lunchlearn shares")
    texts = []
    for side, label in ((ancestor, "the common ancestor"), (current, "ours"), (other, "theirs")):
        try:
            text = decode(side.read_bytes(), path)
        except OSError as error:
            return DriverResult(path, unreadable=f"{label} cannot be read ({error})")
        if isinstance(text, Problem):
            return DriverResult(path, unreadable=f"{label} cannot be read ({text})")
        texts.append(text)
    base, ours, theirs = texts
    merged = shared.merge(base, ours, theirs, lambda: _line_merge(ancestor, current, other), path)
    if merged.text is None:
        return DriverResult(path, unreadable=merged.unreadable)
    current.write_bytes(merged.text.encode("utf-8"))
    return DriverResult(path, merged.conflicts)


def _line_merge(ancestor: Path, current: Path, other: Path) -> str | None:
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
    try:
        return done.stdout.decode("utf-8") if done.returncode == 0 else None
    except UnicodeDecodeError:
        return None
