"""Changing plans through the real CLI in real git repositories: move, swap, topic, skip and unskip."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lunchlearn import storage
from tests.helpers import (
    FRIDAYS,
    clean_clone,
    commits,
    git,
    lunchlearn,
    make_rota,
    make_team,
    remote_rota,
)

AMY, BEN = FRIDAYS[0], FRIDAYS[3]  # 2026-12-18 and 2027-01-08
OPEN = FRIDAYS[5]  # 2027-01-22
# An article as a person writes it: CRLF line endings, a comment, odd spacing, non-ASCII text.
WRITTEN = (
    "---\r\ntitle:   Colour theory   # the working title\r\npresenter: Amy\r\ndate: {day}\r\nstatus: draft\r\n"
    "tags: [colour, design]\r\nsummary: Why hue matters.\r\n---\r\n\r\nCafé au lait ☕ and a trailing space \r\n"
    "no newline at the end"
)


def two_talks(tmp_path: Path, **settings: object) -> Path:
    """Amy on AMY with a written article, Ben on BEN with his stub, one commit each for Amy's history."""
    root = make_rota(
        tmp_path / "rota",
        talks=[
            {"date": AMY, "presenter": "Amy", "topic": "Colour theory", "article": f"talks/{AMY}-colour-theory.md"},
            {"date": BEN, "presenter": "Ben", "topic": "RSS feeds", "article": f"talks/{BEN}-rss-feeds.md"},
        ],
        settings=settings,
    )
    (root / f"talks/{AMY}-colour-theory.md").write_bytes(WRITTEN.format(day=AMY).encode())
    git(root, "commit", "-qam", "Write Amy's article")
    return root


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = lunchlearn("--repo", str(root), *args)
    return result.exit_code, result.stdout, result.stderr


def rota_text(root: Path) -> str:
    return (root / "schedule.yaml").read_text(encoding="utf-8")


def touched(root: Path) -> list[str]:
    """The paths the last commit changed, a rename as its two paths."""
    return sorted(git(root, "show", "--no-renames", "--name-only", "--format=").splitlines())


def unchanged(root: Path, head: str) -> bool:
    return git(root, "rev-parse", "HEAD") == head and clean_clone(root)


# move ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [(AMY, OPEN), ("--from", AMY, "--to", OPEN)])
def test_move_renames_the_article_keeping_every_byte_but_the_date(tmp_path: Path, spelling: tuple[str, ...]) -> None:
    root = two_talks(tmp_path)
    code, out, err = run(root, "move", *spelling)
    assert code == 0, err
    assert "Moved Amy's talk" in out
    assert not (root / f"talks/{AMY}-colour-theory.md").exists()
    moved = (root / f"talks/{OPEN}-colour-theory.md").read_bytes()
    assert moved == WRITTEN.format(day=OPEN).encode()
    assert f"- date: {OPEN}\n  presenter: Amy\n  topic: Colour theory\n  article: talks/{OPEN}-colour-theory.md\n" in (
        rota_text(root)
    )
    assert f"- date: {AMY}\n" not in rota_text(root)
    assert commits(root)[0] == "Move Amy's talk from Fri 18 Dec 2026 to Fri 22 Jan 2027 (Colour theory)"
    assert touched(root) == ["schedule.yaml", f"talks/{AMY}-colour-theory.md", f"talks/{OPEN}-colour-theory.md"]
    assert clean_clone(root)


def test_git_log_follow_finds_a_moved_articles_history(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    assert run(root, "move", AMY, OPEN)[0] == 0
    assert git(root, "show", "-M", "--name-status", "--format=", "HEAD", "--", "talks").startswith("R")
    history = git(root, "log", "--follow", "--format=%s", "--", f"talks/{OPEN}-colour-theory.md").splitlines()
    assert history == [commits(root)[0], "Write Amy's article", "Test rota"]


def test_move_keeps_the_comments_in_the_rota(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    text = rota_text(root).replace("talks:\n", "talks:  # Fridays after lunch\n# who presents what\n")
    (root / "schedule.yaml").write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "A comment")
    assert run(root, "move", AMY, OPEN)[0] == 0
    assert "talks:  # Fridays after lunch\n# who presents what\n" in rota_text(root)


def test_move_inside_the_notice_period_needs_short_notice(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    soon = "2026-12-11"
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run(root, "move", AMY, soon)
    assert code == 1
    assert "less than 2 weeks away" in err and "--short-notice" in err and "open dates nearby: " in err
    assert unchanged(root, head)
    assert run(root, "move", AMY, soon, "--short-notice")[0] == 0
    assert (root / f"talks/{soon}-colour-theory.md").exists()


def test_a_talk_already_inside_the_notice_period_moves_only_with_short_notice(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota", talks=[{"date": "2026-12-11", "presenter": "Cy"}])
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run(root, "move", "2026-12-11", OPEN)
    assert code == 1
    assert "Cy's talk on Fri 11 Dec 2026 is less than 2 weeks away" in err
    assert unchanged(root, head)
    assert run(root, "move", "2026-12-11", OPEN, "--short-notice")[0] == 0


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("2027-01-21", "is not a Friday"),
        ("2026-11-27", "is in the past"),
        (FRIDAYS[1], "is skipped (Christmas)"),
        (BEN, "is already taken by Ben (RSS feeds)"),
        ("2027-05-07", "is beyond the 12-week horizon"),
    ],
)
def test_move_refuses_a_target_the_slot_rules_forbid(tmp_path: Path, target: str, reason: str) -> None:
    root = two_talks(tmp_path)
    text = rota_text(root).replace("skipped: []\n", f"skipped:\n- date: {FRIDAYS[1]}\n  reason: Christmas\n")
    (root / "schedule.yaml").write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "Christmas")
    head = git(root, "rev-parse", "HEAD")
    code, out, err = run(root, "move", AMY, target)
    assert code == 1, err
    assert reason in err and "open dates nearby: " in err
    assert err.startswith("error: ") and err.count("\n") == 1 and out == ""
    assert unchanged(root, head)


def test_a_published_talk_cannot_move(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    article = root / f"talks/{AMY}-colour-theory.md"
    article.write_bytes(article.read_bytes().replace(b"status: draft", b"status: published"))
    git(root, "commit", "-qam", "Published")
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run(root, "move", AMY, OPEN)
    assert code == 1
    assert "is published; a published talk cannot move" in err
    assert unchanged(root, head)


def test_move_refuses_a_date_nobody_holds(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    code, _, err = run(root, "move", OPEN, FRIDAYS[6])
    assert code == 1
    assert f"nobody is signed up for Fri 22 Jan 2027; booked dates: {AMY}, {BEN}" in err


def test_move_without_a_target_is_a_usage_error(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    code, _, err = run(root, "move", AMY)
    assert code == 2
    assert "Missing argument 'TO' (or --to TO)" in err


def test_move_refuses_an_article_with_uncommitted_edits(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    article = root / f"talks/{AMY}-colour-theory.md"
    article.write_bytes(article.read_bytes() + b"\r\nmore")
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run(root, "move", AMY, OPEN)
    assert code == 1
    assert "uncommitted changes" in err
    assert git(root, "rev-parse", "HEAD") == head and article.read_bytes().endswith(b"more")


# swap ------------------------------------------------------------------------------------------


def test_swap_exchanges_two_talks_and_their_articles(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    ben_before = (root / f"talks/{BEN}-rss-feeds.md").read_text(encoding="utf-8")
    code, _, err = run(root, "swap", AMY, BEN)
    assert code == 0, err
    assert (root / f"talks/{BEN}-colour-theory.md").read_bytes() == WRITTEN.format(day=BEN).encode()
    assert (root / f"talks/{AMY}-rss-feeds.md").read_text(encoding="utf-8") == ben_before.replace(
        f"date: {BEN}", f"date: {AMY}"
    )
    assert f"- date: {AMY}\n  presenter: Ben\n" in rota_text(root)
    assert f"- date: {BEN}\n  presenter: Amy\n" in rota_text(root)
    message = commits(root)[0]
    assert message.startswith("Swap ") and "Amy's talk" in message and "Ben's talk" in message
    assert len(touched(root)) == 5 and clean_clone(root)


def test_swap_refuses_a_published_talk_and_an_unbooked_date(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    article = root / f"talks/{BEN}-rss-feeds.md"
    article.write_text(article.read_text(encoding="utf-8").replace("status: draft", "status: published"))
    git(root, "commit", "-qam", "Published")
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run(root, "swap", AMY, BEN)
    assert code == 1 and "Fri 8 Jan 2027 is published" in err
    code, _, err = run(root, "swap", AMY, OPEN)
    assert code == 1 and "nobody is signed up for Fri 22 Jan 2027" in err
    assert unchanged(root, head)


# topic -----------------------------------------------------------------------------------------


def test_topic_changes_the_rota_the_title_and_renames_the_article(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    before = (root / f"talks/{BEN}-rss-feeds.md").read_text(encoding="utf-8")
    code, _, err = run(root, "topic", BEN, "Feeds for marketing")
    assert code == 0, err
    assert not (root / f"talks/{BEN}-rss-feeds.md").exists()
    renamed = root / f"talks/{BEN}-feeds-for-marketing.md"
    assert renamed.read_text(encoding="utf-8") == before.replace("title: RSS feeds", "title: Feeds for marketing")
    assert f"  topic: Feeds for marketing\n  article: talks/{BEN}-feeds-for-marketing.md\n" in rota_text(root)
    assert commits(root)[0] == "Change Ben's topic for Fri 8 Jan 2027: Feeds for marketing (was: RSS feeds)"
    assert git(root, "show", "-M", "--name-status", "--format=", "HEAD", "--", "talks").startswith("R")


def test_topic_keeps_a_title_the_author_chose(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    amy = root / f"talks/{AMY}-colour-theory.md"
    amy.write_bytes(amy.read_bytes().replace(b"title:   Colour theory", b"title: Seeing in colour"))
    git(root, "commit", "-qam", "A title of her own")
    written = amy.read_bytes()
    assert run(root, "topic", "--date", AMY, "--topic", "Colour and light")[0] == 0
    assert (root / f"talks/{AMY}-colour-and-light.md").read_bytes() == written
    assert "  topic: Colour and light\n" in rota_text(root)


def test_topic_of_a_published_talk_keeps_its_file_name(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    ben = root / f"talks/{BEN}-rss-feeds.md"
    ben.write_text(ben.read_text(encoding="utf-8").replace("status: draft", "status: published"))
    git(root, "commit", "-qam", "Published")
    assert run(root, "topic", BEN, "Feeds for marketing")[0] == 0
    assert "title: Feeds for marketing\n" in ben.read_text(encoding="utf-8")
    assert touched(root) == ["schedule.yaml", f"talks/{BEN}-rss-feeds.md"]


def test_topic_refuses_a_date_nobody_holds_and_an_empty_topic(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    head = git(root, "rev-parse", "HEAD")
    assert run(root, "topic", OPEN, "Anything")[0] == 1
    code, _, err = run(root, "topic", BEN, "  ")
    assert code == 2 and "topic is empty" in err
    assert unchanged(root, head)


# skip and unskip -------------------------------------------------------------------------------


def test_skip_an_open_date_and_unskip_it(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    code, _, err = run(root, "skip", OPEN, "--reason", "All-hands meeting")
    assert code == 0, err
    assert f"skipped:\n- date: {OPEN}\n  reason: All-hands meeting\n" in rota_text(root)
    assert commits(root)[0] == "Skip Fri 22 Jan 2027: All-hands meeting"
    assert OPEN not in run(root, "slots", "--json")[1]
    code, _, err = run(root, "signup", OPEN, "--name", "Cy")
    assert code == 1 and "is skipped (All-hands meeting)" in err
    code, out, err = run(root, "unskip", "--date", OPEN)
    assert code == 0, err
    assert "skipped: []\n" in rota_text(root)
    assert commits(root)[0] == "Hold Fri 22 Jan 2027 again (was skipped: All-hands meeting)"
    assert f"lunchlearn signup {OPEN}" in out
    assert OPEN in run(root, "slots", "--json")[1]


def test_skipping_a_date_with_a_talk_says_what_to_do_with_it(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run(root, "skip", AMY, "--reason", "Office move")
    assert code == 1
    assert "Amy presents on Fri 18 Dec 2026 (Colour theory)" in err
    assert "--move-to DATE (open dates nearby: " in err and "--withdraw" in err
    assert unchanged(root, head)


def test_skip_with_move_to_moves_the_talk_in_the_same_commit(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    code, out, err = run(root, "skip", "--date", AMY, "--reason", "Office move", "--move-to", OPEN)
    assert code == 0, err
    assert "Skipped Fri 18 Dec 2026: Office move; moved Amy's talk from Fri 18 Dec 2026 to Fri 22 Jan 2027" in out
    assert (root / f"talks/{OPEN}-colour-theory.md").read_bytes() == WRITTEN.format(day=OPEN).encode()
    assert f"skipped:\n- date: {AMY}\n  reason: Office move\n" in rota_text(root)
    assert commits(root)[0] == (
        "Skip Fri 18 Dec 2026: Office move; move Amy's talk from Fri 18 Dec 2026 to Fri 22 Jan 2027 (Colour theory)"
    )
    assert len(touched(root)) == 3 and clean_clone(root)


def test_skip_with_move_to_follows_the_move_rules(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run(root, "skip", AMY, "--reason", "Office move", "--move-to", BEN)
    assert code == 1 and "already taken by Ben" in err
    assert unchanged(root, head)


def test_skip_with_withdraw_withdraws_the_talk_in_the_same_commit(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    code, out, err = run(root, "skip", BEN, "--reason", "Office move", "--withdraw")
    assert code == 0, err
    assert "Skipped Fri 8 Jan 2027: Office move; withdrew Ben: RSS feeds" in out
    assert not (root / f"talks/{BEN}-rss-feeds.md").exists()  # an untouched stub goes, as with `withdraw`
    rota = storage.read_rota(root)
    assert rota.talk_on(date.fromisoformat(BEN)) is None
    assert [c.presenter for c in rota.cancelled] == ["Ben"]  # kept a while, cancelled, for calendars
    assert commits(root)[0] == "Skip Fri 8 Jan 2027: Office move; withdraw Ben: RSS feeds"
    code, _, err = run(root, "skip", AMY, "--reason", "Office move", "--withdraw")
    assert code == 0, err
    assert "status: withdrawn" in (root / f"talks/{AMY}-colour-theory.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("2027-01-21",), 1, "is not a Friday"),
        (("2026-11-20",), 1, "is in the past"),
        ((FRIDAYS[1], "--withdraw"), 2, "nobody is signed up for Fri 25 Dec 2026"),
        ((AMY, "--withdraw", "--move-to", OPEN), 2, "not both"),
    ],
)
def test_skip_refusals(tmp_path: Path, args: tuple[str, ...], code: int, message: str) -> None:
    root = two_talks(tmp_path)
    head = git(root, "rev-parse", "HEAD")
    result = run(root, "skip", *args, "--reason", "Party")
    assert result[0] == code and message in result[2]
    assert unchanged(root, head)


def test_skip_twice_and_unskip_an_open_date_are_refused(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    assert run(root, "skip", OPEN, "--reason", "Party")[0] == 0
    code, _, err = run(root, "skip", OPEN, "--reason", "Party")
    assert code == 1 and "is already skipped (Party)" in err
    code, _, err = run(root, "unskip", FRIDAYS[6])
    assert code == 1 and f"Fri 29 Jan 2027 is not skipped; skipped dates: {OPEN}" in err


def test_skip_needs_a_reason(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    code, _, err = run(root, "skip", OPEN)
    assert code == 2 and "--reason" in err


# dry runs and teams ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("move", AMY, OPEN),
        ("swap", AMY, BEN),
        ("topic", BEN, "Feeds"),
        ("skip", AMY, "--reason", "Party", "--move-to", OPEN),
        ("skip", AMY, "--reason", "Party", "--withdraw"),
        ("skip", OPEN, "--reason", "Party"),
    ],
)
def test_dry_run_writes_nothing(tmp_path: Path, args: tuple[str, ...]) -> None:
    root = two_talks(tmp_path)
    head = git(root, "rev-parse", "HEAD")
    code, out, err = run(root, *args, "--dry-run")
    assert code == 0, err
    assert out.startswith("Dry run, nothing written. Would commit: ")
    assert unchanged(root, head)


def test_unskip_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    assert run(root, "skip", OPEN, "--reason", "Party")[0] == 0
    head = git(root, "rev-parse", "HEAD")
    code, out, _ = run(root, "unskip", OPEN, "--dry-run")
    assert code == 0 and "Would commit: Hold Fri 22 Jan 2027 again" in out
    assert unchanged(root, head)


def test_a_move_is_synced_like_a_signup(tmp_path: Path) -> None:
    team = make_team(tmp_path, "amy", "ben")
    amy, ben = team["amy"], team["ben"]
    assert run(amy, "signup", AMY, "--name", "Amy", "--topic", "Colour theory")[0] == 0
    code, _, err = run(ben, "move", AMY, OPEN)  # Ben's clone has not seen Amy's sign-up yet: it syncs first
    assert code == 0, err
    moved = remote_rota(team["origin"]).talk_on(date.fromisoformat(OPEN))
    assert moved is not None and moved.presenter == "Amy" and moved.article == f"talks/{OPEN}-colour-theory.md"
    assert git(team["origin"], "rev-parse", "main") == git(ben, "rev-parse", "HEAD")
    code, _, err = run(amy, "signup", OPEN, "--name", "Cy")
    assert code == 1 and "already taken by Amy" in err
    assert git(amy, "rev-parse", "HEAD") == git(ben, "rev-parse", "HEAD")
    assert (amy / f"talks/{OPEN}-colour-theory.md").exists() and clean_clone(amy)


def test_a_move_to_a_date_a_teammate_just_took_is_refused(tmp_path: Path) -> None:
    team = make_team(tmp_path, "amy", "ben")
    amy, ben = team["amy"], team["ben"]
    assert run(amy, "signup", AMY, "--name", "Amy", "--topic", "Colour theory")[0] == 0
    assert run(ben, "signup", OPEN, "--name", "Ben", "--topic", "RSS feeds")[0] == 0
    head = git(amy, "rev-parse", "HEAD")
    code, _, err = run(amy, "move", AMY, OPEN)
    assert code == 1 and "already taken by Ben (RSS feeds)" in err
    assert git(amy, "rev-parse", "HEAD") != head  # Ben's sign-up was brought in; the move wrote nothing
    assert remote_rota(team["origin"]).talk_on(date.fromisoformat(AMY)) is not None
    assert clean_clone(amy)


def test_a_move_whose_commit_fails_leaves_the_repository_as_it_was(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run(root, "move", AMY, OPEN)
    assert code == 1 and "nothing was changed" in err
    assert unchanged(root, head)
    assert (root / f"talks/{AMY}-colour-theory.md").read_bytes() == WRITTEN.format(day=AMY).encode()
    assert not (root / f"talks/{OPEN}-colour-theory.md").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("move", AMY, OPEN, "--from", BEN), f"two dates given ({AMY} and --from {BEN}); give one"),
        (("move", AMY, OPEN, "--to", BEN), f"two dates given ({OPEN} and --to {BEN}); give one"),
        (("topic", BEN, "One", "--topic", "Two"), "two topics given ('One' and --topic 'Two'); give one"),
        (("unskip", OPEN, "--date", BEN), f"two dates given ({OPEN} and --date {BEN}); give one"),
        (("swap", AMY, "18/12/2026"), "Invalid value for 'DATE'"),
    ],
)
def test_a_date_or_topic_given_two_ways_must_agree(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    root = two_talks(tmp_path)
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run(root, *args)
    assert code == 2 and message in err and err.count("\n") == 1
    assert unchanged(root, head)


def test_a_move_made_offline_merges_with_a_teammates_signup(tmp_path: Path) -> None:
    team = make_team(tmp_path, "amy", "ben")
    amy, ben = team["amy"], team["ben"]
    assert run(amy, "signup", AMY, "--name", "Amy", "--topic", "Colour theory")[0] == 0
    assert run(ben, "sync")[0] == 0
    assert run(amy, "move", AMY, OPEN, "--no-sync")[0] == 0
    assert run(ben, "signup", BEN, "--name", "Ben", "--topic", "RSS feeds")[0] == 0
    code, _, err = run(amy, "sync")
    assert code == 0, err
    rota = remote_rota(team["origin"])
    assert [(t.date.isoformat(), t.presenter) for t in rota.talks] == [(BEN, "Ben"), (OPEN, "Amy")]
    files = git(team["origin"], "ls-tree", "--name-only", "main", "talks/").splitlines()
    assert f"talks/{OPEN}-colour-theory.md" in files and f"talks/{AMY}-colour-theory.md" not in files
    follow = git(amy, "log", "--follow", "--format=%s", "--", f"talks/{OPEN}-colour-theory.md").splitlines()
    assert follow[-1] == "Sign up Amy for Fri 18 Dec 2026: Colour theory"


def test_write_commits_nothing_when_the_talk_was_moved_by_move_while_the_editor_was_open(
    tmp_path: Path,
) -> None:
    from tests.test_git_state import other_shell_editor

    root = two_talks(tmp_path)
    mine = WRITTEN.format(day=AMY) + "\r\nTyped while the talk moved."
    editor = other_shell_editor(tmp_path, mine, ["move", AMY, OPEN])
    result = lunchlearn("write", AMY, env={"VISUAL": editor}, cwd=root)
    assert result.exit_code == 1
    assert "moved to Fri 22 Jan 2027 while the editor was open" in result.stderr
    assert f"talks/{OPEN}-colour-theory.md" in result.stderr
    assert commits(root)[0].startswith("Move Amy's talk")
    assert (root / f"talks/{AMY}-colour-theory.md").read_bytes() == mine.encode()


def test_a_moved_talk_must_be_confirmed_again(tmp_path: Path) -> None:
    root = two_talks(tmp_path)
    schedule = root / "schedule.yaml"
    schedule.write_text(
        schedule.read_text(encoding="utf-8").replace(f"date: {BEN}\n", f"date: {BEN}\n  confirmed: true\n", 1),
        encoding="utf-8",
    )
    git(root, "commit", "-qam", "Ben confirmed")
    before = storage.read_rota(root).talk_on(date.fromisoformat(BEN))
    assert before is not None and before.confirmed is True
    code, _, err = run(root, "move", BEN, "2027-01-29")
    assert code == 0, err
    after = storage.read_rota(root).talk_on(date(2027, 1, 29))
    assert after is not None and after.confirmed is False
