"""The site's "Upcoming talks" page and its calendar feed, in the generator's conventions. No I/O."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from datetime import date

from lunchlearn.rota.model import Rota, format_day
from lunchlearn.site import calendar, links, posts
from lunchlearn.site.generators import Site

PAGE_TITLE = "Upcoming talks"
PAGE_SLUG = "upcoming"
# Characters that Markdown, Hugo shortcodes or Liquid would read as syntax, written as HTML entities so
# a topic or a name shows exactly as typed.
_SYNTAX = set("\\`*_{}[]<>()#+-.!|&%~=\"'")


def page_paths(site: Site) -> tuple[str, str]:
    """Where the page and the feed go in the site: Hugo's content and static folders, Jekyll's root."""
    if site.generator == "hugo":
        return posixpath.join(site.content_dir, f"{PAGE_SLUG}.md"), posixpath.join(site.static_dir, calendar.FEED_NAME)
    return f"{PAGE_SLUG}.md", calendar.FEED_NAME


def schedule_files(
    site: Site, rota: Rota, today: date, published: Mapping[str, str], links: Mapping[str, str]
) -> dict[str, str | bytes]:
    """{site path: content} for the page and the feed.

    `published` maps articles to their posts; `links` event UIDs to the posts' public addresses.
    """
    page, feed = page_paths(site)
    if site.generator == "hugo":
        meta: dict[str, object] = {"title": PAGE_TITLE}
        feed_link = f"/{calendar.FEED_NAME}"
    else:
        meta = {"layout": "page", "title": PAGE_TITLE, "permalink": f"/{PAGE_SLUG}/"}
        feed_link = f"{{{{ '/{calendar.FEED_NAME}' | relative_url }}}}"
    body = _body(site, rota, today, published, feed_link)
    return {page: posts.render_post(site.front_matter_format, meta, body), feed: calendar.feed(rota, links=links)}


def _body(site: Site, rota: Rota, today: date, published: Mapping[str, str], feed_link: str) -> str:
    settings = rota.settings
    lines = [
        f"{_text(settings.title)}: {_text(settings.weekday.capitalize())}s at {_text(settings.time)} "
        f"({_text(settings.timezone)}), {_text(settings.room)}.",
        "",
        f"[Subscribe to the calendar]({feed_link}): the talks appear in your calendar app and follow every change.",
        "",
    ]
    entries = [(t.date, _talk_line(site, t.topic, t.presenter, published.get(t.article))) for t in rota.talks]
    entries += [(s.date, f"no session: {_text(s.reason)}") for s in rota.skips]
    upcoming = sorted((day, line) for day, line in entries if day >= today)
    lines += [f"- **{format_day(day)}**: {line}" for day, line in upcoming] or ["No talks are booked yet."]
    return "\n".join(lines) + "\n"


def _talk_line(site: Site, topic: str, presenter: str, post: str | None) -> str:
    link = None if post is None else links.post_link(site, post)
    title = _text(topic) if link is None else f"[{_text(topic)}]({link})"
    return f"{title}, by {_text(presenter)}"


def _text(value: str) -> str:
    """`value` as literal text in the page, whatever Markdown, shortcode or Liquid syntax it holds."""
    return "".join(f"&#{ord(c)};" if c in _SYNTAX else c for c in value)
