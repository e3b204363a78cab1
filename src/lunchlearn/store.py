"""schedule.yaml and talks/*.md <-> model: strict parsing with positions, canonical atomic writes.

Every YAML scalar is read as the exact text a person typed: names such as `No`, `null` or `1.10`
stay strings, and the schema alone decides which fields are numbers or dates.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml

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
    check_setting,
    check_settings,
    iso_date,
)

SCHEDULE = "schedule.yaml"
TALKS_DIR = "talks"
HEADER = (
    "# The lunch-and-learn rota. This file is maintained by lunchlearn: prefer its commands\n"
    "# (signup, withdraw, ...). Hand edits are fine; lunchlearn rewrites the file in this form.\n"
)
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
_ARTICLE_PATH = re.compile(r"talks/[^/\\\x00-\x1f\x7f]+\.md")
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
        mark = node.start_mark if node is not None else None
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        self.problems.append(Problem(self.file, line, column, message))

    def compose(self, text: str) -> yaml.Node | None:
        try:
            return yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else None
            column = mark.column + 1 if mark else None
            self.problems.append(Problem(self.file, line, column, f"not valid YAML: {error.problem}"))
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
        day = iso_date(value)
        if day is None:
            self.problem(node, f"{what} {value!r} is not a date (YYYY-MM-DD)")
        return day

    def plain(self, node: yaml.Node, what: str) -> Any:
        """Any node as str, list or dict of the same, duplicate keys reported."""
        if isinstance(node, yaml.ScalarNode):
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.plain(item, what) for item in node.value]
        pairs = self.mapping(node, what) or {}
        return {key: self.plain(value, f"{what}.{key}") for key, value in pairs.items()}


_NULL = yaml.ScalarNode("tag:yaml.org,2002:null", "")


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style is None and node.value in ("", "~", "null")


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
    reason = reader.text(pairs["reason"], "reason") if "reason" in pairs else ""
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
    presenter = reader.text(pairs["presenter"], "presenter")
    topic = reader.text(pairs["topic"], "topic")
    article = reader.text(pairs["article"], "article")
    email_node = pairs.get("email", _NULL)
    email = "" if _is_null(email_node) else reader.text(email_node, "email")
    if article is not None and not _ARTICLE_PATH.fullmatch(article):
        reader.problem(pairs["article"], f"article {article!r} must be a file talks/<name>.md")
        return None
    for key, value in (("presenter", presenter), ("topic", topic)):
        if value is not None and not value.strip():
            reader.problem(pairs[key], f"a talk's {key} is empty; write it in or remove the talk")
            return None
    if day is None or presenter is None or topic is None or article is None or email is None:
        return None
    talk = Talk(day, presenter.strip(), topic.strip(), article, email.strip(), node.start_mark.line + 1)
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
    values = {f.name: getattr(rota.settings, f.name) for f in fields(Settings)}
    settings = {name: value for name, value in values.items() if value != ""}
    skips = [{"date": s.date, "reason": s.reason} for s in sorted(rota.skips, key=lambda s: s.date)]
    talks = []
    for talk in sorted(rota.talks, key=lambda t: t.date):
        entry: dict[str, object] = {"date": talk.date, "presenter": talk.presenter, "topic": talk.topic}
        if talk.email:
            entry["email"] = talk.email
        entry["article"] = talk.article
        talks.append(entry)
    document: dict[str, object] = {"settings": settings}
    if rota.publish.front_matter:
        # One site key as text, several as a list, none as '' (leave the key out).
        mapping = {key: names[0] if len(names) == 1 else list(names) or "" for key, names in rota.publish.front_matter}
        document["publish"] = {"front_matter": mapping}
    return HEADER + dump_yaml({**document, "skipped": skips, "talks": talks})


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


def parse_front_matter(text: str, file: str) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    """Split an article into its front matter (plain strings, lists, dicts) and its body."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        opened = re.match(r"\A\ufeff?---[ \t]*\r?\n", text)
        message = (
            "front matter is not closed: add a line --- after it"
            if opened
            else "no front matter: the file must start with ---"
        )
        return None, text, [Problem(file, 1, 1, message)]
    reader = _Reader(file)
    # A blank line standing in for the opening --- makes every mark, and "first at line N", count
    # the file's lines.
    node = reader.compose("\n" + (match.group(1) or ""))
    meta: dict[str, Any] | None = None
    if node is None and not reader.problems:
        meta = {}
    elif node is not None:
        plain = reader.plain(node, "front matter")
        if isinstance(plain, dict):
            meta = plain
        else:
            reader.problem(node, "front matter must be a mapping of keys to values")
    problems = reader.problems
    return (None if problems else meta), text[match.end() :], problems


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
    meta, _, problems = parse_front_matter(text, talk.article)
    if meta is None or problems:
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


def set_front_matter_field(text: str, key: str, value: object) -> str:
    """Set one top-level front-matter key in place, leaving every other byte as the author wrote it."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise BadInput("the article has no front matter (it must start with ---)")
    line = dump_yaml({key: value}).rstrip("\n")
    if match.group(1) is None:
        opening_end = text.index("\n") + 1
        return text[:opening_end] + line + "\n" + text[opening_end:]
    block = match.group(1)
    # Not `key:x: ...` (another key) and not the line's CR, so CRLF files keep their line endings.
    existing = re.compile(rf"^{re.escape(key)}[ \t]*:(?=\s|\Z)[^\r\n]*", re.MULTILINE)
    if existing.search(block):
        block = existing.sub(lambda old: line + _trailing_comment(old.group(0)), block, count=1)
    else:
        block += line + ("\r\n" if block.endswith("\r\n") else "\n")
    return text[: match.start(1)] + block + text[match.end(1) :]


def withdrawn_article(text: str, talk: Talk) -> str | None:
    """The article of a withdrawn talk: None for an untouched stub (it can go), else marked withdrawn.

    An article without front matter is kept exactly as written: there is no status to mark.
    """
    if text == article_stub(talk):
        return None
    try:
        return set_front_matter_field(text, "status", "withdrawn")
    except BadInput:
        return text


def _trailing_comment(line: str) -> str:
    """A `# comment` ending a front-matter line, kept when lunchlearn changes the value before it."""
    comment = re.search(r"[ \t]+#[^'\"]*$", line)
    return comment.group(0) if comment else ""


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
    match = _FRONT_MATTER.match(text)
    try:
        values = yaml.load(match.group(1) or "", Loader=_Loader) if match else None  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, ValueError):  # PyYAML raises ValueError for a date such as 2026-02-30
        return {}
    return values if isinstance(values, dict) else {}
