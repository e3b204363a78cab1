"""The standby list: joining and leaving, sharing it, and the commands that name whom to ask."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lunchlearn import storage
from lunchlearn.rota import model
from tests.helpers import changed_paths, clean_clone, commits, git, lunchlearn, make_rota, make_team, remote_rota


def on_standby(root: Path) -> tuple[str, ...]:
    return storage.read_rota(root).standby


def test_standby_joins_as_the_git_user_in_one_commit_of_the_rota(rota: Path) -> None:
    result = lunchlearn("standby", cwd=rota)

    assert result.exit_code == 0, result.stderr
    assert "Added Test User to the standby list" in result.stdout
    assert on_standby(rota) == ("Test User",)
    assert commits(rota)[0] == "Add Test User to the standby list"
    assert changed_paths(rota) == ["schedule.yaml"]
    assert clean_clone(rota)


def test_joining_twice_or_leaving_when_not_on_it_changes_nothing(rota: Path) -> None:
    assert lunchlearn("standby", "--name", "Ana Lopez", cwd=rota).exit_code == 0
    before = commits(rota)

    again = lunchlearn("standby", "--name", "ana  lopez", cwd=rota)
    absent = lunchlearn("standby", "--leave", "--name", "Bo", cwd=rota)

    assert again.exit_code == 0 and "Ana Lopez is already on the standby list; nothing changed" in again.stdout
    assert absent.exit_code == 0 and "Bo is not on the standby list; nothing changed" in absent.stdout
    assert commits(rota) == before
    assert on_standby(rota) == ("Ana Lopez",)


def test_leaving_takes_the_person_off_however_the_name_is_typed(rota: Path) -> None:
    for name in ("Ana Lopez", "Bo"):
        assert lunchlearn("standby", "--name", name, cwd=rota).exit_code == 0

    result = lunchlearn("standby", "--leave", "--name", "ANA LOPEZ", cwd=rota)

    assert result.exit_code == 0, result.stderr
    assert on_standby(rota) == ("Bo",)
    assert commits(rota)[0] == "Take Ana Lopez off the standby list"
    assert changed_paths(rota) == ["schedule.yaml"]


def test_standby_list_in_text_and_json(rota: Path) -> None:
    assert "nobody is on standby" in lunchlearn("standby", "--list", cwd=rota).stderr
    for name in ("Ana Lopez", "Bo"):
        assert lunchlearn("standby", "--name", name, cwd=rota).exit_code == 0

    assert lunchlearn("standby", "--list", cwd=rota).stdout.splitlines() == ["Ana Lopez", "Bo"]
    listed = json.loads(lunchlearn("standby", "--list", "--json", cwd=rota).stdout)
    assert listed == [{"name": "Ana Lopez"}, {"name": "Bo"}]


@pytest.mark.parametrize("args", [["--list", "--leave"], ["--json"], ["--list", "--name", "Bo"]])
def test_standby_options_that_do_not_go_together_are_bad_input(rota: Path, args: list[str]) -> None:
    result = lunchlearn("standby", *args, cwd=rota)
    assert result.exit_code == 2 and result.stderr.startswith("error: ")


def test_standby_list_does_not_import_git(rota: Path) -> None:
    probe = (
        "import sys\nfrom lunchlearn.cli import app\n"
        "try:\n    app(['standby', '--list', '--json'], prog_name='lunchlearn')\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "print('heavy:', sorted(m for m in ('git', 'rich', 'icalendar') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=rota, capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("heavy: []")


@pytest.mark.parametrize(
    ("section", "bad", "message"),
    [
        ("standby", "- Ana Lopez\n- ana lopez\n", "listed twice under standby"),
        ("people", "- Ana Lopez\n- ''\n", "empty"),
    ],
)
def test_a_hand_edited_bad_list_is_reported_and_stops_writes(
    rota: Path, section: str, bad: str, message: str
) -> None:
    path = rota / model.SCHEDULE
    text = path.read_text(encoding="utf-8").replace("skipped: []\n", f"{section}:\n{bad}skipped: []\n")
    path.write_text(text, encoding="utf-8")
    git(rota, "commit", "-qam", "Hand edit")
    line = text.splitlines().index(f"{section}:") + 3  # the second name

    checked = lunchlearn("check", cwd=rota)
    joined = lunchlearn("standby", "--name", "Bo", cwd=rota)

    assert checked.exit_code == 1
    assert f"schedule.yaml:{line}:3: " in checked.stdout and message in checked.stdout
    assert joined.exit_code == 2
    assert f"schedule.yaml:{line}:3: " in joined.stderr and "\n" not in joined.stderr.strip()
    assert path.read_text(encoding="utf-8") == text
    assert commits(rota)[0] == "Hand edit" and clean_clone(rota)


def test_standby_joins_from_two_clones_are_both_kept(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert lunchlearn("standby", "--name", "Bob", "--no-sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn("standby", "--name", "Ann", cwd=team["ann"]).exit_code == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0, result.stderr
    assert set(remote_rota(team["origin"]).standby) == {"Ann", "Bob"}
    assert set(on_standby(team["bob"])) == {"Ann", "Bob"}


def test_the_same_person_joining_from_two_clones_is_there_once(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert lunchlearn("standby", "--name", "Cy", "--no-sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn("standby", "--name", "Cy", cwd=team["ann"]).exit_code == 0

    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0

    assert remote_rota(team["origin"]).standby == ("Cy",)


@pytest.fixture
def standby_rota(tmp_path: Path) -> Path:
    """Ray presents on 18 Dec, Sam on 8 Jan; Ray, Ana and Sam are on standby; one upcoming talk each at most."""
    root = make_rota(
        tmp_path / "rota",
        talks=[
            {"date": "2026-12-18", "presenter": "Ray Patel"},
            {"date": "2027-01-08", "presenter": "Sam"},
        ],
    )
    path = root / model.SCHEDULE
    standby = "standby:\n- Ray Patel\n- Ana Lopez\n- Sam\n"
    text = path.read_text(encoding="utf-8").replace("skipped: []\n", f"{standby}skipped: []\n")
    path.write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "Standby")
    return root


def test_withdraw_names_the_standby_people_to_ask(standby_rota: Path) -> None:
    result = lunchlearn("withdraw", "2026-12-18", cwd=standby_rota)

    assert result.exit_code == 0, result.stderr
    # Not Ray, who just left it; not Sam, who already holds the one upcoming slot allowed.
    assert "Ask someone on standby to take Fri 18 Dec 2026: Ana Lopez\n" in result.stdout


def test_withdraw_json_names_the_standby_people_to_ask(standby_rota: Path) -> None:
    result = lunchlearn("withdraw", "2026-12-18", "--json", cwd=standby_rota)

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["freed"] == "2026-12-18" and data["standby_to_ask"] == ["Ana Lopez"]


def test_move_names_the_standby_people_to_ask_for_the_date_left_open(standby_rota: Path) -> None:
    text = lunchlearn("move", "2026-12-18", "2027-01-15", cwd=standby_rota)
    result = lunchlearn("move", "2027-01-15", "2027-01-22", "--json", cwd=standby_rota)

    assert text.exit_code == 0, text.stderr
    assert "Ask someone on standby to take Fri 18 Dec 2026: Ana Lopez\n" in text.stdout
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["freed"] == "2027-01-15" and data["standby_to_ask"] == ["Ana Lopez"]


@pytest.fixture
def open_soon(standby_rota: Path) -> Path:
    """`standby_rota` with 18 Dec left open, inside the next two weeks from 5 Dec."""
    assert lunchlearn("withdraw", "2026-12-18", cwd=standby_rota).exit_code == 0
    return standby_rota


SOON = {"LUNCHLEARN_TODAY": "2026-12-05"}


def test_remind_lists_the_standby_people_for_open_dates_in_the_next_two_weeks(open_soon: Path) -> None:
    result = lunchlearn("remind", "--days", "3", cwd=open_soon, env=SOON)  # two weeks, whatever --days says

    assert "On standby for the open dates in the next 14 days:" in result.stdout
    assert "- Fri 11 Dec 2026: ask Ray Patel, Ana Lopez" in result.stdout
    assert "- Fri 18 Dec 2026: ask Ray Patel, Ana Lopez" in result.stdout
    assert "25 Dec" not in result.stdout.split("On standby")[1]


def test_remind_lists_the_standby_people_in_markdown_and_json(open_soon: Path) -> None:
    markdown = lunchlearn("remind", "--format", "markdown", cwd=open_soon, env=SOON).stdout
    data = json.loads(lunchlearn("remind", "--json", cwd=open_soon, env=SOON).stdout)

    assert "- Fri 18 Dec 2026: ask Ray Patel, Ana Lopez" in markdown
    assert {"date": "2026-12-18", "ask": ["Ray Patel", "Ana Lopez"]} in data["standby"]


def test_remind_emails_the_standby_people_to_the_announcement_list(open_soon: Path) -> None:
    path = open_soon / model.SCHEDULE
    text = path.read_text(encoding="utf-8").replace("settings:\n", "settings:\n  announce_to: all@example.com\n")
    path.write_text(text, encoding="utf-8")
    git(open_soon, "commit", "-qam", "Announce to everyone")

    result = lunchlearn("remind", "--format", "email", cwd=open_soon, env=SOON)

    messages = [email.message_from_string("From " + m) for m in result.stdout.split("\nFrom ") if m.strip()]
    to_list = [m for m in messages if "all@example.com" in m["To"]]
    assert len(to_list) == 1
    body = to_list[0].get_payload(decode=True).decode("utf-8")
    assert "Fri 18 Dec 2026: ask Ray Patel, Ana Lopez" in body


def test_standby_commits_only_the_rota_and_leaves_staged_work_alone(rota: Path) -> None:
    (rota / "notes.txt").write_text("mine\n", encoding="utf-8")
    git(rota, "add", "notes.txt")

    assert lunchlearn("standby", "--name", "Ana", cwd=rota).exit_code == 0

    assert changed_paths(rota) == ["schedule.yaml"]
    assert git(rota, "diff", "--cached", "--name-only") == "notes.txt"


def test_withdrawing_a_talk_on_a_skipped_date_asks_nobody_to_take_it(tmp_path: Path) -> None:
    root = make_rota(
        tmp_path / "rota",
        talks=[{"date": "2026-12-18", "presenter": "Ray Patel"}],
        skipped=[{"date": "2026-12-18", "reason": "Office move"}],
    )
    path = root / model.SCHEDULE
    path.write_text(path.read_text(encoding="utf-8") + "standby:\n- Ana Lopez\n", encoding="utf-8")
    git(root, "commit", "-qam", "Standby")

    result = lunchlearn("withdraw", "2026-12-18", "--json", cwd=root)

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["standby_to_ask"] == []
