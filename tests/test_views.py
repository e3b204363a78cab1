"""What `calendar`, `remind`, `stats` and `suggest` work out is kept under .git/lunchlearn/ and never shown
stale: after each change a user can make, the command shows what it shows with nothing kept at all.

A view is kept only from files settled for more than a timestamp tick (git/views.py), so each test lets
its freshly made rota settle before the first read, as any rota not edited in the last seconds is.
"""

from __future__ import annotations

import os
import pickle
import shutil
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FRIDAYS, git, lunchlearn, lunchlearn_process, make_rota

STATE = Path(".git/lunchlearn")
PAST = ["2026-11-06", "2026-11-13", "2026-11-20", "2026-11-27"]  # before the tests' today, 2026-11-28
FEEDBACK = "talk: 2026-11-20\nfeedback:\n- by: Ann\n  rating: 4\n"
WHOLE_HISTORY = [["calendar"], ["remind", "--json"], ["stats", "--json"], ["suggest", "--json"]]


def _settled_rota(tmp_path: Path) -> Path:
    people = ["Ann", "Bob", "Cole", "Dee", "Eve", "Fay"]
    talks = [{"date": day, "presenter": name, "topic": f"Topic {name}"}
             for day, name in zip([*PAST, *FRIDAYS[:2]], people, strict=True)]
    root = make_rota(tmp_path / "rota", talks=talks, files={"talks/2026-11-20.feedback.yaml": FEEDBACK})
    for path in [root / "schedule.yaml", *(root / "talks").iterdir()]:
        a_minute_ago = path.stat().st_mtime_ns - 60_000_000_000
        os.utime(path, ns=(a_minute_ago, a_minute_ago))
    time.sleep(2.1)  # past the racy window of the files' change times, which no utime can age
    return root


def _output(root: Path, args: list[str], env: Mapping[str, str] | None = None) -> str:
    """What `lunchlearn ARGS` prints, and its exit code (`remind` exits 1 when something is due)."""
    result = lunchlearn_process(*args, cwd=root, env=env)
    assert result.returncode in (0, 1) and not result.stderr, result.stderr
    return f"{result.stdout}\nexit code {result.returncode}"


def _from_scratch(root: Path, args: list[str], env: Mapping[str, str] | None = None) -> str:
    """The output with nothing kept: what a kept view must always agree with."""
    shutil.rmtree(root / STATE, ignore_errors=True)
    return _output(root, args, env)


def _kept(root: Path, args: list[str], env: Mapping[str, str] | None = None) -> str:
    """The output of `args` once its view is kept (two runs: one works it out, one reads it)."""
    worked_out = _output(root, args, env)
    assert (root / STATE / f"view-{args[0]}.pickle").is_file()
    kept = _output(root, args, env)
    assert kept == worked_out
    return kept


def _same_size_edit(path: Path, old: str, new: str) -> None:
    """Change `old` to `new` (as long) in place, then put the modification time back as it was."""
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(old.encode(), new.encode(), 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def _article(root: Path, day: str) -> Path:
    return next((root / "talks").glob(f"{day}-*.md"))


@pytest.mark.parametrize("args", WHOLE_HISTORY, ids=" ".join)
def test_a_kept_view_shows_what_the_command_works_out(tmp_path: Path, args: list[str]) -> None:
    root = _settled_rota(tmp_path)
    assert _kept(root, args) == _from_scratch(root, args)


@pytest.mark.parametrize("args", WHOLE_HISTORY, ids=" ".join)
def test_a_hand_edit_of_the_rota_keeping_its_size_and_modification_time_is_seen(
    tmp_path: Path, args: list[str]
) -> None:
    root = _settled_rota(tmp_path)
    _kept(root, args)
    _same_size_edit(root / "schedule.yaml", "Topic Bob", "Topic Rob")
    _same_size_edit(root / "schedule.yaml", "presenter: Eve", "presenter: Ivy")
    edited = _output(root, args)
    assert ("Rob" in edited or "Ivy" in edited) and edited == _from_scratch(root, args)


@pytest.mark.parametrize("args", [["remind", "--json"], ["stats", "--json"], ["calendar"]], ids=" ".join)
def test_an_article_edited_then_checked_out_again_shows_its_status_each_time(tmp_path: Path, args: list[str]) -> None:
    root = _settled_rota(tmp_path)
    article = _article(root, PAST[2])
    draft = _kept(root, args)
    _same_size_edit(article, "status: draft\ntags: []\nsummary: ''", "status: ready\ntags: [go]\nsummary: ")
    ready = _output(root, args)
    assert ready == _from_scratch(root, args)
    if args[0] != "calendar":  # the feed shows no article's status
        assert ready != draft  # remind shows the status, stats the tags
    git(root, "checkout", "--", str(article.relative_to(root)))
    assert _output(root, args) == draft  # the article's file is new, its front matter the kept one
    assert _output(root, args) == draft


@pytest.mark.parametrize("args", WHOLE_HISTORY, ids=" ".join)
def test_an_article_dated_past_what_64_bit_nanoseconds_hold_is_shown_as_any_other(
    tmp_path: Path, args: list[str]
) -> None:
    root = _settled_rota(tmp_path)
    far = datetime(2300, 1, 1, tzinfo=UTC).timestamp()  # `touch -d 2300-01-01`: past 2262
    os.utime(_article(root, PAST[2]), (far, far))
    assert _article(root, PAST[2]).stat().st_mtime_ns >= 2**63  # kept so by the file system
    shown = _output(root, args)
    assert _output(root, args) == shown == _from_scratch(root, args)


def test_an_article_read_through_a_link_shows_its_target_s_status(tmp_path: Path) -> None:
    root = _settled_rota(tmp_path)
    article, target = _article(root, PAST[2]), root / "talks" / "shared.md"
    target.write_text(article.read_text(encoding="utf-8"), encoding="utf-8")
    article.unlink()
    article.symlink_to(target.name)
    draft = _kept(root, ["remind", "--json"])
    _same_size_edit(target, "status: draft", "status: ready")
    ready = _output(root, ["remind", "--json"])
    assert ready != draft and ready == _from_scratch(root, ["remind", "--json"])


def test_an_article_edited_while_the_figures_are_worked_out_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lunchlearn.rota import stats as figures

    root = _settled_rota(tmp_path)
    article = _article(root, PAST[2])
    compute = figures.compute

    def compute_while_the_article_changes(*args: Any, **kwargs: Any) -> Any:
        found = compute(*args, **kwargs)  # from the article's front matter as it was read
        _same_size_edit(article, "status: draft\ntags: []\nsummary: ''", "status: ready\ntags: [go]\nsummary: ")
        time.sleep(2.1)  # the work goes on past a timestamp tick after the edit
        return found

    with monkeypatch.context() as patched:
        patched.setattr(figures, "compute", compute_while_the_article_changes)
        assert lunchlearn("stats", "--json", cwd=root).exit_code == 0
    shown = _output(root, ["stats", "--json"])
    assert '"go"' in shown and shown == _from_scratch(root, ["stats", "--json"])


def test_feedback_given_or_edited_by_hand_is_counted(tmp_path: Path) -> None:
    root = _settled_rota(tmp_path)
    before = _kept(root, ["stats", "--json"])
    given = lunchlearn_process("feedback", PAST[1], "--rating", "5", "--name", "Dee", "--no-sync", cwd=root)
    assert given.returncode == 0, given.stderr
    after_new_file = _output(root, ["stats", "--json"])
    assert after_new_file != before and after_new_file == _from_scratch(root, ["stats", "--json"])
    time.sleep(2.1)
    _kept(root, ["stats", "--json"])
    _same_size_edit(root / "talks/2026-11-20.feedback.yaml", "rating: 4", "rating: 1")
    edited = _output(root, ["stats", "--json"])
    assert edited != after_new_file and edited == _from_scratch(root, ["stats", "--json"])


def test_a_copy_of_the_clone_counts_its_own_feedback(tmp_path: Path) -> None:
    """A clone copied with its git folder (`cp -a`) keeps the views of the clone it came from, whose files
    are not its own."""
    root = _settled_rota(tmp_path)
    before = _kept(root, ["stats", "--json"])
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, symlinks=True)  # file times kept, as `cp -a` keeps them
    _same_size_edit(copy / "talks/2026-11-20.feedback.yaml", "rating: 4", "rating: 1")
    time.sleep(2.1)
    _output(copy, ["next"])  # the copy's rota parsed and kept: its digest is the original's
    copied = _output(copy, ["stats", "--json"])
    assert copied != before and copied == _from_scratch(copy, ["stats", "--json"])
    assert _output(root, ["stats", "--json"]) == before


def test_another_day_or_other_options_are_worked_out_again(tmp_path: Path) -> None:
    root = _settled_rota(tmp_path)
    today = _kept(root, ["remind", "--json"])
    later = {"LUNCHLEARN_TODAY": "2026-12-30"}
    assert _output(root, ["remind", "--json"], later) != today
    assert _output(root, ["remind", "--json"], later) == _from_scratch(root, ["remind", "--json"], later)
    wide = _output(root, ["remind", "--json", "--days", "60"])
    assert wide != today and wide == _from_scratch(root, ["remind", "--json", "--days", "60"])
    assert _output(root, ["remind", "--json"]) == today
    assert _output(root, ["calendar", "--person", "Ann"]) != _output(root, ["calendar"])


def test_a_checkout_of_another_version_of_the_rota_is_seen(tmp_path: Path) -> None:
    root = _settled_rota(tmp_path)
    old = _kept(root, ["calendar"])
    signed = lunchlearn_process("signup", "--date", FRIDAYS[3], "--name", "Gil", "--topic", "Topic Gil",
                                "--no-sync", cwd=root)
    assert signed.returncode == 0, signed.stderr
    assert "Topic Gil" in _output(root, ["calendar"])
    git(root, "checkout", "-q", "HEAD~1", "--", "schedule.yaml")
    assert _output(root, ["calendar"]) == old


@pytest.mark.parametrize("entry", [b"not a pickle", pickle.dumps(Path("elsewhere"))], ids=["garbage", "foreign class"])
def test_a_damaged_view_is_worked_out_again(tmp_path: Path, entry: bytes) -> None:
    root = _settled_rota(tmp_path)
    kept = _kept(root, ["stats", "--json"])
    (root / STATE / "view-stats.pickle").write_bytes(entry)
    assert _output(root, ["stats", "--json"]) == kept


@pytest.mark.parametrize("damage", [lambda feed: b"", lambda feed: b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                    lambda feed: feed[:-200]], ids=["empty", "another feed", "cut short"])
def test_a_kept_calendar_whose_laid_out_feed_was_replaced_lays_it_out_again(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    """Another person's feed laid out meanwhile replaces the kept one; a crash may leave it cut short."""
    root = _settled_rota(tmp_path)
    kept = _kept(root, ["calendar"])
    feed = damage((root / STATE / "lunchlearn.ics").read_bytes())
    (root / STATE / "lunchlearn.ics").write_bytes(feed)
    assert _output(root, ["calendar"]) == kept
    (root / STATE / "lunchlearn.ics").write_bytes(feed)
    written = lunchlearn_process("calendar", "-o", "feed.ics", cwd=root)
    assert written.returncode == 0 and written.stderr == "Wrote feed.ics\n"
    assert (root / "feed.ics").read_text(encoding="utf-8") == kept.removesuffix("\nexit code 0")
