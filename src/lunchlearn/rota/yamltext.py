"""YAML read as the exact text typed, with every value's position, and written so any reader agrees."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from lunchlearn.errors import BadInput
from lunchlearn.rota import safeyaml
from lunchlearn.rota.model import (
    check_one_line,
    parse_date,
)


class Dumper(yaml.SafeDumper):
    """Quotes every string a YAML 1.1 or 1.2 reader (Jekyll, Hugo) would take for another type.

    The pure-Python dumper, because the C emitter escapes emoji and other characters beyond the BMP.
    """

    def ignore_aliases(self, data: Any) -> bool:
        # One date object in two places (two ideas added on one day) would otherwise be written as
        # an anchor and an alias: valid YAML, but not what a person reads or expects to edit.
        return True


def _represent_str(dumper: Dumper, text: str) -> yaml.ScalarNode:
    # The Python emitter folds these line breaks inside single quotes; double quotes escape them.
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


Dumper.add_representer(str, _represent_str)


Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:0o[0-7]+|[-+]?[0-9][0-9_]*)$"), list("0123456789+-")
)


Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("0123456789+-."),
)


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


def decode(data: bytes, file: str) -> str | Problem:
    """`data` as UTF-8 text, or a Problem at its first byte that is not UTF-8: the one way it is reported."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line, column = before.count(b"\n") + 1, error.start - (before.rfind(b"\n") + 1) + 1
        return Problem(file, line, column, "not UTF-8 text; save it as UTF-8")


class Reader:
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
            mark, problem = error.problem_mark or error.context_mark, f"not valid YAML: {error.problem}"
            if error.context_mark and error.problem_mark and error.problem_mark.index >= len(text.rstrip()):
                # Found only at the end of the file: what was left open is where to look.
                mark = error.context_mark
                opened = re.sub(r"^while (parsing|scanning) ", "", str(error.context))
                problem = f"not valid YAML: {opened} that starts here never ends ({error.problem})"
            self.problems.append(Problem(self.file, *_place(mark), problem))
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

    def entry(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, yaml.Node] | None:
        """A mapping of `allowed` keys with every `required` one: its pairs, or None (reported) if not."""
        pairs = self.mapping(node, what)
        if pairs is None:
            return None
        self.known_keys(pairs, allowed, what)
        missing = [key for key in required if key not in pairs]
        if missing:
            self.problem(node, f"{what} has no {' and no '.join(missing)}")
            return None
        return pairs

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
        if is_null(node):
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


NULL_NODE = yaml.ScalarNode("tag:yaml.org,2002:null", "")


def _place(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    """A mark's 1-based line and column, for a Problem."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def is_null(node: yaml.Node) -> bool:
    # A plain scalar's style is "" from the C loader and None from the Python one.
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value in ("", "~", "null")


def dump_yaml(data: object) -> str:
    """YAML in block style that keeps key order; strings a YAML 1.1 reader would misread are quoted."""
    return yaml.dump(
        data,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Any YAML document as plain strings, lists and dicts (None when empty or broken)."""
    reader = Reader(file)
    node = reader.compose(text)
    if node is None:
        return None, reader.problems
    plain = reader.plain(node, file)
    return (None if reader.problems else plain), reader.problems
