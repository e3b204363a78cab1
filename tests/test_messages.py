"""Messages: what comes next after each step, error and warning labels, colour only in a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.helpers import git, lunchlearn, make_rota, make_team
from tests.test_publish import make_hugo, make_rota_with_article


def test_init_says_to_cd_into_the_rota_and_list_the_slots(tmp_path: Path) -> None:
    result = lunchlearn("init", "team rota", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "Next: cd 'team rota'\n" in result.stdout
    assert "Next: `lunchlearn slots` shows the open dates" in result.stdout


def test_the_cd_advice_works_for_a_folder_named_like_an_option(tmp_path: Path) -> None:
    result = lunchlearn("init", "--", "-weird", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    advice = next(line for line in result.stdout.splitlines() if line.startswith("Next: cd "))
    shell = subprocess.run(["sh", "-c", f"{advice.removeprefix('Next: ')} && pwd"], cwd=tmp_path,
                           capture_output=True, text=True, check=False)
    assert shell.returncode == 0 and Path(shell.stdout.strip()).name == "-weird", shell.stderr


def test_init_in_the_current_folder_does_not_say_cd(tmp_path: Path) -> None:
    result = lunchlearn("init", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "Next: cd" not in result.stdout and "lunchlearn slots" in result.stdout


def test_signup_names_the_article_and_the_write_command(rota: Path) -> None:
    result = lunchlearn("signup", "2027-01-22", "--topic", "Queues", cwd=rota)
    assert result.exit_code == 0, result.stderr
    assert (
        "Next: write your article in talks/2027-01-22-queues.md with `lunchlearn write 2027-01-22`"
        in result.stdout
    )


def test_ready_names_the_publish_command(tmp_path: Path) -> None:
    words = " ".join(["word"] * 320)
    text = (
        "---\ntitle: Queues\npresenter: Test User\ndate: 2027-01-22\nstatus: draft\n"
        f"summary: Why queues.\n---\n{words}\n"
    )
    root = make_rota(
        tmp_path / "rota",
        talks=[{"date": "2027-01-22", "presenter": "Test User", "topic": "Queues", "article": "talks/q.md"}],
        files={"talks/q.md": text},
    )
    result = lunchlearn("ready", "2027-01-22", cwd=root)
    assert result.exit_code == 0, result.stderr
    assert "Next: publish it with `lunchlearn publish 2027-01-22`" in result.stdout


def test_publish_says_the_site_commit_is_not_pushed_and_how_to_push(tmp_path: Path) -> None:
    rota, site = make_rota_with_article(tmp_path), make_hugo(tmp_path)
    result = lunchlearn("publish", "2026-11-27", cwd=rota)
    assert result.exit_code == 0, result.stderr
    assert f"Next: the site's commit is not pushed yet; push it with `git -C {site} push`" in result.stdout


def test_an_undone_signup_in_sync_is_an_error_not_a_warning(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert lunchlearn("signup", "2027-01-29", "--name", "Ann", cwd=team["ann"]).exit_code == 0
    assert lunchlearn("signup", "2027-01-29", "--name", "Bob", "--no-sync", cwd=team["bob"]).exit_code == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1
    assert "error:" in result.stderr and "warning:" not in result.stderr


def _stderr_in_a_terminal(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run lunchlearn with its stderr on a pseudo-terminal, as a person sees it."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "lunchlearn", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**os.environ, **(env or {})},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process has gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_error_is_red_in_a_terminal_and_plain_elsewhere(rota: Path) -> None:
    shown = _stderr_in_a_terminal(rota, "withdraw", "2027-01-22")
    assert "\x1b[1;31merror:\x1b[0m " in shown
    assert "\x1b[" not in _stderr_in_a_terminal(rota, "withdraw", "2027-01-22", env={"NO_COLOR": "1"})
    piped = lunchlearn("withdraw", "2027-01-22", cwd=rota)
    assert piped.stderr.startswith("error: ") and "\x1b[" not in piped.stderr


def test_warning_is_yellow_in_a_terminal(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    git(team["ann"], "switch", "-q", "-c", "feature")
    shown = _stderr_in_a_terminal(team["ann"], "signup", "2027-01-29", "--name", "Ann")
    assert "\x1b[1;33mwarning:\x1b[0m not shared yet" in shown
