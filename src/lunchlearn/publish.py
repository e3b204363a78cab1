"""The company site: detect its generator, map an article onto its conventions, plan the files.

Planning reads the site but never writes it; `publishing.publish_article` applies the plan in one commit.
Every post lunchlearn writes carries two front-matter stamps: the article it came from, and a digest
of the post as written, so a later run can tell another article's post, or an edit made in the site.
A post with images also lists them, so a later run can remove those the article no longer has.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from lunchlearn import model, safeyaml, store
from lunchlearn.errors import BadInput, Refused, UnsafePath
from lunchlearn.model import FileChange

HUGO_CONFIGS = (
    "hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
    "config.toml", "config.yaml", "config.yml", "config.json",
)  # fmt: skip
HUGO_CONFIG_DIR = "config/_default"
HUGO_PARAMS = ("params.toml", "params.yaml", "params.yml", "params.json")
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")
# The stamps: the article a post came from, a digest of the post as written, and the images and other
# files published with it (to remove when it drops them).
SOURCE_KEY, DIGEST_KEY, FILES_KEY = model.PublishOptions.STAMP_KEYS
# Article keys that describe the rota's workflow, not the talk; they never reach the site.
ROTA_ONLY_KEYS = ("status", "published_path", "published_commit")
SUMMARY_KEY = {"hugo": "summary", "jekyll": "description"}
# Article keys lunchlearn reads as text; every other key keeps the type YAML gives it.
TEXT_KEYS = ("title", "presenter", "summary", "tags", "date", "slug")
# The digest's line in YAML (`key: value`), TOML (`key = "value"`) or JSON (`  "key": "value",`).
_DIGEST_LINE = re.compile(
    rf"^[ \t]*([\"']?){DIGEST_KEY}\1[ \t]*[:=][ \t]*([\"']?)(?P<digest>[0-9a-f]{{64}})\2[ \t]*,?[ \t]*\n", re.MULTILINE
)
_UNSET_DIGEST = "0" * 64
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
class Site:
    root: Path
    generator: str  # hugo or jekyll
    posts_dir: str  # relative to the site root
    front_matter_format: str  # yaml, toml or json
    sets_layout: bool = False  # Jekyll `defaults` already give posts a layout
    shows_future: bool = False  # buildFuture / future is on, so future posts are not hidden
    content_dir: str = ""  # Hugo's contentDir, relative to the site root, that `relref` paths start from

    @property
    def name(self) -> str:
        return self.generator.capitalize()


@dataclass(frozen=True)
class Asset:
    source: str  # relative to the rota folder, under talks/
    target: str  # relative to the site root


@dataclass(frozen=True)
class Links:
    """Where the article's links to local files lead."""

    files: dict[str, str] = field(default_factory=dict)  # link target -> a file beside the article, under talks/
    articles: dict[str, str] = field(default_factory=dict)  # link target -> a talk's article, talks/...
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Post:
    source: str  # the article, relative to the rota folder
    path: str  # relative to the site root
    front_matter: dict[str, Any]
    text: str  # the whole post as written, stamps included
    assets: tuple[Asset, ...]
    unlinked: dict[str, str] = field(default_factory=dict)  # link target -> the article, whose talk has no post


def detect_site(root: Path) -> Site:
    """The generator and conventions of the site in `root`, from its own configuration and posts."""
    hugo = _hugo_config(root)
    if hugo is not None:
        return _hugo_site(root, hugo)
    for name in JEKYLL_CONFIGS:
        if (root / name).is_file():
            return _jekyll_site(root, _read_config(root / name))
    raise Refused(
        f"{root} is not a Hugo site (no hugo.toml, hugo.yaml, hugo.json or config.*, nor such a file in "
        f"{HUGO_CONFIG_DIR}/) nor a Jekyll site (no _config.yml); pass --site with the folder that holds "
        "the site's configuration"
    )


def _hugo_config(root: Path) -> dict[str, Any] | None:
    """Hugo's settings (keys in lower case) from its configuration file and directory; None when it has neither.

    In the directory each file holds one root key (`params.toml` the params), except hugo.* and config.*.
    """
    settings: dict[str, Any] = {}
    found = False
    for folder in (root, root / HUGO_CONFIG_DIR):
        name = next((name for name in HUGO_CONFIGS if (folder / name).is_file()), None)
        if name is not None:
            found = True
            settings.update({str(key).lower(): value for key, value in _read_config(folder / name).items()})
    for name in HUGO_PARAMS:
        path = root / HUGO_CONFIG_DIR / name
        if found and path.is_file():
            params = settings.get("params")
            settings["params"] = {**(params if isinstance(params, dict) else {}), **_read_config(path)}
    return settings if found else None


def _read_config(path: Path) -> dict[str, Any]:
    from lunchlearn import post_formats

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text; the site's configuration must be UTF-8") from None
    try:
        safeyaml.check_size(text)
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = post_formats.load_yaml(text, str(path))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise BadInput(f"{path}: {error}; fix the site's configuration first") from None
    except safeyaml.BeyondBounds as error:
        raise BadInput(f"{path}: {error.problem}; fix the site's configuration first") from None
    except RecursionError:  # the TOML and JSON parsers recurse once per level of nesting
        raise BadInput(f"{path}: nested too deeply to read; fix the site's configuration first") from None
    except BadInput as error:
        raise BadInput(f"{error.message}; fix the site's configuration first") from None
    return data if isinstance(data, dict) else {}


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _hugo_site(root: Path, config: dict[str, Any]) -> Site:
    # Hugo's configuration keys are case-insensitive.
    settings = {str(key).lower(): value for key, value in config.items()}
    params = settings.get("params")
    params = {str(k).lower(): v for k, v in params.items()} if isinstance(params, dict) else {}
    sections = params.get("mainsections") or settings.get("mainsections") or ["posts"]
    section = str(sections[0] if isinstance(sections, list) else sections)
    content_dir = _hugo_content_dir(settings)
    posts_dir = posixpath.join(content_dir, section)
    themes = settings.get("theme") or []
    themes = [str(t) for t in (themes if isinstance(themes, list) else [themes])]
    archetype_dirs = [root / "archetypes"] + [root / "themes" / t / "archetypes" for t in themes]
    samples = sorted(p for p in (root / posts_dir).glob("*.md") if p.name != "_index.md")
    samples += sorted((root / posts_dir).glob("*/index.md"))
    samples += [d / name for d in archetype_dirs for name in (f"{section}.md", "default.md")]
    return Site(
        root=root,
        generator="hugo",
        posts_dir=posts_dir,
        front_matter_format=_front_matter_format(samples),
        shows_future=_truthy(settings.get("buildfuture")),
        content_dir=content_dir,
    )


def _hugo_content_dir(settings: dict[str, Any]) -> str:
    """`contentDir`, or the default language's own one on a multilingual site."""
    languages = settings.get("languages")
    if isinstance(languages, dict) and languages:
        lowered = {str(k).lower(): v for k, v in languages.items()}
        default = str(settings.get("defaultcontentlanguage") or "en").lower()
        language = lowered.get(default)
        if isinstance(language, dict):
            own = {str(k).lower(): v for k, v in language.items()}.get("contentdir")
            if own:
                return str(own)
    return str(settings.get("contentdir") or "content")


def _front_matter_format(samples: list[Path]) -> str:
    """YAML, TOML or JSON, as the first existing post or archetype uses; YAML when nothing says."""
    from lunchlearn import post_formats

    for path in samples:
        try:
            found = post_formats.format_of(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if found is not None:
            return found
    return "yaml"


def _jekyll_site(root: Path, config: dict[str, Any]) -> Site:
    defaults = config.get("defaults")
    sets_layout = any(
        isinstance(entry, dict)
        and isinstance(entry.get("values"), dict)
        and "layout" in entry["values"]
        and _scope_covers_posts(entry.get("scope"))
        for entry in (defaults if isinstance(defaults, list) else [])
    )
    return Site(
        root=root,
        generator="jekyll",
        posts_dir=posixpath.join(str(config.get("collections_dir") or ""), "_posts"),
        front_matter_format="yaml",
        sets_layout=sets_layout,
        shows_future=_truthy(config.get("future")),
    )


def _scope_covers_posts(scope: object) -> bool:
    if not isinstance(scope, dict):
        return False
    path = str(scope.get("path") or "").strip("/")
    return scope.get("type", "posts") == "posts" and path in ("", "_posts")


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
    candidates = [path.lstrip("/")] if path.startswith("/") else [posixpath.join(store.TALKS_DIR, path), path]
    return next((found for c in candidates if (found := posixpath.normpath(c)) in articles), None)


def _linked_file(rota_root: Path, target: str) -> str | None:
    """The file beside the article that a link to `target` names, relative to talks/; None when there is none."""
    relative = posixpath.normpath(posixpath.join(store.TALKS_DIR, _file_part(target)))
    refusal = Refused(
        f"the article links to {target!r}, which is outside {store.TALKS_DIR}/; keep images "
        "and other files beside the article and link to them by a relative path"
    )
    if not relative.startswith(f"{store.TALKS_DIR}/"):
        raise refusal
    try:
        path = store.safe_path(rota_root, relative)
    except UnsafePath:
        raise refusal from None
    if not path.resolve().is_relative_to((rota_root / store.TALKS_DIR).resolve()):
        raise refusal
    return relative.removeprefix(f"{store.TALKS_DIR}/") if path.is_file() else None


def post_slug(source: str, meta: Mapping[str, Any]) -> str:
    """The article's own `slug:`, else one made from its file name without the date."""
    slug = meta.get("slug")
    if not slug:
        return model.file_slug(source)
    if not isinstance(slug, str):
        raise BadInput(f"{source}: slug must be text, such as {model.file_slug(source)!r}")
    try:
        return model.check_slug(slug)
    except BadInput as error:
        raise BadInput(f"{source}: {error.message}") from None


def typed_front_matter(meta: Mapping[str, Any], values: Mapping[Any, Any]) -> dict[str, Any]:
    """`meta` (all text) with YAML's types in `values` for the keys that lunchlearn does not read as text."""
    typed = {str(key): value for key, value in values.items()}
    return {key: typed.get(key, value) if key not in TEXT_KEYS else value for key, value in meta.items()}


def site_front_matter(
    site: Site, meta: Mapping[str, Any], renames: Mapping[str, Sequence[str]], source: str, day: date
) -> dict[str, Any]:
    """The post's front matter: the article's keys under the site's names, empty ones left out."""
    names = {"presenter": ("author",), "summary": (SUMMARY_KEY[site.generator],), **renames}
    front_matter: dict[str, Any] = {}
    if site.generator == "jekyll" and not site.sets_layout:
        front_matter["layout"] = "post"
    origins: dict[str, str] = {}
    for key, value in meta.items():
        if key in ROTA_ONLY_KEYS or value is None or value in ("", [], {}):
            continue
        for name in names.get(key, (key,)):
            if name in (SOURCE_KEY, FILES_KEY, DIGEST_KEY):
                continue
            if name in origins:
                raise Refused(
                    f"the article's front-matter keys {origins[name]!r} and {key!r} would both become "
                    f"{name!r} in the site; rename one, or change publish.front_matter in schedule.yaml"
                )
            origins[name] = key
            front_matter[name] = value
    front_matter.setdefault("date", day.isoformat())
    front_matter[SOURCE_KEY] = source
    return front_matter


def build_post(
    site: Site,
    source: str,
    meta: Mapping[str, Any],
    body: str,
    day: date,
    renames: Mapping[str, Sequence[str]],
    links: Links,
    posts: Mapping[str, str],
) -> Post:
    """The post for `source` as the site's conventions want it.

    `links` are the article's local links; `posts` the site's posts of the talks it links to, by article.
    """
    slug = post_slug(source, meta)
    files = links.files
    if site.generator == "hugo":
        # A page bundle keeps the post's images beside it, so relative links keep working.
        folder = posixpath.join(site.posts_dir, slug)
        path = posixpath.join(folder, "index.md") if files else f"{folder}.md"
        new_targets = {target: quote(name) for target, name in files.items()}
    else:
        stem = f"{day.isoformat()}-{slug}"
        path = posixpath.join(site.posts_dir, f"{stem}.md")
        folder = posixpath.join("assets", stem)
        new_targets = {target: f"{{{{ '/{folder}/{quote(name)}' | relative_url }}}}" for target, name in files.items()}
    assets = tuple(
        Asset(f"{store.TALKS_DIR}/{name}", posixpath.join(folder, name)) for name in sorted(set(files.values()))
    )
    # A link to the article itself leads to the post being built.
    talk_links, unlinked = _talk_links(site, links.articles, {**posts, source: path})
    front_matter = site_front_matter(site, meta, renames, source, day)
    if assets:
        front_matter[FILES_KEY] = [asset.target for asset in assets]
    body = rewrite_links(body, {**new_targets, **talk_links}, liquid=site.generator == "jekyll")
    # The digest is of the post without its digest line, whatever the digest says on that line.
    front_matter[DIGEST_KEY] = _UNSET_DIGEST
    draft = render_post(site.front_matter_format, front_matter, body)
    front_matter[DIGEST_KEY] = _digest(_DIGEST_LINE.sub("", draft, count=1))
    text = render_post(site.front_matter_format, front_matter, body)
    return Post(source, path, front_matter, text, assets, unlinked)


def _talk_links(
    site: Site, articles: Mapping[str, str], posts: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Links to the talks whose post the site can name, {target: link}, and the others, {target: article}."""
    linked, unlinked = {}, {}
    for target, article in articles.items():
        link = post_link(site, posts[article]) if article in posts else None
        if link is None:
            unlinked[target] = article
        else:
            linked[target] = link
    return linked, unlinked


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


def published_post(site: Site, article: str, published_path: object) -> str | None:
    """`published_path` when the site has the post there as lunchlearn published it from `article`."""
    if not isinstance(published_path, str) or not published_path:
        return None
    try:
        text = store.safe_path(site.root, published_path).read_text(encoding="utf-8")
    except (UnsafePath, OSError, UnicodeDecodeError):
        return None
    meta, _ = read_post(text)
    return published_path if meta is not None and meta.get(SOURCE_KEY) == article else None


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


def render_post(front_matter_format: str, front_matter: Mapping[str, Any], body: str) -> str:
    from lunchlearn import post_formats

    return post_formats.write(front_matter_format, front_matter, body)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def edited_since_stamped(text: str) -> bool:
    """True when the post no longer matches the digest lunchlearn stamped on it (or has none)."""
    text = text.replace("\r\n", "\n")  # as lunchlearn wrote it, whatever a checkout made of its line ends
    match = _DIGEST_LINE.search(text)
    if match is None:
        return True
    return _digest(text[: match.start()] + text[match.end() :]) != match.group("digest")


def read_post(text: str) -> tuple[dict[str, Any] | None, str]:
    """A site post's front matter (YAML, TOML or JSON) and body; None when the front matter is unreadable."""
    from lunchlearn import post_formats

    return post_formats.read(text)


def site_path(site: Site, relative: str) -> Path:
    """`relative` inside the site, refusing a path that leads out of it."""
    try:
        return store.safe_path(site.root, relative)
    except UnsafePath:
        raise Refused(
            f"publishing would write {relative!r}, which resolves outside the site {site.root} "
            "(through .., an absolute path or a symlink); nothing was written"
        ) from None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def plan(
    site: Site, post: Post, asset_data: Mapping[str, bytes], previous_path: str | None, force: bool
) -> list[FileChange]:
    """The site files that must change for the site to show `post`; empty when it already does.

    Refuses a post file of another article, and (unless `force`) a post edited in the site.
    """
    # Images first, the post last: a build between the writes never shows a post with missing images.
    changes = []
    for asset in post.assets:
        existing = _read(site_path(site, asset.target))
        if existing != asset_data[asset.source]:
            changes.append(FileChange(asset.target, existing, asset_data[asset.source]))
    earlier = []  # the article's posts as the site has them, listing the files published with them
    current = _read(site_path(site, post.path))
    # A checkout with core.autocrlf has the post with CRLF line endings: the same post for git.
    if current is None or current.replace(b"\r\n", b"\n") != post.text.encode("utf-8"):
        before = None if current is None else current.decode("utf-8", errors="replace")
        if before is not None:
            _check_owned(post, post.path, before, force)
            earlier.append(before)
        changes.append(FileChange(post.path, before, post.text))
    if previous_path and previous_path != post.path:
        previous = _read(site_path(site, previous_path))
        if previous is not None:
            text = previous.decode("utf-8", errors="replace")
            _check_owned(post, previous_path, text, force)
            earlier.append(text)
            changes.append(FileChange(previous_path, text, None))
    return changes + _dropped_files(site, post, earlier)


def _dropped_files(site: Site, post: Post, earlier: list[str]) -> list[FileChange]:
    """Deletions of the files lunchlearn published with an earlier version of the post that it no longer has.

    Only a post still as lunchlearn stamped it is trusted to say which files were its own.
    """
    keep = {post.path, *(asset.target for asset in post.assets)}
    dropped: list[FileChange] = []
    for text in earlier:
        meta, _ = read_post(text)
        listed = meta.get(FILES_KEY) if meta and not edited_since_stamped(text) else None
        for path in listed if isinstance(listed, list) else []:
            if not isinstance(path, str) or path in keep or any(path == file.path for file in dropped):
                continue
            data = _read(site_path(site, path))
            if data is not None:
                dropped.append(FileChange(path, data, None))
    return dropped


def _check_owned(post: Post, path: str, text: str, force: bool) -> None:
    meta, _ = read_post(text)
    owner = meta.get(SOURCE_KEY) if meta else None
    if owner != post.source:
        whose = f"from {owner}" if isinstance(owner, str) else "that lunchlearn did not publish"
        raise Refused(
            f"{path} already exists in the site and belongs to another article ({whose}); "
            f"nothing was written: give {post.source} its own `slug:` in the front matter, or move that post aside"
        )
    if edited_since_stamped(text) and not force:
        raise Refused(
            f"{path} was edited in the site since lunchlearn published it; pass --force to "
            "replace those edits with the article, or copy them into the article first"
        )


def future_warning(site: Site, day: date, today: date) -> str | None:
    if day <= today or site.shows_future:
        return None
    switch = "hugo --buildFuture" if site.generator == "hugo" else "jekyll build --future"
    return (
        f"the post is dated {model.format_day(day)}, in the future: {site.name} hides it until "
        f"then (unless the site is built with {switch})"
    )
