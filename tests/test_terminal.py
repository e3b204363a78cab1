"""Output as a person sees it: a real pseudo-terminal at 60 and 120 columns, and piped."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import sys
import termios
import unicodedata
from pathlib import Path

import pytest

from tests.helpers import git, lunchlearn, make_rota, make_team

LONG_TOPIC = "An extraordinarily long topic about the history of typography in the age of machines"
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def in_terminal(cwd: Path, *args: str, columns: int, env: dict[str, str] | None = None) -> str:
    """Everything lunchlearn writes to a terminal `columns` wide (stdout and stderr), escapes kept."""
    pid, leader = pty.fork()
    if pid == 0:  # the child: a terminal of the given width, then lunchlearn; never back into pytest
        try:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
            os.chdir(cwd)
            environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
            os.execve(sys.executable, [sys.executable, "-m", "lunchlearn", *args], environment | (env or {}))  # noqa: S606
        finally:
            os._exit(127)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def plain(text: str) -> str:
    return ESCAPES.sub("", text)


@pytest.fixture
def crowded(tmp_path: Path) -> Path:
    return make_rota(
        tmp_path / "rota",
        talks=[
            {"date": "2026-12-04", "presenter": "Bartholomew Featherstonehaugh-Smythe", "topic": LONG_TOPIC},
            {"date": "2026-12-18", "presenter": "Ray", "topic": "Colour"},
        ],
        skipped=[{"date": "2026-12-11", "reason": "Office party"}],
        settings={"title": "Friday lunch and learn", "time": "12:30", "room": "Canteen", "timezone": "Europe/London"},
    )


@pytest.mark.parametrize("columns", [60, 120])
def test_next_fits_the_terminal_without_splitting_words(crowded: Path, columns: int) -> None:
    shown = plain(in_terminal(crowded, "next", "--count", "5", columns=columns))
    lines = shown.splitlines()
    assert all(len(line.rstrip()) <= columns for line in lines), shown
    assert "…" in shown and LONG_TOPIC not in shown  # shortened, not folded onto a second line
    claims = [line.strip() for line in lines if "lunchlearn signup --date" in line]
    assert claims, shown
    for claim in claims:  # each copyable command whole on one line
        assert re.search(r"lunchlearn signup --date \d{4}-\d{2}-\d{2}( --short-notice)?", claim), shown
    assert "Fri 11 Dec 2026" in shown and "Office party" in shown


@pytest.mark.parametrize("columns", [60, 120])
def test_tables_show_the_programme_header(crowded: Path, columns: int) -> None:
    shown = " ".join(plain(in_terminal(crowded, "schedule", columns=columns)).split())
    assert "Friday lunch and learn · Fridays 12:30–13:15 (Europe/London) · Canteen" in shown


def test_piped_output_is_plain_and_whole(crowded: Path) -> None:
    result = lunchlearn("next", "--count", "5", cwd=crowded)
    assert "\x1b" not in result.stdout
    assert result.stdout.splitlines()[0] == "Friday lunch and learn · Fridays 12:30–13:15 (Europe/London) · Canteen"
    assert LONG_TOPIC in result.stdout and "lunchlearn signup --date 2027-01-01" in result.stdout


def _columns(text: str) -> int:
    """How many terminal columns `text` takes: two for a wide character or emoji, none for a combining mark."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_piped_tables_line_up_wide_characters_and_decomposed_accents(tmp_path: Path) -> None:
    """A name in Chinese, with an emoji or typed with a combining accent takes as many columns as it shows."""
    presenters = {
        "2026-12-18": "王小明",
        "2027-01-08": "Zoë 🎉",
        "2027-01-15": unicodedata.normalize("NFD", "José Müller"),
        "2027-01-22": "Bob",
    }
    talks = [{"date": day, "presenter": name, "topic": f"Topic {n}", "article": f"talks/{day}-topic-{n}.md"}
             for n, (day, name) in enumerate(presenters.items())]
    rota = make_rota(tmp_path / "rota", talks=talks)

    rows = lunchlearn("schedule", cwd=rota).stdout.splitlines()[1:]

    assert len(rows) == 4
    assert len({_columns(row[: row.index("Topic ")]) for row in rows}) == 1, rows


def test_help_in_a_terminal_is_drawn_by_rich_in_panels(tmp_path: Path) -> None:
    shown = plain(in_terminal(tmp_path, "--help", columns=100))
    panels = ("The rota", "Your talk and article", "The site", "The team")
    positions = [shown.index(f"╭─ {panel} ─") for panel in panels]
    assert positions == sorted(positions), shown
    assert "Examples:" in plain(in_terminal(tmp_path, "signup", "--help", columns=100))


@pytest.mark.parametrize("command", ["signup", "skip", "init", "feedback"])
def test_help_examples_stay_whole_in_a_narrow_terminal_so_they_can_be_copied(tmp_path: Path, command: str) -> None:
    """An example longer than the terminal is left for the terminal to wrap: a line break written into
    it would split the command when it is copied."""
    piped = lunchlearn(command, "--help", cwd=tmp_path).stdout
    examples = [line.strip() for line in piped.split("Examples:", 1)[1].splitlines() if "lunchlearn " in line]
    assert any(len(example) > 60 for example in examples)

    shown = plain(in_terminal(tmp_path, command, "--help", columns=60))

    assert [example for example in examples if example not in shown] == []
    assert shown.rstrip().splitlines()[-1].strip() == examples[-1], "the help ends with its examples"


def test_a_late_draft_stands_out_in_a_terminal(crowded: Path) -> None:
    """The talk in 6 days (inside the two-week notice) is still a draft; the one in 20 days is not late yet."""
    shown = in_terminal(crowded, "next", columns=120)
    late = next(line for line in shown.splitlines() if "Fri 4 Dec 2026" in line)
    calm = next(line for line in shown.splitlines() if "Fri 18 Dec 2026" in line)
    assert "\x1b[1;33m" in late and "\x1b[1;33m" not in calm


def test_a_past_unpublished_talk_stands_out(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota", talks=[{"date": "2026-11-20", "presenter": "Sam", "topic": "Forms"}])
    shown = in_terminal(root, "schedule", "--past", columns=120)
    assert "\x1b[1;33m" in next(line for line in shown.splitlines() if "Fri 20 Nov 2026" in line)


def test_a_slow_remote_shows_a_spinner_in_a_terminal_and_nothing_when_piped(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    slow = tmp_path / "slow-upload-pack"
    slow.write_text('#!/bin/sh\nsleep 1.5\nexec git-upload-pack "$@"\n', encoding="utf-8")
    slow.chmod(0o755)
    git(team["ann"], "config", "remote.origin.uploadpack", str(slow))

    shown = plain(in_terminal(team["ann"], "signup", "2027-01-29", "--name", "Ann", columns=80))
    assert "Fetching origin/main…" in shown and "Signed up Ann" in shown

    piped = lunchlearn("signup", "2027-02-05", "--name", "Bo", cwd=team["ann"])
    assert piped.exit_code == 0, piped.stderr
    assert "Fetching" not in piped.stderr and "Fetching" not in piped.stdout


@pytest.mark.parametrize("columns", [60, 120])
def test_ideas_list_fits_the_terminal(tmp_path: Path, columns: int) -> None:
    root = make_rota(tmp_path / "rota")
    added = lunchlearn("ideas", "add", LONG_TOPIC, "--by", "Bartholomew [b]Featherstonehaugh-Smythe",
                       "--tags", "typography,history,machines", cwd=root)
    assert added.exit_code == 0, added.stderr

    shown = plain(in_terminal(root, "ideas", "list", columns=columns))

    lines = shown.splitlines()
    assert all(len(line.rstrip()) <= columns for line in lines), shown
    assert "…" in shown and LONG_TOPIC not in shown  # shortened, not folded onto a second line
    assert len([line for line in lines if line.strip() and "─" not in line]) == 2, shown  # a line each
    assert columns < 120 or "Bartholomew [b]Feathers" in shown  # as typed, not taken for Rich markup


@pytest.mark.parametrize("command", ["stats", "schedule", "next"])
def test_names_and_titles_in_square_brackets_are_shown_as_typed_in_a_terminal(tmp_path: Path, command: str) -> None:
    rota = make_rota(
        tmp_path / "rota",
        talks=[{"date": "2026-11-27", "presenter": "Ann [/red] Lee", "article": "talks/2026-11-27-ann.md"},
               {"date": "2026-12-18", "presenter": "[b]Bo", "article": "talks/2026-12-18-bo.md"}],
        settings={"title": "Lunch [/b] learn"},
    )

    shown = plain(in_terminal(rota, command, *(["--past"] if command == "schedule" else []), columns=120))

    assert "Traceback" not in shown and "MarkupError" not in shown, shown
    assert "Lunch [/b] learn" in shown and ("Ann [/red] Lee" in shown or "[b]Bo" in shown), shown
