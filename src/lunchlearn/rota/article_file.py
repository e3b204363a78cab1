"""An article's file: front matter read with positions, values edited in place, the outline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import yaml

from lunchlearn.errors import RotaFileError
from lunchlearn.rota import safeyaml
from lunchlearn.rota.model import (
    OUTLINE,
    PLACEHOLDER_PREFIX,
    Talk,
)
from lunchlearn.rota.yamltext import Dumper, Problem, Reader, dump_yaml

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


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


def _compose_front_matter(text: str, file: str) -> tuple[re.Match[str] | None, Reader, yaml.Node | None]:
    """The front matter's match in `text` and its node tree; problems are in the reader.

    A blank line stands in for the opening ---, so every mark counts the file's lines, and a mark's
    index plus `match.start(1) - 1` is its offset in `text`.
    """
    reader = Reader(file)
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


def article_stub(talk: Talk, tags: tuple[str, ...] = ()) -> str:
    """The article a sign-up creates: front matter (with the tags of the idea it took) and an outline."""
    meta = {
        "title": talk.topic,
        "presenter": talk.presenter,
        "date": talk.date,
        "status": "draft",
        "tags": list(tags),
        "summary": "",
    }
    sections = "".join(
        f"\n## {heading}\n\n{PLACEHOLDER_PREFIX} {hint}\n" for heading, hint in OUTLINE
    )
    return f"---\n{dump_yaml(meta)}---\n{sections}"


def set_front_matter_field(text: str, key: str, value: str | date, file: str) -> str:
    """Set one top-level front-matter key where the YAML parser places it; every other byte stays as written.

    A date is written as YAML writes dates, unquoted. A missing key goes after the last entry. Refuses
    (RotaFileError, with the place) front matter that does not parse, and a value that is not one scalar
    of its own: a list, a mapping or an alias.
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
    expected = {**before, key: str(value)} if isinstance(before, dict) else None
    if after.meta != expected or list(after.meta or {}) != list(expected or {}) or after.body != text[match.end() :]:
        line, column = after.places.get(key, (1, 1))
        raise RotaFileError(
            f"{file}:{line}:{column}: cannot set {key} to {value!r} without changing the rest of the front "
            f"matter; write `{key}: {value}` there yourself; nothing was written"
        )
    return changed


def _set_in_mapping(text: str, offset: int, root: yaml.MappingNode, key: str, value: str | date, file: str) -> str:
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


def _yaml_value(value: str | date, flow: bool) -> str:
    """`value` as YAML writes it as a key or value, in a flow mapping (`{...}`) or a block one."""
    if flow:
        flow_list = yaml.dump([value], Dumper=Dumper, default_flow_style=True, allow_unicode=True, width=1_000_000)
        return str(flow_list)[1:-2]
    return dump_yaml([value])[2:-1]


def withdrawn_article(text: str, talk: Talk) -> str | None:
    """The article of a withdrawn talk: None for an untouched stub (it can go), else marked withdrawn.

    An article without front matter is kept exactly as written: there is no status to mark.
    """
    if _untouched_stub(text, talk):
        return None
    if _FRONT_MATTER.match(text) is None:
        return text
    return set_front_matter_field(text, "status", "withdrawn", talk.article)


def _untouched_stub(text: str, talk: Talk) -> bool:
    """The stub a sign-up wrote for `talk`, but for its title and tags, which lunchlearn's own commands set
    (an idea's tags at sign-up, a topic changed in the rota): nothing in it is the author's."""
    values = front_matter_values(text)
    title, tags = values.get("title", talk.topic), values.get("tags") or ()
    return isinstance(title, str) and isinstance(tags, list | tuple) and (
        text == article_stub(replace(talk, topic=title), tuple(str(tag) for tag in tags))
    )


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
