"""Links in an article: files it needs, other talks' articles, and their rewriting for the site."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lunchlearn import storage
from lunchlearn.errors import Refused, UnsafePath
from lunchlearn.rota import model
from lunchlearn.site.generators import Site

# A path another post can name in a Hugo `relref` or a Jekyll `post_url`, without quoting.
_LINKABLE_PATH = re.compile(r"[\w./-]+")


_SCHEME = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*:")


_NEWLINE = re.compile(r"\r\n|\r|\n")


_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")


_BACKTICKS = re.compile(r"`+")


_LIQUID_END_RAW = re.compile(r"\{%(?=-?\s*endraw)")


# Where a Markdown or HTML link names its target: inline links and images, reference definitions,
# and src/href attributes. The target is the group named `target`.
_LINKS = (
    re.compile(r"\]\([ \t]*(?P<target><[^>\n]*>|(?:[^\s()<>]|\([^\s()<>]*\))+)"),  # `a(b).png` too
    re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*(?P<target><[^>\n]*>|\S+)", re.MULTILINE),
    re.compile(r"\b(?:src|href)[ \t]*=[ \t]*(?P<target>\"[^\"\n]*\"|'[^'\n]*')", re.IGNORECASE),
)


@dataclass(frozen=True)
class Links:
    """Where the article's links to local files lead."""

    files: dict[str, str] = field(default_factory=dict)  # link target -> a file beside the article, under talks/
    articles: dict[str, str] = field(default_factory=dict)  # link target -> a talk's article, talks/...
    warnings: list[str] = field(default_factory=list)


def local_link_targets(body: str) -> list[str]:
    """The file paths the article links to, as written (URLs, anchors and code left out)."""
    targets = []
    for _, _, raw in _link_targets(body):
        path = _local_path(raw)
        if path is not None and path not in targets:
            targets.append(path)
    return targets


def _link_targets(body: str) -> list[tuple[int, int, str]]:
    """Start, end and text of every link target outside code, in the order they appear."""
    code = _code_spans(body)
    found: list[tuple[int, int, str]] = []
    for pattern in _LINKS:
        for match in pattern.finditer(body):
            start, end = match.span("target")
            if not any(first <= start < last for first, last in code):
                found.append((start, end, match.group("target")))
    found.sort()
    # Two patterns may find the same target (a reference definition that holds a src=...).
    return [span for n, span in enumerate(found) if n == 0 or span[0] >= found[n - 1][1]]


def _code_spans(body: str) -> list[tuple[int, int]]:
    """Where the body holds code (fenced and indented blocks, inline spans): links there are text."""
    from markdown_it import MarkdownIt

    # Offsets where each line starts, counting lines as markdown-it does.
    starts = [0, *(match.end() for match in _NEWLINE.finditer(body)), len(body)]
    blocks = [
        (starts[min(token.map[0], len(starts) - 1)], starts[min(token.map[1], len(starts) - 1)])
        for token in MarkdownIt("commonmark").parse(body)
        if token.type in ("fence", "code_block") and token.map
    ]
    spans = list(blocks)
    gap_start = 0
    for gap_end, next_start in [*blocks, (len(body), len(body))]:
        spans += _inline_code_spans(body, gap_start, gap_end)
        gap_start = next_start
    return spans


def _inline_code_spans(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Backtick code spans in body[start:end]: a run of backticks up to the next run as long, within a paragraph."""
    spans = []
    position = start
    while (opening := _BACKTICKS.search(body, position, end)) is not None:
        before = opening.start()
        while before > start and body[before - 1] == "\\":
            before -= 1
        if (opening.start() - before) % 2:  # an escaped backtick is text; the rest of its run may still open a span
            position = opening.start() + 1
            continue
        closing = re.compile(rf"(?<!`){opening.group()}(?!`)").search(body, opening.end(), end)
        if closing is None or _BLANK_LINE.search(body, opening.end(), closing.start()):
            position = opening.end()
            continue
        spans.append((opening.start(), closing.end()))
        position = closing.end()
    return spans


def _local_path(raw: str) -> str | None:
    target = raw[1:-1] if raw[:1] in "<\"'" and len(raw) >= 2 else raw
    target = target.strip()
    if not target or target.startswith(("#", "?", "//")) or _SCHEME.match(target):
        return None
    return target


def _file_part(target: str) -> str:
    return unquote(re.split(r"[?#]", target, maxsplit=1)[0])


def local_links(rota_root: Path, body: str, articles: Collection[str]) -> Links:
    """The files beside the article and the talks' `articles` that it links to, with warnings for the rest.

    Refuses a link to a file out of talks/, so nothing else of the rota can reach the site. An absolute
    path to anything but an article is the site's own (`/images/logo.png`) and left alone.
    """
    files: dict[str, str] = {}
    linked_articles: dict[str, str] = {}
    warnings = []
    for target in local_link_targets(body):
        path = _file_part(target)
        article = _linked_article(path, articles) if path.endswith(".md") else None
        if article is None and path.startswith("/"):
            continue  # the site's own path, such as /images/logo.png
        if article is not None:
            linked_articles[target] = article
        elif path.endswith(".md"):
            warnings.append(
                f"the article links to {target!r}, which is no talk's article in the rota; link left as it is"
            )
        elif (file := _linked_file(rota_root, target)) is not None:
            files[target] = file
        else:
            warnings.append(f"the article links to {target!r} but there is no such file; link left as it is")
    return Links(files, linked_articles, warnings)


def _linked_article(path: str, articles: Collection[str]) -> str | None:
    """The article that a link to `path` names, from the article's folder (talks/) or the rota's, if a talk has it."""
    candidates = [path.lstrip("/")] if path.startswith("/") else [posixpath.join(model.TALKS_DIR, path), path]
    return next((found for c in candidates if (found := posixpath.normpath(c)) in articles), None)


def _linked_file(rota_root: Path, target: str) -> str | None:
    """The file beside the article that a link to `target` names, relative to talks/; None when there is none."""
    relative = posixpath.normpath(posixpath.join(model.TALKS_DIR, _file_part(target)))
    refusal = Refused(
        f"the article links to {target!r}, which is outside {model.TALKS_DIR}/; keep images "
        "and other files beside the article and link to them by a relative path"
    )
    if not relative.startswith(f"{model.TALKS_DIR}/"):
        raise refusal
    try:
        path = storage.safe_path(rota_root, relative)
    except UnsafePath:
        raise refusal from None
    if not path.resolve().is_relative_to((rota_root / model.TALKS_DIR).resolve()):
        raise refusal
    return relative.removeprefix(f"{model.TALKS_DIR}/") if path.is_file() else None


def post_link(site: Site, post_path: str) -> str | None:
    """A link to the site's post at `post_path` that the generator resolves, and checks, when it builds the site:
    Hugo's `relref` and Jekyll's `post_url` (which adds the `baseurl`). None when it cannot name the post.
    """
    base = site.content_dir if site.generator == "hugo" else site.posts_dir
    prefix = f"{base}/" if base else ""
    name = post_path.removeprefix(prefix)
    if not post_path.startswith(prefix) or not _LINKABLE_PATH.fullmatch(name):
        return None
    if site.generator == "hugo":
        return f'{{{{< relref "/{name}" >}}}}'
    return f"{{% post_url {name.removesuffix('.md')} %}}"


def rewrite_links(body: str, links: Mapping[str, str], liquid: bool = False) -> str:
    """Point each link whose target is in `links` at its new place, keeping its quotes, brackets,
    #fragment and ?query. With `liquid`, the text around the links is kept from Liquid (Jekyll).
    """
    pieces = []
    done = 0
    for start, end, raw in _link_targets(body):
        target = _local_path(raw)
        if target is None or target not in links:
            continue
        if raw[:1] in "<\"'" and len(raw) >= 2:
            start, end = start + 1, end - 1
        text = body[done:start]
        pieces.append(_liquid_raw(text) if liquid else text)
        pieces.append(links[target] + target[len(re.split(r"[?#]", target, maxsplit=1)[0]) :])
        done = end
    pieces.append(_liquid_raw(body[done:]) if liquid else body[done:])
    return "".join(pieces)


def _liquid_raw(text: str) -> str:
    """`text` as Liquid outputs it literally: in a raw block, even an `{% endraw %}` of its own."""
    if "{{" not in text and "{%" not in text:
        return text
    return "{% raw %}" + _LIQUID_END_RAW.sub("{% endraw %}{{ '{%' }}{% raw %}", text) + "{% endraw %}"
