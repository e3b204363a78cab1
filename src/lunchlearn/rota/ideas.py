"""ideas.yaml <-> ideas: the team's backlog of topics, their votes, parsing with positions, and the merge.

An idea's ID is the start of the sha1 of its normalised text, so the same idea added in two clones is
one idea, and a merge unites its votes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

import yaml

from lunchlearn.errors import BadInput, Refused
from lunchlearn.rota.model import Rota, Talk, check_text, format_day, person_key
from lunchlearn.rota.yamltext import NULL_NODE, Problem, Reader, dump_yaml, is_null

IDEAS = "ideas.yaml"
HEADER = (
    "# Topic ideas for the lunch-and-learn, with their votes. This file is maintained by `lunchlearn ideas`\n"
    "# (add, vote, drop); hand edits are welcome, and lunchlearn writes the file back in this layout.\n"
)
ID_LENGTH = 6  # hex digits of a new idea's ID; more only when two ideas' texts share these
SHORTEST_PREFIX = 4  # an idea may be named by a unique prefix of its ID this long or longer
_ID = re.compile(r"[0-9a-f]+")
_KEYS = ("id", "text", "by", "added", "tags", "votes", "taken", "talk")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Idea:
    id: str
    text: str
    by: str
    added: date
    tags: tuple[str, ...] = ()
    votes: tuple[str, ...] = ()
    taken: date | None = None  # the date of the talk that `signup --idea` claimed for it, when it did
    talk: str = ""  # that talk's calendar UID, which a move, a swap or a new title keeps
    line: int = field(default=0, compare=False)  # where it starts in ideas.yaml; 0 when new


def normalised(text: str) -> str:
    """The text as ideas are compared: case and spacing aside."""
    return " ".join(text.casefold().split())


def _digest(text: str) -> str:
    import hashlib  # here: OpenSSL takes a few milliseconds to load, and most commands meet no idea

    # An identifier, not a safeguard: the same text gets the same ID in every clone.
    return hashlib.sha1(normalised(text).encode("utf-8"), usedforsecurity=False).hexdigest()


def new_id(text: str, ideas: Iterable[Idea]) -> str:
    """The ID of a new idea: ID_LENGTH hex digits of its digest, more if another idea has those."""
    digest = _digest(text)
    taken = {idea.id for idea in ideas}
    length = ID_LENGTH
    while digest[:length] in taken and length < len(digest):
        length += 1
    return digest[:length]


def check_id(text: str) -> str:
    """An idea's ID as typed on the command line: hex digits, at least SHORTEST_PREFIX of them."""
    value = text.strip().lower()
    if not _ID.fullmatch(value) or len(value) < SHORTEST_PREFIX:
        raise BadInput(
            f"{text!r} is not an idea ID: give {SHORTEST_PREFIX} or more of the hex digits "
            "`lunchlearn ideas list` shows"
        )
    return value


def check_tags(text: str) -> tuple[str, ...]:
    """`--tags rust,languages`: one-line tags, none empty, none twice."""
    tags = [tag.strip() for tag in text.split(",")]
    if any(not tag for tag in tags):
        raise BadInput(f"--tags {text!r} has an empty tag; separate tags with single commas, as in rust,languages")
    seen: set[str] = set()
    for tag in tags:
        check_text(tag, "a tag")
        if tag.casefold() in seen:
            raise BadInput(f"--tags {text!r} names {tag!r} twice; give each tag once")
        seen.add(tag.casefold())
    return tuple(tags)


def find(ideas: Iterable[Idea], prefix: str) -> Idea:
    """The one idea whose ID starts with `prefix`."""
    found = [idea for idea in ideas if idea.id.startswith(prefix)]
    if not found:
        raise Refused(f"there is no idea {prefix}; `lunchlearn ideas list --all` shows every idea and its ID")
    if len(found) > 1:
        raise Refused(f"{prefix} could be any of {', '.join(i.id for i in found)}; give more of the ID")
    return found[0]


def taken_by(idea: Idea, rota: Rota) -> Talk | None:
    """The talk that took the idea, while the rota still has it, wherever it moved: a withdrawn talk
    (or a sign-up that sync undid) frees the idea again, with no change to ideas.yaml.

    The talk is known by its calendar UID; an idea marked taken by hand, with a date only, is taken
    while that date has a talk on the idea's topic.
    """
    if idea.talk:
        return next((talk for talk in rota.talks if talk.uid == idea.talk), None)
    talk = None if idea.taken is None else rota.talk_on(idea.taken)
    return talk if talk is not None and normalised(talk.topic) == normalised(idea.text) else None


def check_free(idea: Idea, rota: Rota, otherwise: str) -> None:
    """Refuse an idea a talk in the rota took; `otherwise` says what to do instead."""
    talk = taken_by(idea, rota)
    if talk is not None:
        raise Refused(f"idea {idea.id} is taken by the talk on {format_day(talk.date)}; {otherwise}")


def added(ideas: tuple[Idea, ...], text: str, by: str, tags: tuple[str, ...], day: date) -> tuple[Idea, ...]:
    """`ideas` with a new idea; the same text (case and spacing aside) is refused, naming the idea."""
    text, by = check_text(text, "the idea"), check_text(by, "name")
    same = next((idea for idea in ideas if normalised(idea.text) == normalised(text)), None)
    if same is not None:
        raise Refused(
            f"that idea is already listed as {same.id} ({same.text!r}); "
            f"vote for it with `lunchlearn ideas vote {same.id}`"
        )
    return sorted_ideas((*ideas, Idea(new_id(text, ideas), text, by, day, tags)))


def voted(idea: Idea, name: str) -> Idea:
    """`idea` with `name`'s vote; one vote per person."""
    if any(person_key(voter) == person_key(name) for voter in idea.votes):
        raise Refused(
            f"{name} has already voted for {idea.id}; one vote each (take it back with "
            f"`lunchlearn ideas vote {idea.id} --undo`)"
        )
    return replace(idea, votes=(*idea.votes, name))


def unvoted(idea: Idea, name: str) -> Idea:
    """`idea` without `name`'s vote."""
    votes = tuple(voter for voter in idea.votes if person_key(voter) != person_key(name))
    if votes == idea.votes:
        raise Refused(f"{name} has not voted for {idea.id}; there is no vote to take back")
    return replace(idea, votes=votes)


def with_idea(ideas: tuple[Idea, ...], idea: Idea) -> tuple[Idea, ...]:
    """`ideas` with `idea` in place of the one with its ID."""
    return tuple(idea if other.id == idea.id else other for other in ideas)


def without(ideas: tuple[Idea, ...], idea: Idea) -> tuple[Idea, ...]:
    return tuple(other for other in ideas if other.id != idea.id)


def ranked(ideas: Iterable[Idea]) -> list[Idea]:
    """Most votes first, then the oldest, then by ID: the order `ideas list` shows."""
    return sorted(ideas, key=lambda idea: (-len(idea.votes), idea.added, idea.id))


def sorted_ideas(ideas: Iterable[Idea]) -> tuple[Idea, ...]:
    """The order of the file: oldest first, then by ID, so every clone writes the same text."""
    return tuple(sorted(ideas, key=lambda idea: (idea.added, idea.id)))


# The file ----------------------------------------------------------------------------------------


def parse_ideas(text: str, file: str = IDEAS) -> tuple[tuple[Idea, ...] | None, list[Problem]]:
    """Parse ideas.yaml text; the ideas are None whenever there is any problem."""
    reader = Reader(file)
    root = reader.compose(text)
    if reader.problems:
        return None, reader.problems
    if root is None:
        return (), []
    top = reader.mapping(root, IDEAS)
    if top is None:
        return None, reader.problems
    reader.known_keys(top, ("ideas",), IDEAS)
    read = [_read_idea(reader, node) for node in reader.sequence(top.get("ideas", NULL_NODE), "ideas")]
    ideas = [idea for idea in read if idea is not None]
    _report_repeats(reader, ideas, lambda idea: idea.id, "an idea with ID {}")
    _report_repeats(reader, ideas, lambda idea: normalised(idea.text), "the idea {!r}")
    if reader.problems:
        return None, reader.problems
    return sorted_ideas(ideas), []


def _read_idea(reader: Reader, node: yaml.Node) -> Idea | None:
    pairs = reader.entry(node, "an idea", _KEYS, ("id", "text", "by", "added"))
    if pairs is None:
        return None
    idea_id = reader.line(pairs["id"], "id")
    if idea_id is not None and not _ID.fullmatch(idea_id.strip()):
        reader.problem(pairs["id"], f"id {idea_id!r} must be hex digits, as lunchlearn writes it")
        idea_id = None
    texts = {key: _one_line(reader, pairs[key], key) for key in ("text", "by")}
    day = reader.date(pairs["added"], "added")
    taken = None if is_null(pairs.get("taken", NULL_NODE)) else reader.date(pairs["taken"], "taken")
    tags = _names(reader, pairs.get("tags", NULL_NODE), "tags", str.casefold)
    votes = _names(reader, pairs.get("votes", NULL_NODE), "votes", person_key)
    text, by = texts["text"], texts["by"]
    if idea_id is None or text is None or by is None or day is None or tags is None or votes is None:
        return None
    if "taken" in pairs and not is_null(pairs["taken"]) and taken is None:
        return None
    talk = reader.line(pairs["talk"], "talk") if "talk" in pairs else ""
    if talk is None:
        return None
    return Idea(idea_id.strip(), text, by, day, tags, votes, taken, talk.strip(), line=node.start_mark.line + 1)


def _one_line(reader: Reader, node: yaml.Node, what: str) -> str | None:
    value = reader.line(node, what)
    if value is not None and not value.strip():
        reader.problem(node, f"an idea's {what} is empty; write it in or remove the idea")
        return None
    return None if value is None else value.strip()


def _names(reader: Reader, node: yaml.Node, what: str, key: Callable[[str], str]) -> tuple[str, ...] | None:
    """A list of one-line texts (tags, voters), none listed twice."""
    names: dict[str, str] = {}
    fine = True
    for item in reader.sequence(node, what):
        value = _one_line(reader, item, what)
        if value is None:
            fine = False
        elif key(value) in names:
            reader.problem(item, f"{value!r} is listed twice in {what}; keep one")
            fine = False
        else:
            names[key(value)] = value
    return tuple(names.values()) if fine else None


def _report_repeats(reader: Reader, ideas: list[Idea], key: Callable[[Idea], str], what: str) -> None:
    first: dict[str, Idea] = {}
    for idea in ideas:
        earlier = first.setdefault(key(idea), idea)
        if earlier is not idea:
            reader.problems.append(
                Problem(reader.file, idea.line, None, f"{what.format(key(idea))} is here twice (first at line "
                        f"{earlier.line}); keep one and move its votes there")
            )


def dump_ideas(ideas: Iterable[Idea]) -> str:
    """The canonical text of ideas.yaml: a header, ideas oldest first, keys in order, empty ones left out."""
    entries = []
    for idea in sorted_ideas(ideas):
        entry: dict[str, Any] = {"id": idea.id, "text": idea.text, "by": idea.by, "added": idea.added}
        if idea.tags:
            entry["tags"] = list(idea.tags)
        if idea.votes:
            entry["votes"] = list(idea.votes)
        if idea.taken is not None:
            entry["taken"] = idea.taken
        if idea.talk:
            entry["talk"] = idea.talk
        entries.append(entry)
    return HEADER + dump_yaml({"ideas": entries})


# The merge -----------------------------------------------------------------------------------------


def merge_ideas(base: Iterable[Idea], ours: Iterable[Idea], theirs: Iterable[Idea]) -> tuple[Idea, ...]:
    """Both sides' ideas, each field merged 3-way; the same result whichever side is `ours`.

    Votes and tags are sets: both sides' additions, less what either side took away, so one person's
    vote sent from two clones counts once. An idea dropped on one side is dropped, even if the other
    changed it, unless a talk took it there (it stays, the record of where the talk came from). Both
    sides changing one field differently is settled by a rule that ignores sides.
    """
    base_by_id = {idea.id: idea for idea in base}
    ours_by_id = {idea.id: idea for idea in ours}
    theirs_by_id = {idea.id: idea for idea in theirs}
    merged = []
    for idea_id in sorted(ours_by_id.keys() | theirs_by_id.keys()):
        mine, other, was = ours_by_id.get(idea_id), theirs_by_id.get(idea_id), base_by_id.get(idea_id)
        if mine is None or other is None:
            kept = mine or other
            if was is None or _newly_claimed(was, kept):  # added on one side, or a talk took it there
                merged.append(kept)
            continue  # in the ancestor and gone from one side: dropped
        merged.append(_merge_idea(was, mine, other))
    return sorted_ideas(idea for idea in merged if idea is not None)


def _newly_claimed(base: Idea, idea: Idea | None) -> bool:
    """Whether a talk took `idea` since `base`: the idea is then its talk's record, which a drop cannot
    remove (`ideas drop` refuses a taken idea; a drop from another clone must not do it either)."""
    return idea is not None and idea.talk != "" and idea.talk != base.talk


def _merge_idea(base: Idea | None, ours: Idea, theirs: Idea) -> Idea:
    def pick(name: str, settle: Callable[[Any, Any], Any]) -> Any:
        mine, other = getattr(ours, name), getattr(theirs, name)
        was = getattr(base, name) if base is not None else None
        return _pick(was, mine, other, settle)

    def claim(idea: Idea | None) -> tuple[date, str] | None:
        return None if idea is None or idea.taken is None else (idea.taken, idea.talk)

    # The date and the talk that took the idea go together: two claims settle on the later talk.
    claimed = _pick(claim(base), claim(ours), claim(theirs), lambda a, b: max((c for c in (a, b) if c), default=None))
    return Idea(
        ours.id,
        pick("text", max),
        pick("by", max),
        pick("added", min),
        pick("tags", lambda a, b: _merge_set(base.tags if base else (), a, b, str.casefold)),
        pick("votes", lambda a, b: _merge_set(base.votes if base else (), a, b, person_key)),
        *(claimed or (None, "")),
    )


def _pick(base: _T | None, ours: _T, theirs: _T, settle: Callable[[_T, _T], _T]) -> _T:
    """The 3-way choice for one field; `settle` decides when both sides changed it (and must not care
    which side is which)."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return settle(ours, theirs)


def _merge_set(
    base: tuple[str, ...], ours: tuple[str, ...], theirs: tuple[str, ...], key: Callable[[str], str]
) -> tuple[str, ...]:
    """What both kept of `base`, and what either added; one spelling per key (the least, for symmetry)."""
    base_keys, ours_keys, theirs_keys = ({key(n) for n in names} for names in (base, ours, theirs))
    keep = (base_keys & ours_keys & theirs_keys) | (ours_keys - base_keys) | (theirs_keys - base_keys)
    spelling: dict[str, str] = {}
    for name in (*ours, *theirs):
        if key(name) in keep:
            spelling[key(name)] = min(spelling.get(key(name), name), name)
    return tuple(sorted(spelling.values(), key=lambda name: (key(name), name)))
