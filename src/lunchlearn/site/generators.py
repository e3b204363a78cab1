"""Static-site generators: detect Hugo or Jekyll and read their configuration."""

from __future__ import annotations

import json
import posixpath
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lunchlearn import storage
from lunchlearn.errors import BadInput, Refused, UnsafePath
from lunchlearn.rota import model, safeyaml, yamltext

HUGO_CONFIGS = (
    "hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
    "config.toml", "config.yaml", "config.yml", "config.json",
)  # fmt: skip


HUGO_CONFIG_DIR = "config/_default"


HUGO_PARAMS = ("params.toml", "params.yaml", "params.yml", "params.json")


JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")


@dataclass(frozen=True)
class Site:
    root: Path
    generator: str  # hugo or jekyll
    posts_dir: str  # relative to the site root
    front_matter_format: str  # yaml, toml or json
    sets_layout: bool = False  # Jekyll `defaults` already give posts a layout
    shows_future: bool = False  # buildFuture / future is on, so future posts are not hidden
    content_dir: str = ""  # Hugo's contentDir, relative to the site root, that `relref` paths start from
    static_dir: str = ""  # Hugo's (first) staticDir, whose files it copies as they are; "" for Jekyll
    # Where the generator serves a post, by its default permalinks: `{page}` is the post's path in the
    # content folder (Hugo), `{year}`, `{month}`, `{day}` and `{slug}` its date and name (Jekyll).
    # Empty when the site configures its own permalinks, which lunchlearn does not guess.
    url_pattern: str = ""

    @property
    def name(self) -> str:
        return self.generator.capitalize()


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
    from lunchlearn.site import formats as post_formats

    text = yamltext.decode(path.read_bytes(), str(path))
    if isinstance(text, yamltext.Problem):
        raise BadInput(str(text))
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
        static_dir=_hugo_static_dir(settings),
        url_pattern=_hugo_url_pattern(settings, section),
    )


def _hugo_static_dir(settings: dict[str, Any]) -> str:
    """`staticDir`, the first of them when it lists several; `static` when it is not set."""
    static = settings.get("staticdir")
    first = static[0] if isinstance(static, list) and static else static
    return str(first) if isinstance(first, str) and first else "static"


def _hugo_url_pattern(settings: dict[str, Any], section: str) -> str:
    """Hugo's default URL of a page in `section`; empty when the site sets the section's permalinks."""
    permalinks = settings.get("permalinks")
    permalinks = {str(k).lower(): v for k, v in permalinks.items()} if isinstance(permalinks, dict) else {}
    page_permalinks = permalinks.get("page")
    top_section = section.split("/")[0].lower()
    custom = top_section in permalinks or (isinstance(page_permalinks, dict) and top_section in page_permalinks)
    ugly = settings.get("uglyurls", False)
    # Hugo lowers a section's capitals in its URLs unless disablePathToLower says otherwise: not guessed either.
    has_capitals = section != section.lower()
    if custom or has_capitals or not isinstance(ugly, bool) or _truthy(settings.get("defaultcontentlanguageinsubdir")):
        return ""
    return "/{page}.html" if ugly else "/{page}/"


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
    from lunchlearn.site import formats as post_formats

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
        url_pattern=_jekyll_url_pattern(config),
    )


JEKYLL_PERMALINKS = {"date": "/{year}/{month}/{day}/{slug}.html", "pretty": "/{year}/{month}/{day}/{slug}/"}


def _jekyll_url_pattern(config: dict[str, Any]) -> str:
    """Jekyll's URL of a post by the `date` or `pretty` permalink style; empty for any other permalink."""
    collections = config.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    defaults = config.get("defaults")
    if (isinstance(posts, dict) and "permalink" in posts) or any(
        isinstance(entry, dict) and isinstance(entry.get("values"), dict) and "permalink" in entry["values"]
        for entry in (defaults if isinstance(defaults, list) else [])
    ):
        return ""
    return JEKYLL_PERMALINKS.get(str(config.get("permalink") or "date"), "")


def _scope_covers_posts(scope: object) -> bool:
    if not isinstance(scope, dict):
        return False
    path = str(scope.get("path") or "").strip("/")
    return scope.get("type", "posts") == "posts" and path in ("", "_posts")


def site_path(site: Site, relative: str) -> Path:
    """`relative` inside the site, refusing a path that leads out of it."""
    try:
        return storage.safe_path(site.root, relative)
    except UnsafePath:
        raise Refused(
            f"publishing would write {relative!r}, which resolves outside the site {site.root} "
            "(through .., an absolute path or a symlink); nothing was written"
        ) from None


def future_warning(site: Site, day: date, today: date) -> str | None:
    if day <= today or site.shows_future:
        return None
    switch = "hugo --buildFuture" if site.generator == "hugo" else "jekyll build --future"
    return (
        f"the post is dated {model.format_day(day)}, in the future: {site.name} hides it until "
        f"then (unless the site is built with {switch})"
    )
