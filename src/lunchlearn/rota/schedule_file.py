"""schedule.yaml <-> Rota: strict parsing with positions, canonical rendering, line-level edits."""

from __future__ import annotations

import re
import sys
from array import array
from collections import Counter
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

from lunchlearn.errors import BadInput
from lunchlearn.rota import safeyaml
from lunchlearn.rota.model import (
    INT_LIMITS,
    SCHEDULE,
    SETTING_NAMES,
    Cancelled,
    Confirmation,
    HolidayRegion,
    PublishOptions,
    Rota,
    Settings,
    Skip,
    Talk,
    check_setting,
    check_settings,
    check_timestamp,
    iso_date,
    same_person,
)
from lunchlearn.rota.public_holidays import check_country, check_region
from lunchlearn.rota.yamltext import NULL_NODE, Problem, Reader, dump_yaml, is_null

HEADER = (
    "# The lunch-and-learn rota. This file is maintained by lunchlearn: prefer its commands\n"
    "# (signup, withdraw, ...). Hand edits and comments are fine: lunchlearn changes only the lines it must.\n"
)


_ARTICLE_PATH = re.compile(r"talks/[^/\\]+\.md")  # control characters are refused before


_OTHER_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")  # YAML's line breaks besides the newline
_TOP_KEYS = ("settings", "holidays", "publish", "people", "standby", "skipped", "talks", "cancelled")


_HOLIDAY_KEYS = ("country", "subdiv")


_PUBLISH_KEYS = ("front_matter",)


_SKIP_KEYS = ("date", "reason")


_TALK_KEYS = ("date", "presenter", "topic", "email", "article", "confirmed", "uid", "sequence", "changed")
_KEY_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}  # each order of a talk's keys met so far


_CANCELLED_KEYS = ("uid", "date", "presenter", "topic", "sequence", "changed")


def parse_rota(text: str, file: str = SCHEDULE) -> tuple[Rota | None, list[Problem]]:
    """Parse schedule.yaml text; the rota is None whenever there is any problem."""
    rota, problems = _parsed(text, file)
    return rota, list(problems)


@lru_cache(maxsize=4)
def _parsed(text: str, file: str) -> tuple[Rota | None, tuple[Problem, ...]]:
    """A write parses the same few texts over and over (planning, revising, checking its own edit):
    each is parsed once. The results are immutable."""
    rota, problems = _parse(text, file)
    return rota, tuple(problems)


def _parse(text: str, file: str) -> tuple[Rota | None, list[Problem]]:
    reader = Reader(file)
    root = reader.compose(text)
    if reader.problems:
        return None, reader.problems
    if root is None:
        return Rota(), []
    top = reader.mapping(root, "schedule.yaml")
    if top is None:
        return None, reader.problems
    reader.known_keys(top, _TOP_KEYS, "schedule.yaml")
    settings = _read_settings(reader, top.get("settings"))
    skips = [_read_skip(reader, node) for node in reader.sequence(top.get("skipped", NULL_NODE), "skipped")]
    talks = [_read_talk(reader, node) for node in reader.sequence(top.get("talks", NULL_NODE), "talks")]
    publish = _read_publish(reader, top.get("publish", NULL_NODE))
    cancelled_nodes = reader.sequence(top.get("cancelled", NULL_NODE), "cancelled")
    cancelled = [_read_cancelled(reader, node) for node in cancelled_nodes]
    region = _read_holidays(reader, top.get("holidays", NULL_NODE))
    people = _read_names(reader, top.get("people", NULL_NODE), "people")
    standby = _read_names(reader, top.get("standby", NULL_NODE), "standby")
    _report_repeated_dates(reader, [s for s in skips if s], "skipped date")
    _report_repeated_dates(reader, [t for t in talks if t], "talk")
    if reader.problems or settings is None:
        return None, reader.problems
    rota = Rota(
        settings=settings,
        skips=tuple(sorted((s[0] for s in skips if s), key=lambda s: s.date)),
        talks=tuple(sorted((t[0] for t in talks if t), key=lambda t: t.date)),
        publish=publish,
        cancelled=tuple(sorted((c for c in cancelled if c), key=lambda c: (c.date, c.uid))),
        holidays=region,
        people=people,
        standby=standby,
    )
    return rota, []


def _read_names(reader: Reader, node: yaml.Node, section: str) -> tuple[str, ...]:
    """`people:` or `standby:`: a list of names, each person once."""
    names: list[str] = []
    for item in reader.sequence(node, section):
        name = reader.line(item, f"a name under {section}")
        if name is None:
            continue
        if not name.strip():
            reader.problem(item, f"a name under {section} is empty; write the person's name")
        elif any(same_person(name, seen) for seen in names):
            reader.problem(item, f"{name} is listed twice under {section}; keep one")
        else:
            names.append(name)
    return tuple(names)


def _read_settings(reader: Reader, node: yaml.Node | None) -> Settings | None:
    if node is None or is_null(node):
        return Settings()
    pairs = reader.mapping(node, "settings")
    if pairs is None:
        return None
    reader.known_keys(pairs, SETTING_NAMES, "settings")
    values: dict[str, Any] = {}
    for name, value_node in pairs.items():
        text = reader.text(value_node, f"settings.{name}")
        if text is None or name not in SETTING_NAMES:
            continue
        value: str | int = text.strip()
        if name in INT_LIMITS:
            value = int(text) if text.strip().isascii() and text.strip().isdigit() else text
        elif name == "weekday":
            value = text.strip().lower()
        try:
            check_setting(name, value)
        except BadInput as error:
            reader.problem(value_node, f"settings: {error}")
            continue
        values[name] = value
    if len(values) < len([name for name in pairs if name in SETTING_NAMES]):
        return None
    try:
        return check_settings(Settings(**values))
    except BadInput as error:
        reader.problem(node, f"settings: {error}")
        return None


def _read_holidays(reader: Reader, node: yaml.Node) -> HolidayRegion | None:
    """`holidays: {country: GB, subdiv: ENG}`: the region whose public holidays are skipped."""
    if is_null(node):
        return None
    pairs = reader.mapping(node, "holidays")
    if pairs is None:
        return None
    reader.known_keys(pairs, _HOLIDAY_KEYS, "holidays")
    if "country" not in pairs:
        reader.problem(node, "holidays has no country; write one such as `country: GB`")
        return None
    country = reader.line(pairs["country"], "holidays.country")
    subdiv = reader.line(pairs["subdiv"], "holidays.subdiv") if "subdiv" in pairs else ""
    if country is None or subdiv is None:
        return None
    where = pairs["country"]
    try:
        code = check_country(country)
        where = pairs.get("subdiv", where)
        return check_region(code, subdiv)
    except BadInput as error:
        reader.problem(where, f"holidays: {error.message}")
        return None


def _read_skip(reader: Reader, node: yaml.Node) -> tuple[Skip, yaml.Node] | None:
    pairs = reader.entry(node, "a skipped date", _SKIP_KEYS, ("date",))
    if pairs is None:
        return None
    day = reader.date(pairs["date"], "skipped date")
    reason = reader.line(pairs["reason"], "reason") if "reason" in pairs else ""
    if day is None or reason is None:
        return None
    return Skip(day, reason.strip() or "no reason given"), node


def _read_talk(reader: Reader, node: yaml.Node) -> tuple[Talk, yaml.Node] | None:
    pairs = reader.entry(node, "a talk", _TALK_KEYS, ("date", "presenter", "topic", "article"))
    if pairs is None:
        return None
    day = reader.date(pairs["date"], "talk date")
    presenter = reader.line(pairs["presenter"], "presenter")
    topic = reader.line(pairs["topic"], "topic")
    article = reader.line(pairs["article"], "article")
    email_node = pairs.get("email", NULL_NODE)
    email = "" if is_null(email_node) else reader.line(email_node, "email")
    if article is not None and not _ARTICLE_PATH.fullmatch(article):
        reader.problem(pairs["article"], f"article {article!r} must be a file talks/<name>.md")
        return None
    for key, value in (("presenter", presenter), ("topic", topic)):
        if value is not None and not value.strip():
            reader.problem(pairs[key], f"a talk's {key} is empty; write it in or remove the talk")
            return None
    confirmed = _read_confirmed(reader, pairs.get("confirmed", NULL_NODE))
    if day is None or presenter is None or topic is None or article is None or email is None or confirmed is None:
        return None
    revision = _read_revision(reader, pairs)
    if revision is None:
        return None
    line = node.start_mark.line
    # The same keys and the same presenter are one object in every talk, so the kept rota pickles them once.
    keys = _KEY_TUPLES.setdefault(tuple(pairs), tuple(pairs))
    spots = tuple(n for value in pairs.values() for n in (value.start_mark.line - line, value.start_mark.column + 1))
    talk = Talk(
        day, sys.intern(presenter.strip()), topic.strip(), article, email.strip(), *revision,
        line=line + 1, keys=keys, spots=spots, confirmed=confirmed,
    )
    return talk, node


def _read_revision(reader: Reader, pairs: dict[str, yaml.Node]) -> tuple[str, int, str] | None:
    """A talk's calendar identity and revision: `uid`, `sequence` and `changed`, each optional."""
    texts = {key: "" if is_null(pairs.get(key, NULL_NODE)) else reader.line(pairs[key], key)
             for key in ("uid", "sequence", "changed")}
    uid, sequence, changed = (texts[key] for key in ("uid", "sequence", "changed"))
    if uid is None or sequence is None or changed is None:
        return None
    sequence = sequence.strip()
    if sequence and not (sequence.isascii() and sequence.isdigit() and len(sequence) <= 9):
        reader.problem(pairs["sequence"], f"sequence {sequence!r} must be a whole number from 0")
        return None
    changed = changed.strip()
    try:
        check_timestamp(changed, "changed") if changed else None
    except BadInput as error:
        reader.problem(pairs["changed"], error.message)
        return None
    return uid.strip(), int(sequence or 0), changed


def _read_cancelled(reader: Reader, node: yaml.Node) -> Cancelled | None:
    pairs = reader.entry(node, "a cancelled talk", _CANCELLED_KEYS, ("uid", "date"))
    if pairs is None:
        return None
    day = reader.date(pairs["date"], "cancelled date")
    texts = {key: reader.line(pairs.get(key, NULL_NODE), key) for key in ("presenter", "topic")}
    revision = _read_revision(reader, pairs)
    if day is None or revision is None or None in texts.values() or not revision[0]:
        return None
    uid, sequence, changed = revision
    return Cancelled(uid, day, (texts["presenter"] or "").strip(), (texts["topic"] or "").strip(), sequence, changed)


def _read_confirmed(reader: Reader, node: yaml.Node) -> Confirmation | None:
    """A talk's `confirmed:`: the day the presenter confirmed, `true`, or `false`/nothing; None if neither."""
    if is_null(node):
        return False
    text = reader.text(node, "confirmed")
    if text is None:
        return None
    if text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    day = iso_date(text)
    if day is None:
        reader.problem(node, f"confirmed {text!r} must be the day the talk was confirmed (YYYY-MM-DD) or true")
    return day


def _report_repeated_dates(
    reader: Reader, entries: list[tuple[Skip, yaml.Node]] | list[tuple[Talk, yaml.Node]], what: str
) -> None:
    seen: dict[date, int] = {}
    for entry, node in entries:
        first = seen.setdefault(entry.date, node.start_mark.line + 1)
        if first != node.start_mark.line + 1:
            reader.problem(node, f"a second {what} on {entry.date} (first at line {first})")


def dump_rota(rota: Rota) -> str:
    """The canonical text of a rota: fixed key order, entries by date, a header comment."""
    _refuse_part(rota)
    return HEADER + dump_yaml(_canonical_document(rota))


def _canonical_document(rota: Rota) -> dict[str, Any]:
    """The rota as dump_rota writes it: sections and keys in order, unset values left out."""
    values = {
        f.name: value
        for f in fields(Settings)
        if (value := getattr(rota.settings, f.name)) != ""
        and not (f.metadata.get("written") == "when changed" and value == f.default)
    }
    document: dict[str, Any] = {"settings": values}
    if rota.holidays is not None:
        region = {"country": rota.holidays.country, "subdiv": rota.holidays.subdiv}
        document["holidays"] = {key: value for key, value in region.items() if value}
    if rota.publish.front_matter:
        # One site key as text, several as a list, none as '' (leave the key out).
        mapping = {key: names[0] if len(names) == 1 else list(names) or "" for key, names in rota.publish.front_matter}
        document["publish"] = {"front_matter": mapping}
    for section in ("people", "standby"):
        if names := getattr(rota, section):
            document[section] = list(names)
    document["skipped"] = [{"date": s.date, "reason": s.reason} for s in sorted(rota.skips, key=lambda s: s.date)]
    document["talks"] = [_talk_entry(talk) for talk in sorted(rota.talks, key=lambda t: t.date)]
    if rota.cancelled:
        document["cancelled"] = [
            {"uid": c.uid, "date": c.date, "presenter": c.presenter, "topic": c.topic}
            | _revision_entry("", c.sequence, c.changed)
            for c in rota.cancelled
        ]
    return document


def _talk_entry(talk: Talk) -> dict[str, object]:
    entry: dict[str, object] = {"date": talk.date, "presenter": talk.presenter, "topic": talk.topic}
    if talk.email:
        entry["email"] = talk.email
    entry["article"] = talk.article
    if talk.confirmed is not False:
        entry["confirmed"] = talk.confirmed
    return entry | _revision_entry(talk.uid, talk.sequence, talk.changed)


def _revision_entry(uid: str, sequence: int, changed: str) -> dict[str, object]:
    """The revision keys that are set, in their order."""
    entry: dict[str, object] = {"uid": uid} if uid else {}
    if sequence:
        entry["sequence"] = sequence
    if changed:
        entry["changed"] = changed
    return entry


def edit_rota(text: str, rota: Rota, parsed: Rota | None = None) -> str:
    """`text` changed to say `rota`, touching only the lines of the entries and settings that differ.

    Comments, blank lines, line endings and a person's layout everywhere else stay byte for byte; what
    is new is written in the canonical form. The result always parses back to exactly `rota`: an entry
    that cannot be edited in place is written afresh, and as a last resort the whole file is.

    `parsed`, when given, is what `text` says, with each talk's line (a kept parse, git/readcache): when
    only talks come, go or change (and cancellations with them), the edit then reads and checks only the
    entries it removes, rewrites or writes next to, not the whole file; the result is the same text.
    Both may leave out the talks before the same day (`talks_since`); PartOfRota, when the edit then
    needs the whole rota.
    """
    if parsed is not None and (spliced := _spliced(text, parsed, rota)) is not None:
        return spliced
    _refuse_part(rota)
    before, _ = parse_rota(text)
    if before == rota:
        return text
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    layout = _Layout(text[len(bom) :])
    if before is None or not layout.text.strip():
        return bom + layout.canonical(rota)
    try:
        edited = bom + _edit_body(layout, _canonical_document(before), _canonical_document(rota))
    except _NotInPlace:
        return bom + layout.canonical(rota)
    return edited if parse_rota(edited)[0] == rota else bom + layout.canonical(rota)


class PartOfRota(Exception):
    """Raised for a rota that leaves out its older talks where only the whole rota can be written."""


def _refuse_part(rota: Rota) -> None:
    if rota.talks_since is not None:
        raise PartOfRota(f"the talks before {rota.talks_since} are not loaded")


def _spliced(text: str, before: Rota, after: Rota) -> str | None:
    """The edit the whole file's edit makes when talks only come, go or change, with each entry it relies on
    found from its kept line and checked by parsing that entry alone; None when that cannot prove the result.

    An entry of a block list is its dash line and the lines indented past the dash: replacing whole
    entries with entries at the same columns leaves the structure around them as it was.
    """
    if text.startswith("\ufeff") or not text.endswith("\n") or not before.talks or not after.talks:
        return None
    if any(line_break in text for line_break in _OTHER_LINE_BREAKS):
        return None
    since = before.talks_since
    if since != after.talks_since or (since is not None and any(t.date < since for t in after.talks)):
        return None
    if since is not None and _written_elsewhere(text, before, after.cancelled):
        return None  # whether a talk left out still holds a cancelled UID is for the whole rota to say
    old = {talk.date: talk for talk in before.talks}
    new = {talk.date: talk for talk in after.talks}
    if len(old) != len(before.talks):
        return None
    changed = sorted(day for day in old.keys() & new.keys() if old[day] is not new[day] and old[day] != new[day])
    rest = _canonical_document(replace(before, talks=())), _canonical_document(replace(after, talks=()))
    cancelled = rest[0].pop("cancelled", None), rest[1].pop("cancelled", None)
    skipped = rest[0].pop("skipped", None), rest[1].pop("skipped", None)
    if rest[0] != rest[1]:
        return None  # more than talks, skipped dates and cancellations changed
    layout = _Layout(text)
    starts = _line_starts(text)
    found: dict[date, _KeptItem | None] = {}

    def item(talk: Talk) -> _KeptItem:
        if talk.date not in found:
            found[talk.date] = _KeptItem.find(layout, starts, talk)
        kept = found[talk.date]
        if kept is None:
            raise _NotInPlace
        return kept

    try:
        first = item(min(before.talks, key=lambda t: t.line or 0))
        edits = [_Edit(item(t).start, item(t).end, "") for t in before.talks if t.date not in new]
        for day in changed:  # an entry as lunchlearn writes it, written afresh; any other is the full edit's
            kept = item(old[day])
            if layout.text[kept.start : kept.end] != _render_entry(
                layout, _talk_entry(old[day]), kept.dash_column, kept.key_column
            ):
                return None
            written = _render_entry(layout, _talk_entry(new[day]), kept.dash_column, kept.key_column)
            if _entry_alone(written) != new[day]:
                return None
            edits.append(_Edit(kept.start, kept.end, written))
        added = sorted((t for t in after.talks if t.date not in old), key=lambda t: t.date)
        key_column = _first_entry_key_column(layout, first) if added and since is not None else first.key_column
        for talk in added:
            earlier = [t for t in before.talks if t.date < talk.date]
            if not earlier and since is not None:
                return None  # it follows the last of the talks left out
            at = item(max(earlier, key=lambda t: t.date)).end if earlier else item(before.talks[0]).start
            written = _render_entry(layout, _talk_entry(talk), first.dash_column, key_column)
            if _entry_alone(written) != talk:
                return None
            edits.append(_Edit(at, at, written))
        if skipped[0] != skipped[1]:
            edits.append(_skipped_section(layout, *skipped))
        if cancelled[0] != cancelled[1]:
            last = item(max(before.talks, key=lambda t: t.line or 0))
            edits.append(_cancelled_section(layout, first, last, *cancelled, after.cancelled))
        return layout.apply(edits)
    except _NotInPlace:
        return None


def _skipped_section(layout: _Layout, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> _Edit:
    """The `skipped:` section written afresh where it is, as lunchlearn writes it, right before `talks:`;
    proven the file's own by the text up to it, a mapping of the sections before the talks whose last is
    this one."""
    old = layout.section("skipped", before)
    at = layout.text.find(old + "talks:")
    if at < 0 or (at and layout.text[at - 1] != "\n") or layout.text.find(old + "talks:", at + 1) >= 0:
        raise _NotInPlace
    try:
        head = safeyaml.compose(layout.text[: at + len(old)])
        if not isinstance(head, yaml.MappingNode) or not head.value:
            raise _NotInPlace
        keys = [key.value for key, _ in head.value]
        if keys[-1] != "skipped" or "talks" in keys or safeyaml.construct(head.value[-1][1]) != before:
            raise _NotInPlace
    except yaml.YAMLError:
        raise _NotInPlace from None
    return _Edit(at, at + len(old), layout.section("skipped", after))


def _cancelled_section(
    layout: _Layout,
    first: _KeptItem,
    last: _KeptItem,
    before: list[dict[str, Any]] | None,
    after: list[dict[str, Any]] | None,
    cancelled: tuple[Cancelled, ...],
) -> _Edit:
    """The `cancelled:` section written where the full edit writes it, after the talks list: new when that
    list is the last thing in the file but blank and comment lines and the value of the last key of a
    mapping at the first column with no `cancelled:` key, or in place of the section there when it is all
    that follows the list, as lunchlearn writes it."""
    ending = layout.text[last.end :]
    if before is None:
        if any(line.strip() and not line.lstrip(" ").startswith("#") for line in ending.splitlines()):
            raise _NotInPlace
        _refuse_unless_talks_ends_a_top_level_mapping(layout, first)
    elif ending != layout.section("cancelled", before):
        raise _NotInPlace
    written = layout.section("cancelled", after) if after else ""
    reader = Reader(SCHEDULE)
    root = reader.compose(written)
    pairs = reader.mapping(root, "schedule.yaml") if root is not None else None
    nodes = reader.sequence(pairs["cancelled"], "cancelled") if pairs and "cancelled" in pairs else []
    if reader.problems or tuple(_read_cancelled(reader, node) for node in nodes) != cancelled:
        raise _NotInPlace
    return _Edit(last.end, last.end if before is None else len(layout.text), written)


def _refuse_unless_talks_ends_a_top_level_mapping(layout: _Layout, first: _KeptItem) -> None:
    """_NotInPlace unless the text up to the `talks:` line before the first talk kept is a mapping at the
    first column that ends with that key and has no `cancelled:`: a section written at the first column
    after the talks list then joins that mapping as its `cancelled:`."""
    try:
        head = safeyaml.compose(layout.text[: _line_after_talks_key(layout, first)])
    except yaml.YAMLError:
        raise _NotInPlace from None
    if not isinstance(head, yaml.MappingNode) or not head.value:
        raise _NotInPlace
    keys = [key.value for key, _ in head.value]
    talks = head.value[-1][1]  # the list is after this text: here the key has no value yet
    if keys[-1] != "talks" or "cancelled" in keys or "<<" in keys:
        raise _NotInPlace
    if not isinstance(talks, yaml.ScalarNode) or talks.value:
        raise _NotInPlace


_ENTRY_DASH = re.compile(r"( *)- +(?=[a-z])")  # an entry's first line: its dash, then its first key


def _line_after_talks_key(layout: _Layout, first: _KeptItem) -> int:
    """Where the line after the last `talks:` line before the first talk kept starts."""
    line = layout.text.rfind("\ntalks:", 0, first.start) + 1
    if line == 0 and not layout.text.startswith("talks:"):
        raise _NotInPlace
    return layout.text.index("\n", line) + 1


def _first_entry_key_column(layout: _Layout, first: _KeptItem) -> int:
    """The key column of the talks list's first entry, which a new entry takes as in the whole file's edit,
    found on the first line after `talks:` that is not blank or a comment when the talks kept start later."""
    at = _line_after_talks_key(layout, first)
    while at < first.start:
        end = layout.text.index("\n", at) + 1
        line = layout.text[at:end]
        if line.strip() and not line.lstrip(" ").startswith("#"):
            dash = _ENTRY_DASH.match(line)
            if dash is None or len(dash.group(1)) != first.dash_column:
                raise _NotInPlace  # not an entry of the same list as the talks kept
            return dash.end()
        at = end
    return first.key_column


@dataclass(frozen=True)
class _KeptItem:
    """A talk's entry found from its kept line: where its lines start and end, and its dash and key columns."""

    start: int
    end: int
    dash_column: int
    key_column: int

    @classmethod
    def find(cls, layout: _Layout, starts: array[int], talk: Talk) -> _KeptItem | None:
        """The entry at the talk's kept line, if the lines there are that talk's entry and nothing more."""
        if talk.line is None or not 0 < talk.line < len(starts):
            return None
        first = talk.line - 1
        dash = _ENTRY_DASH.match(layout.text[starts[first] : starts[first + 1]])
        if dash is None:
            return None
        dash_column = len(dash.group(1))
        last = first + 1
        while last < len(starts) - 1:
            line = layout.text[starts[last] : starts[last + 1]]
            content = line.lstrip(" ")
            if content.strip() == "" or content.startswith("#"):
                if _continues(layout.text, starts, last, dash_column):
                    return None  # a blank or comment line inside the entry
                break
            if len(line) - len(content) <= dash_column:
                break
            last += 1
        start, end = starts[first], starts[last]
        entry = layout.text[start:end]
        if "&" in entry or "\t" in entry or _entry_alone(entry) != talk:
            return None  # an anchor others may refer to, or not the kept talk
        return cls(start, end, dash_column, dash.end())


def _written_elsewhere(text: str, part: Rota, cancelled: tuple[Cancelled, ...]) -> bool:
    """Whether a cancellation's UID is in `text` more often than `part`'s talks and cancellations hold it:
    a talk left out of `part` may hold it too (a hand-copied entry), and then it is not cancelled."""
    held = Counter(t.uid for t in part.talks if t.uid) + Counter(c.uid for c in part.cancelled)
    return any(text.count(c.uid) > held[c.uid] for c in cancelled)


def _line_starts(text: str) -> array[int]:
    """Where each line of `text` starts, then its end (`text` ends with a line break and has no other than
    the newline): in an array, as a list of the lines would hold a long rota's every line at once (6 MB at
    10,000 talks)."""
    starts = array("q", [0])
    end = text.find("\n")
    while end >= 0:
        starts.append(end + 1)
        end = text.find("\n", end + 1)
    return starts


def _continues(text: str, starts: array[int], index: int, dash_column: int) -> bool:
    """Whether the entry goes on after the blank or comment line at `index`."""
    for following in range(index + 1, len(starts) - 1):
        line = text[starts[following] : starts[following + 1]]
        content = line.lstrip(" ")
        if content.strip() and not content.startswith("#"):
            return len(line) - len(content) > dash_column
    return False


def _entry_alone(entry: str) -> Talk | None:
    """The talk that the lines of one list entry say, parsed on their own."""
    reader = Reader(SCHEDULE)
    root = reader.compose(entry)
    if reader.problems or not isinstance(root, yaml.SequenceNode) or len(root.value) != 1:
        return None
    talk = _read_talk(reader, root.value[0])
    return None if talk is None or reader.problems else talk[0]


class _NotInPlace(Exception):
    """A part of schedule.yaml laid out so that it cannot be changed line by line (flow style, say)."""


@dataclass(frozen=True)
class _Edit:
    """Replace text[start:end] with `text`; start == end inserts."""

    start: int
    end: int
    text: str


def _edit_body(layout: _Layout, before: dict[str, Any], after: dict[str, Any]) -> str:
    """The file (without its BOM) changed section by section from the rota `before` to `after`."""
    root = safeyaml.compose(layout.text)
    if root is None:  # only comments: keep them, and write the rota after them
        end = len(layout.text)
        return layout.apply([_Edit(end, end, layout.lines(dump_yaml(after), 0))])
    top = _Mapping(layout, root, _TOP_KEYS)
    edits: list[_Edit] = []
    for key in _TOP_KEYS:
        if before.get(key) != after.get(key):
            try:
                edits += _section_edits(top, key, before.get(key), after.get(key))
            except _NotInPlace:
                edits += top.rewrite(key, after.get(key))
    return layout.apply(edits)


def _section_edits(top: _Mapping, key: str, before: Any, after: Any) -> list[_Edit]:
    """One top-level section changed in place, unit by unit."""
    if key in ("holidays", "publish", "people", "standby", "cancelled"):  # small: written afresh whole
        raise _NotInPlace
    value = top.pairs[key][1] if key in top.pairs else None
    if value is None or is_null(value) or (isinstance(value, yaml.CollectionNode) and not value.value):
        if key == "settings":  # the file had only defaults: it gets the settings that differ from them
            after = {name: setting for name, setting in after.items() if before.get(name) != setting}
        return top.fill(key, after)
    if key == "settings":
        return _Mapping(top.layout, value, SETTING_NAMES).edits(before, after)
    return _sequence_edits(top, key, value, before, after)


def _sequence_edits(
    top: _Mapping, key: str, node: yaml.Node, before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[_Edit]:
    """Skipped dates or talks, entry by entry: an entry is known by its date."""
    if not isinstance(node, yaml.SequenceNode) or node.flow_style:
        raise _NotInPlace
    order = _TALK_KEYS if key == "talks" else _SKIP_KEYS
    items = [_Item(top.layout, item, order) for item in node.value]
    old = {entry["date"]: entry for entry in before}
    new = {entry["date"]: entry for entry in after}
    edits = []
    for item in items:
        if item.day not in new:
            edits.append(_Edit(item.start, item.end, ""))
        elif new[item.day] != old[item.day]:
            edits += item.edits(old[item.day], new[item.day])
    added = [entry for entry in after if entry["date"] not in old]
    for entry in added:
        earlier = [item for item in items if item.day < entry["date"]]
        at = max(earlier, key=lambda i: i.day).end if earlier else min(items, key=lambda i: i.day).start
        edits.append(_Edit(at, at, items[0].render(entry)))
    if not new:
        edits.append(top.empty_list(key))
    return edits


class _Layout:
    """The text of schedule.yaml: where its lines start and end, and how to write new ones there."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"

    def canonical(self, rota: Rota) -> str:
        """The whole rota written afresh, in the file's line endings."""
        return dump_rota(rota).replace("\n", self.newline)

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def line_end(self, content_end: int) -> int:
        """Just past the line break of the line where the content ending at `content_end` ends."""
        found = self.text.find("\n", max(content_end - 1, 0))
        return len(self.text) if found < 0 else found + 1

    def starts_line(self, index: int) -> bool:
        return not self.text[self.line_start(index) : index].strip(" ")

    def lines(self, yaml_text: str, indent: int) -> str:
        """Canonical YAML moved `indent` columns right, in the file's line endings."""
        lines = yaml_text.removesuffix("\n").split("\n")
        return "".join((" " * indent + line if line else "") + self.newline for line in lines)

    def section(self, key: str, value: Any, indent: int = 0) -> str:
        """`key: value` in the canonical form, moved `indent` columns right, in the file's line endings."""
        return self.lines(dump_yaml({key: value}), indent)

    def apply(self, edits: list[_Edit]) -> str:
        parts, done = [], 0
        unended = not self.text.endswith("\n")
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):  # stable: insertions keep their order
            if edit.start < done:
                raise _NotInPlace
            text = edit.text
            if unended and edit.start == len(self.text) and text:  # new lines after a last line with no break
                text, unended = self.newline + text, False
            parts += [self.text[done : edit.start], text]
            done = edit.end
        return "".join([*parts, self.text[done:]])


def _content_end(node: yaml.Node) -> int:
    """Where a node's own text ends: a block collection's end mark lies past the comments after it."""
    while isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return int(node.end_mark.index)


class _Mapping:
    """A block mapping in schedule.yaml (the top level, settings or an entry), edited key by key."""

    def __init__(self, layout: _Layout, node: yaml.Node, order: tuple[str, ...]) -> None:
        if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
            raise _NotInPlace
        self.layout = layout
        self.node = node
        self.order = order
        self.pairs: dict[str, tuple[yaml.Node, yaml.Node]] = {key.value: (key, value) for key, value in node.value}
        self.indent = int(node.value[0][0].start_mark.column)

    def edits(self, before: dict[str, Any], after: dict[str, Any]) -> list[_Edit]:
        edits = []
        for key in self.order:
            if before.get(key) == after.get(key):
                continue
            if key in self.pairs and key in after:
                edits.append(self.replace_scalar(key, after[key]))
            elif key in self.pairs:
                edits.append(_Edit(*self.span(key), ""))
            else:
                edits += self.fill(key, after[key])
        return edits

    def replace_scalar(self, key: str, value: object) -> _Edit:
        node = self.pairs[key][1]
        scalar = dump_yaml({key: value}).removeprefix(f"{key}: ").removesuffix("\n")
        if not isinstance(node, yaml.ScalarNode) or node.style not in (None, "", "'", '"') or "\n" in scalar:
            raise _NotInPlace
        start, end = node.start_mark.index, node.end_mark.index
        after_colon = self.layout.text[start - 1] == ":"  # an empty value, `key:` and nothing
        return _Edit(start, end, " " + scalar if after_colon else scalar)

    def span(self, key: str) -> tuple[int, int]:
        """The lines of a key and its value; the key must begin its line (not share an item's dash)."""
        key_node, value = self.pairs[key]
        if not self.layout.starts_line(key_node.start_mark.index):
            raise _NotInPlace
        return self.layout.line_start(key_node.start_mark.index), self.layout.line_end(_content_end(value))

    def fill(self, key: str, value: Any) -> list[_Edit]:
        """Write `value` under a key that is absent, or whose value is empty (nothing, `~`, `[]`, `{}`)."""
        rendered = self.layout.section(key, value, self.indent)
        if key not in self.pairs:
            at = self.new_key_at(key)
            return [_Edit(at, at, rendered)]
        _, _, below = rendered.partition(self.layout.newline)
        if not below:  # an empty list or mapping: the key's value stays as it is
            return []
        colon = self.colon(key)
        empty_value = self.pairs[key][1]
        at = self.layout.line_end(_content_end(empty_value))
        return [_Edit(colon + 1, max(colon + 1, empty_value.end_mark.index), ""), _Edit(at, at, below)]

    def rewrite(self, key: str, value: Any) -> list[_Edit]:
        """The key written afresh in the canonical form; deleted when `value` is None."""
        if value is None:
            return [_Edit(*self.span(key), "")] if key in self.pairs else []
        if key not in self.pairs:
            return self.fill(key, value)
        return [_Edit(*self.span(key), self.layout.section(key, value, self.indent))]

    def empty_list(self, key: str) -> _Edit:
        """`key: []` for a list whose every entry went."""
        colon = self.colon(key)
        return _Edit(colon + 1, colon + 1, " []")

    def colon(self, key: str) -> int:
        key_node, value = self.pairs[key]
        colon = self.layout.text.find(":", key_node.end_mark.index, value.start_mark.index)
        if colon < 0:
            raise _NotInPlace
        return colon

    def new_key_at(self, key: str) -> int:
        """Where a new key goes: after the last key that comes before it in order, else before the first."""
        earlier = [value for name, (_, value) in self.pairs.items() if _rank(self.order, name) < _rank(self.order, key)]
        if earlier:
            return self.layout.line_end(_content_end(earlier[-1]))
        first = self.node.value[0][0].start_mark.index
        if not self.layout.starts_line(first):
            raise _NotInPlace
        return self.layout.line_start(first)


def _rank(order: tuple[str, ...], key: str) -> int:
    return order.index(key) if key in order else len(order)


class _Item:
    """An entry of a block list (a talk or a skipped date): the lines from its dash to its last line."""

    def __init__(self, layout: _Layout, node: yaml.Node, order: tuple[str, ...]) -> None:
        if not isinstance(node, yaml.MappingNode):
            raise _NotInPlace
        dash = node.start_mark.index - 1
        while dash >= 0 and layout.text[dash] == " ":
            dash -= 1
        if dash < 0 or layout.text[dash] != "-" or not layout.starts_line(dash):
            raise _NotInPlace
        self.layout = layout
        self.node = node
        self.order = order
        self.start = layout.line_start(dash)
        self.end = layout.line_end(_content_end(node))
        self.dash_column = dash - self.start
        self.key_column = int(node.start_mark.column)
        day = next((iso_date(v.value) for k, v in node.value if k.value == "date"), None)
        if day is None:
            raise _NotInPlace
        self.day = day

    def edits(self, before: dict[str, Any], after: dict[str, Any]) -> list[_Edit]:
        try:
            return _Mapping(self.layout, self.node, self.order).edits(before, after)
        except _NotInPlace:
            return [_Edit(self.start, self.end, self.render(after))]

    def render(self, entry: dict[str, Any]) -> str:
        return _render_entry(self.layout, entry, self.dash_column, self.key_column)


def _render_entry(layout: _Layout, entry: dict[str, Any], dash_column: int, key_column: int) -> str:
    """An entry in the canonical form, with the given dash and key columns when it is a line a key."""
    canonical = dump_yaml([entry])
    lines = canonical.removesuffix("\n").split("\n")
    if len(lines) != len(entry):
        return layout.lines(canonical, dash_column)
    dash = " " * dash_column + "-" + " " * (key_column - dash_column - 1)
    keys = " " * key_column
    prefixes = [dash] + [keys] * (len(lines) - 1)
    return "".join(prefix + line[2:] + layout.newline for prefix, line in zip(prefixes, lines, strict=True))


def _read_publish(reader: Reader, node: yaml.Node) -> PublishOptions:
    if is_null(node):
        return PublishOptions()
    pairs = reader.mapping(node, "publish") or {}
    reader.known_keys(pairs, _PUBLISH_KEYS, "publish")
    mapping_node = pairs.get("front_matter", NULL_NODE)
    if is_null(mapping_node):
        return PublishOptions()
    renames = []
    for key, value_node in (reader.mapping(mapping_node, "publish.front_matter") or {}).items():
        site_keys = _read_site_keys(reader, key, value_node)
        if site_keys is not None:
            renames.append((key, site_keys))
    return PublishOptions(front_matter=tuple(renames))


def _read_site_keys(reader: Reader, key: str, node: yaml.Node) -> tuple[str, ...] | None:
    """The site keys for the article key `key`: one, a list, or none (empty); None when there is a problem."""
    what = f"publish.front_matter.{key}"
    listed = isinstance(node, yaml.SequenceNode)
    names: list[str] = []
    for name_node in reader.sequence(node, what) if listed or is_null(node) else [node]:
        text = reader.text(name_node, what)
        name = None if text is None else text.strip()
        if name is None:
            return None
        if name in PublishOptions.STAMP_KEYS:
            reader.problem(name_node, f"{name!r} is lunchlearn's own stamp on a post; rename {key} to another key")
            return None
        if listed and not name:
            reader.problem(name_node, f"{what} lists an empty key; leave the value empty to leave the key out")
            return None
        if name in names:
            reader.problem(name_node, f"{name!r} is listed twice in {what}")
            return None
        names.append(name)
    return tuple(name for name in names if name)
