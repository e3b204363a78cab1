"""The one way lunchlearn reads YAML: safe tags only, and bounded so that no file exhausts time or memory.

PyYAML's composer follows aliases however far they multiply ("billion laughs"), lets an alias name the
value that holds it (an endless value), and its C version recurses once per level of nesting until the
process crashes. This composer builds the same node tree from the parser's events, which libyaml
produces without recursion, and stops at the first thing beyond the bounds below, at its place in the file.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

MAX_BYTES = 10_000_000  # far above any real rota, article or site configuration
MAX_DEPTH = 50  # levels of nesting; real files use fewer than ten
MAX_ALIASED_VALUES = 10_000  # values that aliases may add to a document, all aliases together
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_COLLECTION_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class BeyondBounds(yaml.MarkedYAMLError):
    """A document lunchlearn refuses to read in full; `problem` says why, `problem_mark` where."""

    def __init__(self, problem: str, mark: Any = None) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def check_size(text: str) -> None:
    """Refuse a text beyond MAX_BYTES of UTF-8 before spending time or memory on it."""
    size = len(text) if len(text) > MAX_BYTES else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise BeyondBounds(
            f"is {size / 1_000_000:.1f} MB; lunchlearn reads files of up to {MAX_BYTES // 1_000_000} MB"
        )


@lru_cache(maxsize=4)
def compose(text: str) -> yaml.Node | None:
    """The single document in `text` as a node tree (None when empty), as `yaml.compose` gives it; the tree
    is shared by every caller, which only reads it: an edit of schedule.yaml reads the same text's tree to
    parse it and to place its changes, with an article or two read in between.

    Raises yaml.YAMLError for text that is not YAML, and BeyondBounds for text beyond the bounds.
    """
    check_size(text)
    loader = _Loader(text)
    try:
        if _within_bounds_by_construction(text):
            return loader.get_single_node()  # libyaml's own composer: the same tree, far fewer Python calls
        return _Composer(loader).document()
    finally:
        loader.dispose()


def _within_bounds_by_construction(text: str) -> bool:
    """Whether `text` cannot reach a bound: no anchor or alias, and at most MAX_DEPTH collection indicators
    (every collection starts with `[`, `{`, `-`, `:` or `?`), as most front matter is."""
    return "&" not in text and "*" not in text and sum(text.count(mark) for mark in "[{-:?") <= MAX_DEPTH


def construct(node: yaml.Node) -> Any:
    """The value of a composed node with YAML's own types (bool, int, float, null, date, ...).

    Raises yaml.YAMLError for an unknown tag, or for a value its tag refuses.
    """
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as error:
        # PyYAML's constructors let these out for a scalar their tag does not accept: IndexError for
        # `!!int ''`, AttributeError for `!!timestamp x`, ValueError for 2026-02-30.
        raise yaml.constructor.ConstructorError(None, None, f"a value its tag refuses ({error})", None) from None
    finally:
        loader.dispose()


class _Composer:
    """Nodes from the parser's events, counting what aliases add and how deep each value goes."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader: Any = loader  # PyYAML's parser methods have no type annotations
        # anchor -> its node, the values it holds (aliases expanded) and the levels of collections in it
        self.anchors: dict[str, tuple[yaml.Node, int, int]] = {}
        self.open_anchors: set[str] = set()
        self.aliased_values = 0
        # The implicit tag of each (kind, value, implicit) seen: a rota repeats its keys thousands of times.
        self.resolved: dict[tuple[type[yaml.Node], str | None, Any], str] = {}

    def document(self) -> yaml.Node | None:
        self.loader.get_event()  # the stream's start
        if self.loader.check_event(yaml.StreamEndEvent):
            return None
        self.loader.get_event()  # the document's start
        node, _, _ = self.node(1)
        self.loader.get_event()  # the document's end
        if not self.loader.check_event(yaml.StreamEndEvent):
            extra: Any = self.loader.get_event()
            raise yaml.composer.ComposerError(  # with the marks PyYAML's own composers give
                "expected a single document in the stream", node.start_mark,
                "but found another document", extra.start_mark,
            )  # fmt: skip
        return node

    def node(self, depth: int) -> tuple[yaml.Node, int, int]:
        """The next node, the values it holds and its levels of collections; `depth` is its own level."""
        event: Any = self.loader.get_event()  # its marks are PyYAML's or libyaml's
        if isinstance(event, yaml.AliasEvent):
            return self.alias(event, depth)
        anchor = event.anchor
        if anchor is not None and anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence", self.anchors[anchor][0].start_mark,
                "second occurrence", event.start_mark,
            )  # fmt: skip
        found = self.scalar(event) if isinstance(event, yaml.ScalarEvent) else self.collection(event, depth)
        if anchor is not None:
            self.anchors[anchor] = found
        return found

    def scalar(self, event: Any) -> tuple[yaml.Node, int, int]:
        tag = self._tag(event, yaml.ScalarNode, event.value)
        return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style), 1, 0

    def collection(self, start: Any, depth: int) -> tuple[yaml.Node, int, int]:
        if depth > MAX_DEPTH:
            raise BeyondBounds(f"values nested more than {MAX_DEPTH} levels deep; flatten them", start.start_mark)
        kind = yaml.SequenceNode if isinstance(start, yaml.SequenceStartEvent) else yaml.MappingNode
        anchor = getattr(start, "anchor", None)
        if anchor is not None:
            self.open_anchors.add(anchor)
        children: list[yaml.Node] = []
        values, height = 1, 1
        while not self.loader.check_event(*_COLLECTION_ENDS):
            child, child_values, child_height = self.node(depth + 1)
            children.append(child)
            values += child_values
            height = max(height, child_height + 1)
        end: Any = self.loader.get_event()
        self.open_anchors.discard(anchor or "")
        tag = self._tag(start, kind, None)
        flow_style = getattr(start, "flow_style", None)
        node: yaml.Node
        if kind is yaml.SequenceNode:
            node = yaml.SequenceNode(tag, children, start.start_mark, end.end_mark, flow_style=flow_style)
        else:
            pairs = list(zip(children[::2], children[1::2], strict=True))
            node = yaml.MappingNode(tag, pairs, start.start_mark, end.end_mark, flow_style=flow_style)
        return node, values, height

    def alias(self, event: Any, depth: int) -> tuple[yaml.Node, int, int]:
        anchor = str(event.anchor)
        if anchor in self.open_anchors:
            raise BeyondBounds(
                f"the alias *{anchor} is inside the value it names, which would make it endless; "
                "write the value out instead",
                event.start_mark,
            )
        if anchor not in self.anchors:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
        node, values, height = self.anchors[anchor]
        self.aliased_values += values
        if self.aliased_values > MAX_ALIASED_VALUES:
            raise BeyondBounds(
                f"aliases here repeat more than {MAX_ALIASED_VALUES} values in all; "
                "write the values out instead of aliasing them",
                event.start_mark,
            )
        if depth + height - 1 > MAX_DEPTH:
            raise BeyondBounds(
                f"the alias *{anchor} nests values more than {MAX_DEPTH} levels deep; flatten them",
                event.start_mark,
            )
        return node, values, height

    def _tag(self, event: yaml.Event, kind: type[yaml.Node], value: str | None) -> str:
        tag = getattr(event, "tag", None)
        if tag is None or tag == "!":
            key = (kind, value, getattr(event, "implicit", None))
            if key not in self.resolved:
                self.resolved[key] = str(self.loader.resolve(*key))
            return self.resolved[key]
        return str(tag)
