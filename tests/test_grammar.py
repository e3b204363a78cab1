"""One grammar for every command: DATE or --date, --repo/-R on either side, -h, completion, grouped help."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import commits, lunchlearn, lunchlearn_process, make_rota

TALK = {"date": "2027-01-15", "presenter": "Test User", "topic": "Forms"}


@pytest.fixture
def booked(tmp_path: Path) -> Path:
    return make_rota(tmp_path / "rota", talks=[TALK])


@pytest.mark.parametrize("spelling", [["2027-01-22"], ["--date", "2027-01-22"]])
def test_signup_takes_its_date_either_way(rota: Path, spelling: list[str]) -> None:
    result = lunchlearn("signup", *spelling, "--topic", "Queues", cwd=rota)
    assert result.exit_code == 0, result.stderr
    assert commits(rota)[0].startswith("Sign up Test User for Fri 22 Jan 2027")


@pytest.mark.parametrize("spelling", [["2027-01-15"], ["--date", "2027-01-15"]])
def test_withdraw_takes_its_date_either_way(booked: Path, spelling: list[str]) -> None:
    result = lunchlearn("withdraw", *spelling, cwd=booked)
    assert result.exit_code == 0, result.stderr
    assert commits(booked)[0].startswith("Withdraw")


@pytest.mark.parametrize("command", ["write", "ready", "save", "publish"])
def test_every_talk_command_accepts_the_date_option(booked: Path, command: str) -> None:
    """`--date` reaches the use case: an unknown date is refused by the rota, not by the parser."""
    result = lunchlearn(command, "--date", "2027-02-05", "--dry-run", cwd=booked)
    assert "No such option" not in result.stderr
    positional = lunchlearn(command, "2027-02-05", "--dry-run", cwd=booked)
    assert (positional.exit_code, positional.stderr) == (result.exit_code, result.stderr)


def test_two_different_dates_are_bad_input(booked: Path) -> None:
    result = lunchlearn("withdraw", "2027-01-15", "--date", "2027-01-22", cwd=booked)
    assert result.exit_code == 2
    assert result.stderr == "error: two dates given (2027-01-15 and --date 2027-01-22); give one\n"
    assert commits(booked) == ["Test rota"]


def test_a_bad_date_is_one_line_of_bad_input(booked: Path) -> None:
    result = lunchlearn("withdraw", "15/01/2027", cwd=booked)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Invalid value for '[DATE]'") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("option", ["--repo", "-R"])
def test_repo_goes_before_or_after_the_command(booked: Path, tmp_path: Path, option: str) -> None:
    after = lunchlearn("schedule", option, str(booked), "--json", cwd=tmp_path)
    before = lunchlearn(option, str(booked), "schedule", "--json", cwd=tmp_path)
    assert after.exit_code == before.exit_code == 0, after.stderr
    assert after.stdout == before.stdout and '"presenter": "Test User"' in after.stdout


def test_repo_after_the_command_wins_over_the_environment(booked: Path, tmp_path: Path) -> None:
    result = lunchlearn("next", "-R", str(booked), cwd=tmp_path, env={"LUNCHLEARN_REPO": str(tmp_path)})
    assert result.exit_code == 0, result.stderr


def test_short_help_and_bare_command(tmp_path: Path) -> None:
    short, long = lunchlearn("signup", "-h", cwd=tmp_path), lunchlearn("signup", "--help", cwd=tmp_path)
    assert short.exit_code == 0 and short.stdout == long.stdout
    bare = lunchlearn(cwd=tmp_path)
    assert bare.exit_code == 0
    assert "COMMAND [ARGS]" in bare.stdout and "The rota" in bare.stdout and bare.stderr == ""


PANELS = {
    "The rota": ["next", "schedule", "slots", "check", "skip", "unskip", "stats", "remind", "announce"],
    "Your talk and article": ["signup", "withdraw", "move", "swap", "topic", "write", "save", "ready", "confirm"],
    "The site": ["publish", "calendar"],
    "The team": ["suggest", "init", "sync", "standby", "feedback", "ideas"],
}


def test_piped_help_lists_every_command_under_its_panel(tmp_path: Path) -> None:
    shown = lunchlearn("--help", cwd=tmp_path).stdout
    headings = [line.removesuffix(":") for line in shown.splitlines() if line and not line.startswith(" ")]
    assert headings[-len(PANELS):] == list(PANELS), shown
    sections = re.split(r"^(?:The rota|Your talk and article|The site|The team):$", shown, flags=re.MULTILINE)[1:]
    for commands, section in zip(PANELS.values(), sections, strict=True):
        listed = [line.split()[0] for line in section.splitlines() if re.match(r"  \S", line)]
        assert listed == commands, section
    assert "\x1b" not in shown and "╭" not in shown


def test_piped_help_sums_up_each_command_as_its_own_help_begins(tmp_path: Path) -> None:
    shown = lunchlearn_process("--help", cwd=tmp_path).stdout  # lists the commands without building them
    summaries: dict[str, str] = {}
    for line in shown.split("\n\n", 3)[-1].splitlines():
        if re.match(r"  \S", line):
            name, _, summary = line.strip().partition(" ")
            summaries[name] = summary.strip()
        elif line.startswith("    "):
            summaries[name] += " " + line.strip()
    assert sorted(summaries) == sorted(command for commands in PANELS.values() for command in commands)
    for command, summary in summaries.items():
        description = lunchlearn(command, "--help", cwd=tmp_path).stdout.split("\n\n")[1]
        assert summary and " ".join(description.split()).startswith(summary), command


def test_piped_help_loads_no_rich(tmp_path: Path) -> None:
    probe = (
        "import sys\nfrom lunchlearn.cli import main\n"
        "sys.argv = ['lunchlearn', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "print('rich:', sorted(m for m in sys.modules if m == 'rich' or m.startswith(('rich.', 'typer.rich'))))\n"
    )
    for args in (["--help"], ["signup", "--help"], ["ideas", "list", "--help"]):
        result = subprocess.run([sys.executable, "-c", probe, *args], cwd=tmp_path, capture_output=True, text=True,
                                check=False, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "Usage: lunchlearn" in result.stdout and result.stdout.strip().endswith("rich: []"), result.stdout


def test_a_mistyped_command_suggests_a_close_one(tmp_path: Path) -> None:
    for args, suggestion in ((["sigup"], "Did you mean 'signup'"), (["ideas", "lst"], "Did you mean 'list'"),
                             (["idea"], "Did you mean 'ideas'")):
        result = lunchlearn_process(*args, cwd=tmp_path)
        assert result.returncode == 2 and suggestion in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1


def test_dates_show_as_yyyy_mm_dd_in_help(tmp_path: Path) -> None:
    shown = lunchlearn("withdraw", "--help", cwd=tmp_path).stdout
    assert "YYYY-MM-DD" in shown and "TEXT" not in shown


def _complete(cwd: Path, words: str, dialect: str = "bash") -> list[str]:
    """What the shell would offer after `words`, asked the way the installed completion script asks."""
    env = {**os.environ, "_LUNCHLEARN_COMPLETE": f"complete_{dialect}"}
    if dialect == "bash":
        env |= {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": words, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    script = "import sys\nfrom lunchlearn.cli import main\nsys.argv[0] = 'lunchlearn'\nmain()\n"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=60
    )
    return done.stdout.split()


def test_completion_offers_commands_and_options(booked: Path) -> None:
    assert "withdraw" in _complete(booked, "lunchlearn wi")
    assert "--short-notice" in _complete(booked, "lunchlearn signup --sh")


def test_completion_offers_booked_dates_for_a_talk_and_open_dates_for_signup(booked: Path) -> None:
    assert _complete(booked, "lunchlearn withdraw ") == ["2027-01-15"]
    offered = _complete(booked, "lunchlearn signup --date 2027-01")
    assert "2027-01-22" in offered and "2027-01-15" not in offered


def test_completion_follows_repo_before_the_command(booked: Path, tmp_path: Path) -> None:
    assert _complete(tmp_path, f"lunchlearn -R {booked} withdraw ", dialect="fish")[0] == "2027-01-15"


def test_completion_scripts_for_each_shell(tmp_path: Path) -> None:
    """`--show-completion` detects the shell it runs in; each shell's script calls lunchlearn back."""
    in_bash = subprocess.run(
        # Two commands, so bash forks rather than execs and stays lunchlearn's parent, whoever ran pytest.
        ["bash", "-c", f"{sys.executable} -m lunchlearn --show-completion; exit $?"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=60,
    )
    assert in_bash.returncode == 0 and "complete -o default -F _lunchlearn_completion lunchlearn" in in_bash.stdout
    expected = {"zsh": "#compdef lunchlearn", "fish": "complete --command lunchlearn"}
    for shell, start in expected.items():  # named explicitly, as Typer lets a test do without that shell
        done = subprocess.run(
            [sys.executable, "-m", "lunchlearn", "--show-completion", shell],
            cwd=tmp_path, capture_output=True, text=True, check=False, timeout=60,
            env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
        )
        assert done.returncode == 0 and start in done.stdout and "_LUNCHLEARN_COMPLETE" in done.stdout, done.stderr
