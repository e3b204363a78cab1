"""A talk's post in the site: its front matter, stamps, text, and the files a publication changes."""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from lunchlearn import storage
from lunchlearn.errors import BadInput, Refused, UnsafePath
from lunchlearn.rota import model
from lunchlearn.rota.model import FileChange
from lunchlearn.site.generators import Site, site_path
from lunchlearn.site.links import Links, post_link, rewrite_links

# The stamps: the article a post came from, a digest of the post as written, and the images and other
# files published with it (to remove when it drops them).
SOURCE_KEY, DIGEST_KEY, FILES_KEY = model.PublishOptions.STAMP_KEYS


# Article keys that describe the rota's workflow, not the talk; they never reach the site.
ROTA_ONLY_KEYS = ("status", "published_path", "published_commit", "published_url", "published_on")


SUMMARY_KEY = {"hugo": "summary", "jekyll": "description"}


# Article keys lunchlearn reads as text; every other key keeps the type YAML gives it.
TEXT_KEYS = ("title", "presenter", "summary", "tags", "date", "slug")


# The digest's line in YAML (`key: value`), TOML (`key = "value"`) or JSON (`  "key": "value",`).
# The digest line exactly as the YAML, TOML and JSON writers put it (JSON's indented two spaces, its key
# quoted and a comma after it unless it closes the object), so an edit to the line itself is an edit.
_DIGEST_LINE = re.compile(
    rf"^(?P<indent>(?:  )?)(?P<key_quote>\"?){DIGEST_KEY}(?P=key_quote)(?:: | = )(?P<quote>[\"']?)"
    rf"(?P<digest>[0-9a-f]{{64}})(?P=quote)(?P<comma>,?)\n",
    re.MULTILINE,
)


_UNSET_DIGEST = "0" * 64


@dataclass(frozen=True)
class Asset:
    source: str  # relative to the rota folder, under talks/
    target: str  # relative to the site root


@dataclass(frozen=True)
class Post:
    source: str  # the article, relative to the rota folder
    path: str  # relative to the site root
    front_matter: dict[str, Any]
    text: str  # the whole post as written, stamps included
    assets: tuple[Asset, ...]
    unlinked: dict[str, str] = field(default_factory=dict)  # link target -> the article, whose talk has no post


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
        Asset(f"{model.TALKS_DIR}/{name}", posixpath.join(folder, name)) for name in sorted(set(files.values()))
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


def published_post(site: Site, article: str, published_path: object) -> str | None:
    """`published_path` when the site has the post there as lunchlearn published it from `article`."""
    if not isinstance(published_path, str) or not published_path:
        return None
    try:
        text = storage.safe_path(site.root, published_path).read_text(encoding="utf-8")
    except (UnsafePath, OSError, UnicodeDecodeError):
        return None
    meta, _ = read_post(text)
    return published_path if meta is not None and meta.get(SOURCE_KEY) == article else None


# Front-matter keys that move a post away from its default URL.
_URL_KEYS = {"hugo": ("url",), "jekyll": ("permalink", "categories", "category")}


def public_url(site: Site, post_path: str, meta: Mapping[str, Any], site_url: str) -> str | None:
    """The post's address on the public site at `site_url`, by the generator's default permalinks.

    None when the site or the post's front matter (`meta`) sets a URL of its own: lunchlearn does not guess.
    """
    if not site_url or not site.url_pattern or any(meta.get(key) for key in _URL_KEYS[site.generator]):
        return None
    if site.generator == "hugo":
        page = posixpath.relpath(post_path, site.content_dir or ".").removesuffix(".md").removesuffix("/index")
        path = site.url_pattern.format(page=page)
    else:
        day = model.iso_date(str(meta.get("date", "")))
        if day is None:
            return None
        slug = posixpath.basename(post_path).removesuffix(".md")[len("YYYY-MM-DD-") :]
        year, month, day_of_month = day.isoformat().split("-")
        path = site.url_pattern.format(year=year, month=month, day=day_of_month, slug=slug)
    return site_url.rstrip("/") + quote(path)


def render_post(front_matter_format: str, front_matter: Mapping[str, Any], body: str) -> str:
    from lunchlearn.site import formats as post_formats

    return post_formats.write(front_matter_format, front_matter, body)


def _digest(text: str) -> str:
    # Line ends as lunchlearn writes them, whatever a checkout makes of them: a CRLF body stays CRLF.
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def edited_since_stamped(text: str) -> bool:
    """True when the post no longer matches the digest lunchlearn stamped on it (or has none)."""
    text = text.replace("\r\n", "\n")  # as lunchlearn wrote it, whatever a checkout made of its line ends
    match = _DIGEST_LINE.search(text)
    if match is None or not _as_written(match, text):
        return True
    return _digest(text[: match.start()] + text[match.end() :]) != match.group("digest")


def _as_written(digest_line: re.Match[str], text: str) -> bool:
    """Whether the digest line is laid out as lunchlearn writes it in its format: JSON's alone is
    indented, its key quoted, and followed by a comma exactly when another key comes after it."""
    json_line = digest_line.group("key_quote") == '"'
    if bool(digest_line.group("indent")) != json_line:
        return False
    closes = text[digest_line.end() :].startswith("}")
    return bool(digest_line.group("comma")) == (json_line and not closes)


def read_post(text: str) -> tuple[dict[str, Any] | None, str]:
    """A site post's front matter (YAML, TOML or JSON) and body; None when the front matter is unreadable."""
    from lunchlearn.site import formats as post_formats

    return post_formats.read(text)


def plan(
    site: Site, post: Post, asset_data: Mapping[str, bytes], previous_path: str | None, force: bool
) -> list[FileChange]:
    """The site files that must change for the site to show `post`; empty when it already does.

    Refuses a post file of another article, and (unless `force`) a post edited in the site.
    """
    # Images first, the post last: a build between the writes never shows a post with missing images.
    changes = []
    for asset in post.assets:
        existing = storage.read_bytes(site_path(site, asset.target))
        if existing != asset_data[asset.source]:
            changes.append(FileChange(asset.target, existing, asset_data[asset.source]))
    earlier = []  # the article's posts as the site has them, listing the files published with them
    current = storage.read_bytes(site_path(site, post.path))
    # A checkout with core.autocrlf has the post with CRLF line endings: the same post for git.
    if current is None or current.replace(b"\r\n", b"\n") != post.text.encode("utf-8"):
        before = None if current is None else current.decode("utf-8", errors="replace")
        if before is not None:
            _check_owned(post, post.path, before, force)
            earlier.append(before)
        changes.append(FileChange(post.path, before, post.text))
    if previous_path and previous_path != post.path:
        previous = storage.read_bytes(site_path(site, previous_path))
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
            data = storage.read_bytes(site_path(site, path))
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
