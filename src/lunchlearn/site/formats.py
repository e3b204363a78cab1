"""A site post's front matter in YAML (`---`), TOML (`+++`) or JSON (`{ ... }`), through python-frontmatter.

Only the publish path imports this module, so reading commands never load python-frontmatter or tomli-w.
The handlers here differ from python-frontmatter's own in three ways: they split exactly at the closing
delimiter, so a post's body stays byte for byte as written (the library strips it); YAML is loaded safely
by lunchlearn's one loader for the site; TOML is read by tomllib and written by tomli-w (the library's
TOML handler needs the abandoned `toml` package).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from typing import Any

import frontmatter
import tomli_w
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from lunchlearn.errors import BadInput
from lunchlearn.rota import safeyaml, yamltext

_TOML_INTEGERS = range(-(2**63), 2**63)
_LINE_END = re.compile(r"[ \t]*(?:\r?\n|\Z)")


def load_yaml(text: str, file: str) -> Any:
    """YAML from the site (its configuration, its posts' front matter) as plain data; BadInput when broken.

    The one place the publish path loads YAML: safe loading only, every scalar as text.
    """
    data, problems = yamltext.parse_yaml(text, file)
    if problems:
        raise BadInput(str(problems[0]))
    return data


class _DelimitedHandler(BaseHandler):
    """Front matter between two delimiter lines; the body after the closing one is kept exactly."""

    BLOCK: re.Pattern[str]  # the whole front matter, its own text in the group `text`

    def detect(self, text: str) -> bool:
        return self.BLOCK.match(text) is not None

    def split(self, text: str) -> tuple[str, str]:
        match = self.BLOCK.match(text)
        if match is None:
            raise ValueError("the front matter is not closed")
        return match.group("text") or "", text[match.end() :]

    def format(self, post: frontmatter.Post, **kwargs: object) -> str:
        return f"{self.START_DELIMITER}\n{self.export(post.metadata)}{self.END_DELIMITER}\n{post.content}"


class SafeYAMLHandler(_DelimitedHandler, YAMLHandler):
    BLOCK = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<text>.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)

    def load(self, fm: str, **kwargs: object) -> Any:
        return load_yaml(fm, "the post's front matter")

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        return yamltext.dump_yaml(metadata)


class TOMLHandler(_DelimitedHandler):
    FM_BOUNDARY = re.compile(r"^\+{3}[ \t]*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"
    BLOCK = re.compile(r"\A\+\+\+[ \t]*\r?\n(?P<text>.*?\r?\n)?\+\+\+[ \t]*(?:\r?\n|\Z)", re.DOTALL)

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        return tomli_w.dumps(_toml_ready(metadata))


class HugoJSONHandler(JSONHandler):
    """One JSON object at the top of the post, as Hugo reads it: on one line or many."""

    def detect(self, text: str) -> bool:
        return text.startswith("{") and not text.startswith("{{")  # a shortcode opens a post with no front matter

    def split(self, text: str) -> tuple[str, str]:
        _, end = json.JSONDecoder().raw_decode(text)  # a JSONDecodeError is a ValueError
        line_end = _LINE_END.match(text, end)
        if line_end is None:
            raise ValueError("text follows the front matter on its closing line")
        return text[:end], text[line_end.end() :]

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        return json.dumps(_json_ready(metadata), indent=2, ensure_ascii=False)

    def format(self, post: frontmatter.Post, **kwargs: object) -> str:
        return f"{self.export(post.metadata)}\n{post.content}"


HANDLERS: dict[str, BaseHandler] = {"yaml": SafeYAMLHandler(), "toml": TOMLHandler(), "json": HugoJSONHandler()}


def format_of(text: str) -> str | None:
    """yaml, toml or json, as the front matter at the top of `text` is written; None when it has none."""
    handler = frontmatter.detect_format(text, HANDLERS.values())
    return next((name for name, known in HANDLERS.items() if known is handler), None)


def read(text: str) -> tuple[dict[str, Any] | None, str]:
    """A post's front matter and body; None for front matter that is missing, unreadable or not a mapping."""
    name = format_of(text)
    if name is None:
        return None, text
    handler = HANDLERS[name]
    try:
        safeyaml.check_size(text)
        block, body = handler.split(text)
        meta = handler.load(block)
    # tomllib's and json's decode errors are ValueErrors; both recurse once per level of nesting
    except (ValueError, BadInput, RecursionError, safeyaml.BeyondBounds):
        return None, text
    if meta is None:  # an empty YAML block
        meta = {}
    return (meta if isinstance(meta, dict) else None), body


def write(format_name: str, meta: Mapping[str, Any], body: str) -> str:
    """The post: `meta` as front matter in the format `format_name`, then `body` as it is."""
    post = frontmatter.Post(body, HANDLERS[format_name])
    post.metadata.update(meta)  # not as keywords: a key may be named `content` or `handler`
    return frontmatter.dumps(post)


def _toml_ready(value: Any) -> Any:
    """`value` as TOML can hold it: keys as text, no null (left out), 64-bit integers (a longer one as text)."""
    if isinstance(value, Mapping):
        return {str(key): _toml_ready(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_toml_ready(item) for item in value if item is not None]
    if isinstance(value, bool | float | str | date) or (isinstance(value, int) and value in _TOML_INTEGERS):
        return value
    return str(value)


def _json_ready(value: Any) -> Any:
    """`value` as JSON can hold it: keys as text, dates in ISO form, infinity as text."""
    if isinstance(value, Mapping):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return str(value)
