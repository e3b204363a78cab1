"""schedule.yaml and talks/*.md <-> model: strict parsing with positions, canonical atomic writes.

Every YAML scalar is read as the exact text a person typed: names such as `No`, `null` or `1.10`
stay strings, and the schema alone decides which fields are numbers or dates.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from lunchlearn import safeyaml
from lunchlearn.errors import BadInput, RotaFileError, UnsafePath
from lunchlearn.model import (
    ARTICLE_STATUSES,
    INT_LIMITS,
    OUTLINE,
    PLACEHOLDER_PREFIX,
    SETTING_NAMES,
    PublishOptions,
    Rota,
    Settings,
    Skip,
    Talk,
    check_one_line,
    check_setting,
    check_settings,
    iso_date,
    parse_date,
)

SCHEDULE = "schedule.yaml"
TALKS_DIR = "talks"
HEADER = (
    "# The lunch-and-learn rota. This file is maintained by lunchlearn: prefer its commands\n"
    "# (signup, withdraw, ...). Hand edits and comments are fine: lunchlearn changes only the lines it must.\n"
)


class _Dumper(yaml.SafeDumper):
    """Quotes every string a YAML 1.1 or 1.2 reader (Jekyll, Hugo) would take for another type.

    The pure-Python dumper, because the C emitter escapes emoji and other characters beyond the BMP.
    """


def _represent_str(dumper: _Dumper, text: str) -> yaml.ScalarNode:
    # The Python emitter folds these line breaks inside single quotes; double quotes escape them.
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:0o[0-7]+|[-+]?[0-9][0-9_]*)$"), list("0123456789+-")
)
_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("0123456789+-."),
)
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_ARTICLE_PATH = re.compile(r"talks/[^/\\]+\.md")  # control characters are refused before
_TOP_KEYS = ("settings", "publish", "skipped", "talks")
_PUBLISH_KEYS = ("front_matter",)
_SKIP_KEYS = ("date", "reason")
_TALK_KEYS = ("date", "presenter", "topic", "email", "article")


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, located for a person (line and column are 1-based)."""

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class _Reader:
    """Walks a composed YAML node tree, recording problems instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, message: str) -> None:
        self.problems.append(Problem(self.file, *_place(node.start_mark if node is not None else None), message))

    def fits(self, text: str) -> bool:
        """Whether `text` is small enough to read; a problem when it is not."""
        try:
            safeyaml.check_size(text)
        except safeyaml.BeyondBounds as error:
            self.problems.append(Problem(self.file, None, None, str(error.problem)))
            return False
        return True

    def compose(self, text: str) -> yaml.Node | None:
        if not self.fits(text):
            return None
        try:
            return safeyaml.compose(text)
        except safeyaml.BeyondBounds as error:
            self.problems.append(Problem(self.file, *_place(error.problem_mark), str(error.problem)))
        except yaml.MarkedYAMLError as error:
            place = _place(error.problem_mark or error.context_mark)
            self.problems.append(Problem(self.file, *place, f"not valid YAML: {error.problem}"))
        except yaml.reader.ReaderError as error:  # a character YAML does not allow, by its position
            before = text[: error.position]
            line, column = before.count("\n") + 1, error.position - (before.rfind("\n") + 1) + 1
            character = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
            self.problems.append(
                Problem(self.file, line, column, f"the character {character} is not allowed in YAML; remove it")
            )
        except yaml.YAMLError as error:
            self.problems.append(Problem(self.file, None, None, f"not valid YAML: {error}"))
        return None

    def mapping(self, node: yaml.Node, what: str) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values")
            return None
        result: dict[str, yaml.Node] = {}
        keys: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, f"{what} has a key that is not plain text")
                continue
            key = key_node.value
            if key in keys:
                first = keys[key].start_mark.line + 1
                self.problem(key_node, f"duplicate key {key!r} in {what} (first at line {first})")
                continue
            keys[key] = key_node
            result[key] = value_node
        return result

    def known_keys(self, pairs: dict[str, yaml.Node], allowed: tuple[str, ...], what: str) -> None:
        for key, value in pairs.items():
            if key not in allowed:
                self.problem(value, f"unknown key {key!r} in {what}; expected {', '.join(allowed)}")

    def text(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be text, not a list or mapping")
            return None
        return str(node.value)

    def line(self, node: yaml.Node, what: str) -> str | None:
        """One line of text, as tables and messages show it: no line break or control character."""
        value = self.text(node, what)
        if value is None:
            return None
        try:
            return check_one_line(value, what)
        except BadInput as error:
            self.problem(node, error.message)
            return None

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list")
            return []
        return list(node.value)

    def date(self, node: yaml.Node, what: str) -> date | None:
        value = self.text(node, what)
        if value is None:
            return None
        try:
            return parse_date(value, what)
        except BadInput as error:
            self.problem(node, error.message)
            return None

    def plain(self, node: yaml.Node, what: str) -> Any:
        """Any node as str, list or dict of the same, duplicate keys reported."""
        if isinstance(node, yaml.ScalarNode):
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.plain(item, what) for item in node.value]
        pairs = self.mapping(node, what) or {}
        return {key: self.plain(value, f"{what}.{key}") for key, value in pairs.items()}


_NULL = yaml.ScalarNode("tag:yaml.org,2002:null", "")


def _place(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    """A mark's 1-based line and column, for a Problem."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _is_null(node: yaml.Node) -> bool:
    # A plain scalar's style is "" from the C loader and None from the Python one.
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value in ("", "~", "null")


def parse_rota(text: str, file: str = SCHEDULE) -> tuple[Rota | None, list[Problem]]:
    """Parse schedule.yaml text; the rota is None whenever there is any problem."""
    reader = _Reader(file)
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
    skips = [_read_skip(reader, node) for node in reader.sequence(top.get("skipped", _NULL), "skipped")]
    talks = [_read_talk(reader, node) for node in reader.sequence(top.get("talks", _NULL), "talks")]
    publish = _read_publish(reader, top.get("publish", _NULL))
    _report_repeated_dates(reader, [s for s in skips if s], "skipped date")
    _report_repeated_dates(reader, [t for t in talks if t], "talk")
    if reader.problems or settings is None:
        return None, reader.problems
    rota = Rota(
        settings=settings,
        skips=tuple(sorted((s[0] for s in skips if s), key=lambda s: s.date)),
        talks=tuple(sorted((t[0] for t in talks if t), key=lambda t: t.date)),
        publish=publish,
    )
    return rota, []



def _read_settings(reader: _Reader, node: yaml.Node | None) -> Settings | None:
    if node is None or _is_null(node):
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


def _read_skip(reader: _Reader, node: yaml.Node) -> tuple[Skip, yaml.Node] | None:
    pairs = reader.mapping(node, "a skipped date")
    if pairs is None:
        return None
    reader.known_keys(pairs, _SKIP_KEYS, "a skipped date")
    if "date" not in pairs:
        reader.problem(node, "a skipped date has no date")
        return None
    day = reader.date(pairs["date"], "skipped date")
    reason = reader.line(pairs["reason"], "reason") if "reason" in pairs else ""
    if day is None or reason is None:
        return None
    return Skip(day, reason.strip() or "no reason given"), node


def _read_talk(reader: _Reader, node: yaml.Node) -> tuple[Talk, yaml.Node] | None:
    pairs = reader.mapping(node, "a talk")
    if pairs is None:
        return None
    reader.known_keys(pairs, _TALK_KEYS, "a talk")
    missing = [key for key in ("date", "presenter", "topic", "article") if key not in pairs]
    if missing:
        reader.problem(node, f"a talk has no {' and no '.join(missing)}")
        return None
    day = reader.date(pairs["date"], "talk date")
    presenter = reader.line(pairs["presenter"], "presenter")
    topic = reader.line(pairs["topic"], "topic")
    article = reader.line(pairs["article"], "article")
    email_node = pairs.get("email", _NULL)
    email = "" if _is_null(email_node) else reader.line(email_node, "email")
    if article is not None and not _ARTICLE_PATH.fullmatch(article):
        reader.problem(pairs["article"], f"article {article!r} must be a file talks/<name>.md")
        return None
    for key, value in (("presenter", presenter), ("topic", topic)):
        if value is not None and not value.strip():
            reader.problem(pairs[key], f"a talk's {key} is empty; write it in or remove the talk")
            return None
    if day is None or presenter is None or topic is None or article is None or email is None:
        return None
    places = tuple((key, value.start_mark.line + 1, value.start_mark.column + 1) for key, value in pairs.items())
    talk = Talk(day, presenter.strip(), topic.strip(), article, email.strip(), node.start_mark.line + 1, places)
    return talk, node


def _report_repeated_dates(
    reader: _Reader, entries: list[tuple[Skip, yaml.Node]] | list[tuple[Talk, yaml.Node]], what: str
) -> None:
    seen: dict[date, int] = {}
    for entry, node in entries:
        first = seen.setdefault(entry.date, node.start_mark.line + 1)
        if first != node.start_mark.line + 1:
            reader.problem(node, f"a second {what} on {entry.date} (first at line {first})")


def read_rota(root: Path) -> Rota:
    """Load schedule.yaml, raising RotaFileError (file:line:col) on the first problem."""
    path = root / SCHEDULE
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line, column = before.count(b"\n") + 1, error.start - (before.rfind(b"\n") + 1) + 1
        raise RotaFileError(f"{path}:{line}:{column}: not UTF-8 text; save it as UTF-8") from None
    rota, problems = parse_rota(text, str(path))
    if rota is None:
        more = f" (and {len(problems) - 1} more; run lunchlearn check)" if len(problems) > 1 else ""
        raise RotaFileError(f"{problems[0]}{more}; fix the file and try again")
    return rota


def dump_rota(rota: Rota) -> str:
    """The canonical text of a rota: fixed key order, entries by date, a header comment."""
    return HEADER + dump_yaml(_canonical_document(rota))


def _canonical_document(rota: Rota) -> dict[str, Any]:
    """The rota as dump_rota writes it: sections and keys in order, unset values left out."""
    values = {f.name: getattr(rota.settings, f.name) for f in fields(Settings)}
    document: dict[str, Any] = {"settings": {name: value for name, value in values.items() if value != ""}}
    if rota.publish.front_matter:
        # One site key as text, several as a list, none as '' (leave the key out).
        mapping = {key: names[0] if len(names) == 1 else list(names) or "" for key, names in rota.publish.front_matter}
        document["publish"] = {"front_matter": mapping}
    document["skipped"] = [{"date": s.date, "reason": s.reason} for s in sorted(rota.skips, key=lambda s: s.date)]
    talks = []
    for talk in sorted(rota.talks, key=lambda t: t.date):
        entry: dict[str, object] = {"date": talk.date, "presenter": talk.presenter, "topic": talk.topic}
        if talk.email:
            entry["email"] = talk.email
        entry["article"] = talk.article
        talks.append(entry)
    document["talks"] = talks
    return document


def edit_rota(text: str, rota: Rota) -> str:
    """`text` changed to say `rota`, touching only the lines of the entries and settings that differ.

    Comments, blank lines, line endings and a person's layout everywhere else stay byte for byte; what
    is new is written in the canonical form. The result always parses back to exactly `rota`: an entry
    that cannot be edited in place is written afresh, and as a last resort the whole file is.
    """
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
    if key == "publish":  # small and rare: written afresh whole
        raise _NotInPlace
    value = top.pairs[key][1] if key in top.pairs else None
    if value is None or _is_null(value) or (isinstance(value, yaml.CollectionNode) and not value.value):
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
        rendered = self.layout.lines(dump_yaml({key: value}), self.indent)
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
        return [_Edit(*self.span(key), self.layout.lines(dump_yaml({key: value}), self.indent))]

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
        """An entry in the canonical form, with this item's dash and key columns when it is a line a key."""
        canonical = dump_yaml([entry])
        lines = canonical.removesuffix("\n").split("\n")
        if len(lines) != len(entry):
            return self.layout.lines(canonical, self.dash_column)
        dash = " " * self.dash_column + "-" + " " * (self.key_column - self.dash_column - 1)
        keys = " " * self.key_column
        prefixes = [dash] + [keys] * (len(lines) - 1)
        return "".join(prefix + line[2:] + self.layout.newline for prefix, line in zip(prefixes, lines, strict=True))


def dump_yaml(data: object) -> str:
    """YAML in block style that keeps key order; strings a YAML 1.1 reader would misread are quoted."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )


@dataclass(frozen=True)
class FrontMatter:
    """An article's front matter as plain strings, lists and dicts (None when it does not parse)."""

    meta: dict[str, Any] | None
    body: str
    problems: list[Problem]
    # Each top-level key's value by 1-based line and column, as the YAML parser places it.
    places: dict[str, tuple[int, int]] = field(default_factory=dict)


def parse_front_matter(text: str, file: str) -> FrontMatter:
    """Split an article into its front matter and its body."""
    match, reader, root = _compose_front_matter(text, file)
    body = text[match.end() :] if match else text
    if root is None:
        return FrontMatter(None if reader.problems else {}, body, reader.problems)
    meta = reader.plain(root, "front matter")
    if not isinstance(meta, dict):
        reader.problem(root, "front matter must be a mapping of keys to values")
    if reader.problems or not isinstance(root, yaml.MappingNode):
        return FrontMatter(None, body, reader.problems)
    places = {str(key.value): (value.start_mark.line + 1, value.start_mark.column + 1) for key, value in root.value}
    return FrontMatter(meta, body, [], places)


def _compose_front_matter(text: str, file: str) -> tuple[re.Match[str] | None, _Reader, yaml.Node | None]:
    """The front matter's match in `text` and its node tree; problems are in the reader.

    A blank line stands in for the opening ---, so every mark counts the file's lines, and a mark's
    index plus `match.start(1) - 1` is its offset in `text`.
    """
    reader = _Reader(file)
    if not reader.fits(text):
        return None, reader, None
    match = _FRONT_MATTER.match(text)
    if match is None:
        opened = re.match(r"\A\ufeff?---[ \t]*\r?\n", text)
        message = (
            "front matter is not closed: add a line --- after it"
            if opened
            else "no front matter: the file must start with ---"
        )
        reader.problems.append(Problem(file, 1, 1, message))
        return None, reader, None
    return match, reader, reader.compose("\n" + (match.group(1) or ""))


def article_stub(talk: Talk) -> str:
    """The article a sign-up creates: front matter and an outline to fill in."""
    meta = {
        "title": talk.topic,
        "presenter": talk.presenter,
        "date": talk.date,
        "status": "draft",
        "tags": [],
        "summary": "",
    }
    sections = "".join(
        f"\n## {heading}\n\n{PLACEHOLDER_PREFIX} {hint}\n" for heading, hint in OUTLINE
    )
    return f"---\n{dump_yaml(meta)}---\n{sections}"


def article_status(root: Path, talk: Talk) -> str:
    """The article's status from its front matter: `missing` or `unreadable` when it cannot say."""
    try:
        text = safe_path(root, talk.article).read_text(encoding="utf-8")
    except FileNotFoundError:
        return "missing"
    except (OSError, UnicodeDecodeError, UnsafePath):
        return "unreadable"
    meta = parse_front_matter(text, talk.article).meta
    if meta is None:
        return "unreadable"
    status = meta.get("status")
    return status if status in ARTICLE_STATUSES else "unreadable"


def safe_path(root: Path, relative: str) -> Path:
    """`root/relative`, refusing anything that resolves outside root (`..`, absolute, symlinks)."""
    base = root.resolve()
    candidate = (base / relative).resolve()
    if Path(relative).is_absolute() or not candidate.is_relative_to(base):
        raise UnsafePath(f"{relative!r} points outside {base}; refusing to touch it")
    return base / relative


def atomic_write(path: Path, data: str | bytes, scratch: Path | None = None) -> None:
    """Write via a temporary file, fsync and rename: readers see the old or the new file, never half.

    `scratch` holds the temporary file (under .git/) so a killed process leaves none in the work tree.
    """
    import tempfile

    directory = scratch or path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".lunchlearn-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding schedule.yaml, like git finds .git."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / SCHEDULE).is_file():
            return folder
    return None


def set_front_matter_field(text: str, key: str, value: str, file: str) -> str:
    """Set one top-level front-matter key where the YAML parser places it; every other byte stays as written.

    A missing key goes after the last entry. Refuses (RotaFileError, with the place) front matter that
    does not parse, and a value that is not one scalar of its own: a list, a mapping or an alias.
    """
    match, reader, root = _compose_front_matter(text, file)
    before = reader.plain(root, "front matter") if root is not None else {}
    if match is None or reader.problems:
        raise RotaFileError(f"{reader.problems[0]}; fix the front matter and try again; nothing was written")
    if root is None:
        at = match.end(1) if match.group(1) is not None else text.index("\n") + 1
        newline = "\r\n" if text[:at].endswith("\r\n") else "\n"
        changed = text[:at] + f"{_yaml_value(key, False)}: {_yaml_value(value, False)}{newline}" + text[at:]
    elif isinstance(root, yaml.MappingNode):
        changed = _set_in_mapping(text, match.start(1) - 1, root, key, value, file)
    else:
        raise RotaFileError(f"{file}:{root.start_mark.line + 1}:1: front matter must be a mapping of keys to values")
    after = parse_front_matter(changed, file)
    expected = {**before, key: value} if isinstance(before, dict) else None
    if after.meta != expected or list(after.meta or {}) != list(expected or {}) or after.body != text[match.end() :]:
        line, column = after.places.get(key, (1, 1))
        raise RotaFileError(
            f"{file}:{line}:{column}: cannot set {key} to {value!r} without changing the rest of the front "
            f"matter; write `{key}: {value}` there yourself; nothing was written"
        )
    return changed


def _set_in_mapping(text: str, offset: int, root: yaml.MappingNode, key: str, value: str, file: str) -> str:
    """`text` with `key` set in the top-level mapping `root`, whose marks plus `offset` are offsets in `text`."""
    flow = bool(root.flow_style)
    for key_node, value_node in root.value:
        if not (isinstance(key_node, yaml.ScalarNode) and key_node.value == key):
            continue
        # An alias's node is the anchored one, written before the key.
        if not isinstance(value_node, yaml.ScalarNode) or value_node.start_mark.index < key_node.end_mark.index:
            raise RotaFileError(
                f"{file}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}: {key} holds a list, a "
                f"mapping or an alias, not one value; make it one line such as `{key}: {value}` and try again; "
                "nothing was written"
            )
        start, end = offset + value_node.start_mark.index, offset + value_node.end_mark.index
        old = text[start:end]
        new = _yaml_value(value, flow)
        # An empty value is nothing right after the colon; a block scalar ends with its line breaks.
        return text[:start] + (" " if not old else "") + new + old[len(old.rstrip()) :] + text[end:]
    pair = f"{_yaml_value(key, flow)}: {_yaml_value(value, flow)}"
    pairs: list[tuple[yaml.Node, yaml.Node]] = root.value
    if flow:
        at = offset + (pairs[-1][1].end_mark.index if pairs else root.end_mark.index - 1)
        return text[:at] + (", " if pairs else "") + pair + text[at:]
    at = offset + pairs[-1][1].end_mark.index
    if not text[:at].endswith("\n"):  # after the rest of the last entry's line, a comment included
        at = text.index("\n", at) + 1
    newline = "\r\n" if text[:at].endswith("\r\n") else "\n"
    return text[:at] + " " * pairs[0][0].start_mark.column + pair + newline + text[at:]


def _yaml_value(value: str, flow: bool) -> str:
    """`value` as YAML writes it as a key or value, in a flow mapping (`{...}`) or a block one."""
    if flow:
        flow_list = yaml.dump([value], Dumper=_Dumper, default_flow_style=True, allow_unicode=True, width=1_000_000)
        return str(flow_list)[1:-2]
    return dump_yaml([value])[2:-1]


def withdrawn_article(text: str, talk: Talk) -> str | None:
    """The article of a withdrawn talk: None for an untouched stub (it can go), else marked withdrawn.

    An article without front matter is kept exactly as written: there is no status to mark.
    """
    if text == article_stub(talk):
        return None
    if _FRONT_MATTER.match(text) is None:
        return text
    return set_front_matter_field(text, "status", "withdrawn", talk.article)


def read_text(root: Path, relative: str) -> str | None:
    """A file's exact text, line endings and all; None when it does not exist."""
    try:
        data = safe_path(root, relative).read_bytes()
    except FileNotFoundError:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise RotaFileError(f"{relative} is not UTF-8 text; save it as UTF-8") from None


def _read_publish(reader: _Reader, node: yaml.Node) -> PublishOptions:
    if _is_null(node):
        return PublishOptions()
    pairs = reader.mapping(node, "publish") or {}
    reader.known_keys(pairs, _PUBLISH_KEYS, "publish")
    mapping_node = pairs.get("front_matter", _NULL)
    if _is_null(mapping_node):
        return PublishOptions()
    renames = []
    for key, value_node in (reader.mapping(mapping_node, "publish.front_matter") or {}).items():
        site_keys = _read_site_keys(reader, key, value_node)
        if site_keys is not None:
            renames.append((key, site_keys))
    return PublishOptions(front_matter=tuple(renames))


def _read_site_keys(reader: _Reader, key: str, node: yaml.Node) -> tuple[str, ...] | None:
    """The site keys for the article key `key`: one, a list, or none (empty); None when there is a problem."""
    what = f"publish.front_matter.{key}"
    listed = isinstance(node, yaml.SequenceNode)
    names: list[str] = []
    for name_node in reader.sequence(node, what) if listed or _is_null(node) else [node]:
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


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Any YAML document as plain strings, lists and dicts (None when empty or broken)."""
    reader = _Reader(file)
    node = reader.compose(text)
    if node is None:
        return None, reader.problems
    plain = reader.plain(node, file)
    return (None if reader.problems else plain), reader.problems


def front_matter_values(text: str) -> dict[Any, Any]:
    """The front matter with YAML's own types (bool, int, float, null, date); {} when there is none.

    For keys whose type is the author's business: `parse_front_matter` keeps every scalar as text.
    """
    _, reader, root = _compose_front_matter(text, "")
    if root is None or reader.problems:
        return {}
    try:
        values = safeyaml.construct(root)
    except yaml.YAMLError:
        return {}
    return values if isinstance(values, dict) else {}
