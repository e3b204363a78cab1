"""A published talk's public address: recorded by `publish` when `site_url` is set, linked from `calendar`
and `announce`, and where the built Hugo or Jekyll site really serves the post."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import icalendar  # noqa: TID253  (the tests parse feeds back; the rule guards the CLI start-up)
import pytest

from lunchlearn.rota import article_file
from tests.helpers import git, lunchlearn, make_rota, write_files
from tests.test_publish import ARTICLE, PNG, TITLE, article, make_hugo, make_jekyll
from tests.test_publish_sites import (
    DAY,
    HUGO,
    JEKYLL_SITE,
    hugo_site,
    jekyll_build,
    needs_hugo,
    needs_jekyll,
    publish_days,
    run,
)

SITE_URL = "https://example.com/blog"


def make_rota_for_site(tmp_path: Path, site_url: str | None = SITE_URL) -> Path:
    settings = {"site": "../site"} | ({"site_url": site_url} if site_url else {})
    return make_rota(
        tmp_path / "rota",
        talks=[{"date": DAY, "presenter": "Cole Jensen", "topic": TITLE, "article": ARTICLE}],
        settings=settings,
        files={ARTICLE: article(date=DAY), "talks/diagram.png": PNG},
    )


def publish(rota: Path) -> None:
    result = lunchlearn("publish", DAY, cwd=rota)
    assert result.exit_code == 0, result.stderr


def recorded_url(rota: Path) -> object:
    meta = article_file.parse_front_matter((rota / ARTICLE).read_text(encoding="utf-8"), ARTICLE).meta
    assert meta is not None and meta["status"] == "published"
    return meta.get("published_url")


def feed_url(rota: Path) -> object:
    """The URL of the talk's event in the calendar feed, and that its description links it too."""
    target = rota.parent / "feed.ics"
    result = lunchlearn("calendar", "-o", str(target), cwd=rota)
    assert result.exit_code == 0, result.stderr
    (event,) = icalendar.Calendar.from_ical(target.read_bytes()).events
    url = event.get("url")
    if url is not None:
        assert f"Article: {url}" in str(event["description"])
    return None if url is None else str(url)


def served_file(build: Path, url: str) -> Path:
    """The file of the built site that the web server answers `url` with."""
    path = url.removeprefix(SITE_URL).lstrip("/")
    return build / (f"{path}index.html" if path.endswith("/") or not path else path)


@pytest.mark.slow
@needs_hugo
def test_the_url_publish_records_is_where_the_built_hugo_site_serves_the_post(tmp_path: Path) -> None:
    assert HUGO is not None
    site = hugo_site(tmp_path)
    rota = make_rota_for_site(tmp_path)
    publish_days(rota, site, DAY)

    run([HUGO, "--quiet"], site)

    url = recorded_url(rota)
    assert url == f"{SITE_URL}/posts/rss-feeds/"
    assert TITLE in served_file(site / "public", url).read_text(encoding="utf-8")
    assert feed_url(rota) == url


@pytest.mark.slow
@needs_hugo
def test_the_ugly_hugo_url_is_where_the_built_site_serves_the_post(tmp_path: Path) -> None:
    assert HUGO is not None
    site = hugo_site(tmp_path)
    with (site / "hugo.toml").open("a", encoding="utf-8") as config:
        config.write("uglyURLs = true\n")
    rota = make_rota_for_site(tmp_path)
    publish_days(rota, site, DAY)

    run([HUGO, "--quiet"], site)

    url = recorded_url(rota)
    assert url == f"{SITE_URL}/posts/rss-feeds.html"
    assert TITLE in served_file(site / "public", url).read_text(encoding="utf-8")


@pytest.mark.slow
@needs_jekyll
def test_the_url_publish_records_is_where_the_built_jekyll_site_serves_the_post(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_files(site, JEKYLL_SITE)
    rota = make_rota_for_site(tmp_path)
    publish_days(rota, site, DAY)

    jekyll_build(site)

    url = recorded_url(rota)
    assert url == f"{SITE_URL}/2026/10/02/rss-feeds.html"
    assert TITLE in served_file(site / "_site", url).read_text(encoding="utf-8")
    assert feed_url(rota) == url


@pytest.mark.slow
@needs_jekyll
def test_the_pretty_jekyll_url_is_where_the_built_site_serves_the_post(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_files(site, {**JEKYLL_SITE, "_config.yml": JEKYLL_SITE["_config.yml"] + "permalink: pretty\n"})
    rota = make_rota_for_site(tmp_path, SITE_URL + "/")
    publish_days(rota, site, DAY)

    jekyll_build(site)

    url = recorded_url(rota)
    assert url == f"{SITE_URL}/2026/10/02/rss-feeds/"
    assert TITLE in served_file(site / "_site", url).read_text(encoding="utf-8")


def test_without_site_url_no_url_is_recorded_nor_in_the_feed(tmp_path: Path) -> None:
    make_hugo(tmp_path)
    rota = make_rota_for_site(tmp_path, site_url=None)
    publish(rota)
    assert recorded_url(rota) is None
    assert feed_url(rota) is None
    assert "site_url" not in (rota / "schedule.yaml").read_text(encoding="utf-8")


HUGO_PERMALINKS = "title = 'Company'\n[permalinks]\nposts = '/:year/:slug/'\n"


@pytest.mark.parametrize(
    "make_site",
    [
        lambda tmp_path: make_hugo(tmp_path, {"hugo.toml": HUGO_PERMALINKS}),
        lambda tmp_path: make_jekyll(tmp_path, "title: Company\npermalink: /:categories/:title/\n"),
    ],
    ids=["hugo", "jekyll"],
)
def test_a_site_with_its_own_permalinks_gets_no_guessed_url(tmp_path: Path, make_site: Callable[[Path], Path]) -> None:
    make_site(tmp_path)
    rota = make_rota_for_site(tmp_path)
    publish(rota)
    assert recorded_url(rota) is None
    assert feed_url(rota) is None


def test_announce_links_the_published_post(tmp_path: Path) -> None:
    make_hugo(tmp_path)
    rota = make_rota_for_site(tmp_path)
    publish(rota)
    url = f"{SITE_URL}/posts/rss-feeds/"
    result = lunchlearn("announce", DAY, cwd=rota)
    assert result.exit_code == 0, result.stderr
    assert f"\nArticle: {url}\n" in result.stdout
    result = lunchlearn("announce", DAY, "--format", "json", cwd=rota)
    assert '"article_url": "' + url + '"' in result.stdout


def test_a_site_url_that_is_not_an_http_address_is_bad_input(tmp_path: Path) -> None:
    rota = make_rota_for_site(tmp_path, site_url=None)
    schedule = rota / "schedule.yaml"
    text = schedule.read_text(encoding="utf-8")
    schedule.write_text(text.replace("  site: ../site\n", "  site: ../site\n  site_url: example.com/blog\n"))
    result = lunchlearn("next", cwd=rota)
    assert result.exit_code == 2
    assert "site_url must be an http(s) address" in result.stderr
    assert schedule.read_text(encoding="utf-8") != text  # the hand edit stays; nothing was rewritten


def test_the_recorded_url_stays_in_the_rota_and_a_republish_changes_nothing(tmp_path: Path) -> None:
    site = make_hugo(tmp_path)
    rota = make_rota_for_site(tmp_path)
    publish(rota)
    result = lunchlearn("publish", DAY, cwd=rota)
    assert result.exit_code == 0, result.stderr
    assert "nothing changed" in result.stdout
    assert "published_url" not in (site / "content/posts/rss-feeds/index.md").read_text(encoding="utf-8")


def test_the_sites_own_feed_links_the_published_post(tmp_path: Path) -> None:
    site = make_hugo(tmp_path)
    rota = make_rota_for_site(tmp_path)
    publish(rota)
    result = lunchlearn("publish", "--schedule", cwd=rota)
    assert result.exit_code == 0, result.stderr
    (event,) = icalendar.Calendar.from_ical((site / "static/lunchlearn.ics").read_bytes()).events
    assert str(event["url"]) == f"{SITE_URL}/posts/rss-feeds/"


def test_an_address_no_longer_known_is_emptied_on_the_next_publish(tmp_path: Path) -> None:
    make_hugo(tmp_path)
    rota = make_rota_for_site(tmp_path)
    publish(rota)
    schedule = rota / "schedule.yaml"
    schedule.write_text(schedule.read_text(encoding="utf-8").replace(f"  site_url: {SITE_URL}\n", ""))
    git(rota, "commit", "-q", "-am", "No site_url")
    publish(rota)
    assert recorded_url(rota) == ""
    assert feed_url(rota) is None
