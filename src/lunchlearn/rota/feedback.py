"""Feedback on a talk that happened: one rating (and a comment) per person, kept beside the talk.

The file is parsed with every value's position, written in one canonical form, and merged 3-way
by person, so that feedback given from several clones never conflicts and counts once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import yaml

from lunchlearn.errors import BadInput
from lunchlearn.rota.model import (
    FEEDBACK_SUFFIX,
    TALKS_DIR,
    check_one_line,
    check_timestamp,
    format_day,
    iso_date,
    same_person,
)
from lunchlearn.rota.yamltext import NULL_NODE, Problem, Reader, dump_yaml

RATINGS = range(1, 6)
MAX_COMMENT_LENGTH = 2000  # a paragraph: longer thoughts belong in a conversation with the presenter
FEEDBACK_PATTERN = f"{TALKS_DIR}/*{FEEDBACK_SUFFIX}"  # as .gitattributes names the files
_TOP_KEYS = ("talk", "feedback")
_ENTRY_KEYS = ("by", "rating", "comment", "given")
_FILE_NAME = re.compile(r"(?:.*/)?" + TALKS_DIR + r"/(\d{4}-\d{2}-\d{2})" + re.escape(FEEDBACK_SUFFIX))


@dataclass(frozen=True)
class Feedback:
    by: str  # who gave it, as they named themselves; git records the commit's author too
    rating: int  # 1 to 5
    comment: str = ""
    given: str = ""  # when, UTC, ISO 8601 (`2026-12-04T14:30:00Z`): the later of two entries by one person wins


@dataclass(frozen=True)
class TalkFeedback:
    """One feedback file: the talk's date and everyone's entry, one per person."""

    talk: date
    entries: tuple[Feedback, ...] = ()

    def entry_of(self, person: str) -> Feedback | None:
        return next((e for e in self.entries if same_person(e.by, person)), None)

    def with_entry(self, entry: Feedback) -> TalkFeedback:
        """The file with `entry` in place of any earlier one by the same person."""
        others = tuple(e for e in self.entries if not same_person(e.by, entry.by))
        return replace(self, entries=(*others, entry))


def feedback_path(day: date) -> str:
    """Where the feedback on the talk of `day` is kept: beside the talks' articles."""
    return f"{TALKS_DIR}/{day.isoformat()}{FEEDBACK_SUFFIX}"


def talk_of_path(path: str) -> date | None:
    """The talk's date a feedback file is named for; None when `path` is not a feedback file."""
    found = _FILE_NAME.fullmatch(path.replace("\\", "/"))
    return None if found is None else iso_date(found.group(1))


def check_rating(rating: int) -> int:
    if rating not in RATINGS:
        raise BadInput(f"rating {rating} is not between 1 and 5; give a whole number from 1 (poor) to 5 (excellent)")
    return rating


def check_comment(comment: str) -> str:
    """A comment is one line (it is shown in a list) of reasonable length."""
    text = check_one_line(comment.strip(), "the comment")
    if len(text) > MAX_COMMENT_LENGTH:
        raise BadInput(
            f"the comment is {len(text)} characters long; keep it to {MAX_COMMENT_LENGTH} "
            "and tell the presenter the rest in person"
        )
    return text


def parse_feedback(text: str, file: str) -> tuple[TalkFeedback | None, list[Problem]]:
    """Parse a feedback file; None whenever there is any problem. `file` names it in problems."""
    reader = Reader(file)
    root = reader.compose(text)
    if root is None:
        return None, reader.problems or [Problem(file, None, None, "the file is empty; it should name the talk")]
    top = reader.mapping(root, "the feedback file")
    if top is None:
        return None, reader.problems
    reader.known_keys(top, _TOP_KEYS, "the feedback file")
    talk = _read_talk_date(reader, top, file)
    entries = _read_entries(reader, top.get("feedback", NULL_NODE))
    if reader.problems or talk is None:
        return None, reader.problems
    return TalkFeedback(talk, entries), []


def _read_talk_date(reader: Reader, top: dict[str, yaml.Node], file: str) -> date | None:
    node = top.get("talk")
    if node is None:
        reader.problems.append(Problem(file, 1, 1, "no `talk:` date; add the date of the talk, YYYY-MM-DD"))
        return None
    talk = reader.date(node, "talk")
    named = talk_of_path(file)
    if talk is not None and named is not None and talk != named:
        reader.problem(node, f"talk: {talk} does not match the file name, which is for {named}; make them agree")
        return None
    return talk


def _read_entries(reader: Reader, node: yaml.Node) -> tuple[Feedback, ...]:
    entries: list[Feedback] = []
    lines: list[int] = []
    for item in reader.sequence(node, "feedback"):
        entry = _read_entry(reader, item)
        if entry is None:
            continue
        first = next((line for e, line in zip(entries, lines, strict=True) if same_person(e.by, entry.by)), None)
        if first is not None:
            reader.problem(item, f"{entry.by} gave feedback twice (first at line {first}); keep one")
            continue
        entries.append(entry)
        lines.append(item.start_mark.line + 1)
    return tuple(entries)


def _read_entry(reader: Reader, node: yaml.Node) -> Feedback | None:
    pairs = reader.mapping(node, "a feedback entry")
    if pairs is None:
        return None
    reader.known_keys(pairs, _ENTRY_KEYS, "a feedback entry")
    before = len(reader.problems)
    by = _read_by(reader, node, pairs.get("by"))
    rating = _read_rating(reader, pairs.get("rating"), node)
    comment = _read_comment(reader, pairs.get("comment", NULL_NODE))
    given = _read_given(reader, pairs.get("given"))
    if len(reader.problems) > before or by is None or rating is None:
        return None
    return Feedback(by, rating, comment, given)


def _read_by(reader: Reader, entry: yaml.Node, node: yaml.Node | None) -> str | None:
    if node is None:
        reader.problem(entry, "a feedback entry has no `by:`; say who gave it")
        return None
    value = reader.line(node, "by")
    if value is not None and not value.strip():
        reader.problem(node, "`by:` is empty; say who gave the feedback")
        return None
    return value


def _read_comment(reader: Reader, node: yaml.Node) -> str:
    value = reader.text(node, "comment")
    if value is None:
        return ""
    try:
        return check_comment(value)
    except BadInput as error:
        reader.problem(node, error.message)
        return ""


def _read_rating(reader: Reader, node: yaml.Node | None, entry: yaml.Node) -> int | None:
    if node is None:
        reader.problem(entry, "a feedback entry has no `rating:`; give a whole number 1-5")
        return None
    value = reader.text(node, "rating")
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,3}", value) or int(value) not in RATINGS:
        reader.problem(node, f"rating {value!r} is not a whole number from 1 to 5")
        return None
    return int(value)


def _read_given(reader: Reader, node: yaml.Node | None) -> str:
    if node is None:
        return ""
    value = reader.text(node, "given")
    if value is None:
        return ""
    try:
        return check_timestamp(value, "given")
    except BadInput as error:
        reader.problem(node, error.message)
        return ""


def _header(talk: date) -> str:
    return (
        f"# Feedback on the talk of {format_day(talk)}, kept by `lunchlearn feedback`. "
        "git records who gave each entry.\n"
    )


def dump_feedback(feedback: TalkFeedback) -> str:
    """The canonical text: a header comment, then entries in the order they were given."""
    entries = []
    for entry in sorted(feedback.entries, key=_order):
        item: dict[str, object] = {"by": entry.by, "rating": entry.rating}
        if entry.comment:
            item["comment"] = entry.comment
        if entry.given:
            item["given"] = entry.given
        entries.append(item)
    return _header(feedback.talk) + dump_yaml({"talk": feedback.talk, "feedback": entries})


def _order(entry: Feedback) -> tuple[str, str, int, str]:
    """Entries by when they were given; ties in a fixed order, so that every merge writes the same text."""
    return (entry.given, entry.by, entry.rating, entry.comment)


def merge_feedback(base: str | None, ours: str, theirs: str, file: str) -> str | Problem:
    """Three versions of a feedback file merged person by person; `base` None when both sides created it.

    A person's entry changed on one side only takes that side's; changed on both, the later `given`
    wins (ties broken by the entries themselves), so the result is the same whichever side is ours.
    Never a conflict: a Problem only when a side does not parse.
    """
    parsed: list[TalkFeedback] = []
    for text in (ours, theirs, base):
        if text is None:
            continue
        feedback, problems = parse_feedback(text, file)
        if feedback is None:
            return problems[0]
        parsed.append(feedback)
    mine, others = parsed[0], parsed[1]
    common = parsed[2] if len(parsed) == 3 else TalkFeedback(mine.talk)
    merged = tuple(
        entry
        for person in _people(mine.entries, others.entries, common.entries)
        if (entry := _merge_entry(common.entry_of(person), mine.entry_of(person), others.entry_of(person)))
    )
    return dump_feedback(TalkFeedback(min(mine.talk, others.talk), merged))


def _people(*sides: Sequence[Feedback]) -> list[str]:
    """Everyone with an entry on any side, each person once."""
    people: list[str] = []
    for entries in sides:
        people += [e.by for e in entries if not any(same_person(e.by, p) for p in people)]
    return people


def _merge_entry(base: Feedback | None, ours: Feedback | None, theirs: Feedback | None) -> Feedback | None:
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    if ours is None or theirs is None:  # changed on one side, removed on the other: the change is kept
        return ours or theirs
    return max(ours, theirs, key=_order)
