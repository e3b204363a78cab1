"""`stats --html` seen in headless Chromium, and `publish --stats` in real Hugo and Jekyll builds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import changed_paths, commits, git, lunchlearn, write_files
from tests.test_publish_sites import HUGO, JEKYLL_SITE, hugo_site, jekyll_build, needs_hugo, needs_jekyll, run
from tests.test_schedule_page import CHROMIUM, IN_CI, browse
from tests.test_stats import TODAY, make_programme

pytestmark = pytest.mark.slow

needs_chromium = pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="needs chromium (apt-get install chromium)")
# The figures of the hand-built rota (see test_stats.py for the arithmetic), as the page words them.
FIGURES = (
    "Lunch and learn: Fri 6 Nov 2026 to Fri 22 Jan 2027", "Sessions (12)", "held 6 50%", "skipped 2 16.7%",
    "public holiday 2 16.7%", "left open 2 16.7%", "Ann 2 talks last Fri 27 Nov 2026, 8 weeks ago rated 4 (3 ratings)",
    "Dee 0 talks no talk in this period no ratings 0 upcoming", "python 3 talks", "testing 2 talks", "rust 1 talk",
    "4 of 6 held talks have a published article", "published 3 days after the talk (median), 10 at the longest",
    "1 article published before lunchlearn recorded the day: delay unknown",
)


def _shown(page_text: list[str]) -> str:
    return " ".join(" ".join(page_text).split())


def _self_contained(html: str) -> None:
    """No script, and no address of any kind: the page needs no network to be seen."""
    assert "<script" not in html and "://" not in html and "url(" not in html
    assert re.search(r"\b(?:src|href)=", html) is None


@needs_chromium
def test_the_html_page_shows_every_figure_in_a_browser(tmp_path: Path) -> None:
    rota = make_programme(tmp_path / "rota")
    page = tmp_path / "out" / "stats.html"
    page.parent.mkdir()

    result = lunchlearn("stats", "--html", str(page), cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and f"Wrote {page}" in result.stderr
    assert sorted(p.name for p in page.parent.iterdir()) == ["stats.html"]  # no temporary file left
    _self_contained(page.read_text(encoding="utf-8"))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.read_text(encoding="utf-8")
    text = _shown(browse(page.as_uri(), tmp_path / "chromium").text)
    for figure in FIGURES:
        assert figure in text, figure
    assert git(rota, "status", "--porcelain") == ""


def _site_repository(site: Path) -> None:
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "Site")


@needs_hugo
def test_publish_stats_puts_the_page_in_a_built_hugo_site(tmp_path: Path) -> None:
    assert HUGO is not None
    rota = make_programme(tmp_path / "rota")
    site = hugo_site(tmp_path)
    _site_repository(site)
    source = git(rota, "rev-parse", "--short=7", "HEAD")

    result = lunchlearn("publish", "--stats", "--site", str(site), cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    assert commits(site)[0] == f"Update the programme's stats (lunchlearn {source})"
    assert changed_paths(site) == ["static/lunchlearn-stats.html"]
    assert git(rota, "status", "--porcelain") == "" and len(commits(rota)) == 1
    run([HUGO, "--quiet"], site)
    built = (site / "public/lunchlearn-stats.html").read_text(encoding="utf-8")
    assert built == (site / "static/lunchlearn-stats.html").read_text(encoding="utf-8")
    _self_contained(built)
    assert "Sessions (12)" in built and "4 of 6 held talks have a published article" in built

    again = lunchlearn("publish", "--stats", "--site", str(site), cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})

    assert again.exit_code == 0 and "up to date" in again.stdout
    assert len(commits(site)) == 2


@needs_hugo
def test_publish_stats_puts_the_page_in_the_static_folder_the_hugo_site_configures(tmp_path: Path) -> None:
    assert HUGO is not None
    rota = make_programme(tmp_path / "rota")
    site = hugo_site(tmp_path)
    with (site / "hugo.toml").open("a", encoding="utf-8") as config:
        config.write("staticDir = 'files'\n")
    _site_repository(site)

    result = lunchlearn("publish", "--stats", "--site", str(site), cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    assert changed_paths(site) == ["files/lunchlearn-stats.html"]
    run([HUGO, "--quiet"], site)
    assert "Sessions (12)" in (site / "public/lunchlearn-stats.html").read_text(encoding="utf-8")


@needs_jekyll
def test_publish_stats_puts_the_page_in_a_built_jekyll_site(tmp_path: Path) -> None:
    rota = make_programme(tmp_path / "rota")
    site = tmp_path / "site"
    write_files(site, JEKYLL_SITE)
    _site_repository(site)

    result = lunchlearn("publish", "--stats", "--site", str(site), cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    assert changed_paths(site) == ["lunchlearn-stats.html"]
    jekyll_build(site)
    built = (site / "_site/lunchlearn-stats.html").read_text(encoding="utf-8")
    assert built == (site / "lunchlearn-stats.html").read_text(encoding="utf-8")  # copied as it is
    assert "python" in built and "Sessions (12)" in built


def test_publish_stats_takes_no_date_and_not_with_schedule(tmp_path: Path) -> None:
    rota = make_programme(tmp_path / "rota")

    for args in (["--stats", "--schedule"], ["--stats", "2026-12-18"], ["--stats", "--force"]):
        result = lunchlearn("publish", *args, "--site", str(tmp_path), cwd=rota)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: --schedule and --stats")


def test_publish_stats_push_pushes_the_commit_an_earlier_publish_left_unpushed(tmp_path: Path) -> None:
    rota = make_programme(tmp_path / "rota")
    site = tmp_path / "site"
    write_files(site, JEKYLL_SITE)
    _site_repository(site)
    git(tmp_path, "init", "-q", "--bare", "-b", "main", "site.git")
    git(site, "remote", "add", "origin", str(tmp_path / "site.git"))
    git(site, "push", "-q", "-u", "origin", "main")
    publish = ("publish", "--stats", "--site", str(site))
    first = lunchlearn(*publish, cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})
    assert first.exit_code == 0 and "publish with --push next time" in first.stdout, first.stderr

    result = lunchlearn(*publish, "--push", cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})  # as that advice says

    assert result.exit_code == 0, result.stderr
    assert git(tmp_path / "site.git", "rev-parse", "main") == git(site, "rev-parse", "HEAD")
    assert "pushed" in result.stdout


def test_a_dry_run_of_an_unchanged_stats_page_does_not_say_it_would_commit(tmp_path: Path) -> None:
    rota = make_programme(tmp_path / "rota")
    site = tmp_path / "site"
    write_files(site, JEKYLL_SITE)
    _site_repository(site)
    publish = ("publish", "--stats", "--site", str(site))
    assert lunchlearn(*publish, cwd=rota, env={"LUNCHLEARN_TODAY": TODAY}).exit_code == 0

    result = lunchlearn(*publish, "--dry-run", cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    assert "Would commit" not in result.stdout and "up to date; nothing changed" in result.stdout, result.stdout


@pytest.mark.parametrize("static_dir", ["../outside", "/tmp/lunchlearn-outside"])
def test_publish_stats_refuses_a_static_folder_outside_the_site(tmp_path: Path, static_dir: str) -> None:
    rota = make_programme(tmp_path / "rota")
    site = tmp_path / "site"
    write_files(site, {"hugo.toml": f"title = 'Co'\nstaticDir = '{static_dir}'\n"})
    _site_repository(site)

    result = lunchlearn("publish", "--stats", "--site", str(site), cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith("error: publishing would write") and "outside the site" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "outside").exists() and not Path("/tmp/lunchlearn-outside").exists()
    assert git(site, "status", "--porcelain") == "" and len(commits(site)) == 1
