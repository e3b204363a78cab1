"""Every command is documented in the README and has help with an example (after sqlite-utils' test_docs)."""

from __future__ import annotations

import re
import shlex
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from lunchlearn.cli import app
from tests.helpers import lunchlearn, make_rota

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
def _command_names(group: TyperGroup, prefix: str = "") -> list[str]:
    """Every visible command, and every command of a group of commands as `group sub`."""
    names = []
    for name, command in group.commands.items():
        if command.hidden:
            continue
        names.append(f"{prefix}{name}")
        if isinstance(command, TyperGroup):
            names += _command_names(command, f"{prefix}{name} ")
    return names


COMMANDS = sorted(_command_names(typer.main.get_group(app)))


def test_there_are_commands() -> None:
    assert {"init", "signup", "withdraw", "next", "schedule", "slots"} <= set(COMMANDS)
    assert {"ideas", "ideas add", "ideas list", "ideas vote", "ideas drop"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_documented_in_the_readme(command: str) -> None:
    assert f"### `lunchlearn {command}" in README


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_has_examples(command: str) -> None:
    result = lunchlearn(*command.split(), "--help")
    assert result.exit_code == 0
    examples = result.stdout.split("Examples:", 1)[1].split("╭", 1)[0]
    invocations = [line.strip() for line in examples.splitlines() if f"lunchlearn {command}" in line]
    assert len(invocations) >= 2, result.stdout


@pytest.mark.parametrize("command", [command for command in COMMANDS if command != "feedback"])
def test_dates_in_help_examples_are_never_in_the_past(command: str) -> None:
    """Feedback's examples name a talk that happened, as feedback needs (tested below)."""
    from tests.helpers import TODAY

    help_text = lunchlearn(*command.split(), "--help").stdout
    dates = re.findall(r"\b\d{4}-\d{2}-\d{2}\b", help_text)
    assert all(date.fromisoformat(day) > TODAY for day in dates), dates


def test_no_command_in_the_readme_names_a_date_that_will_pass() -> None:
    blocks = re.findall(r"```(?:sh|console)\n(.*?)```", README, re.DOTALL)
    commands = [
        line.removeprefix("$ ") for block in blocks for line in block.splitlines()
        if line.removeprefix("$ ").startswith("lunchlearn")
    ]
    assert commands
    assert [command for command in commands if re.search(r"\d{4}-\d{2}-\d{2}", command)] == []


def _examples_naming_a_date(command: str, cwd: Path | None = None) -> list[list[str]]:
    help_text = lunchlearn(command, "--help", cwd=cwd).stdout
    examples = help_text.split("Examples:", 1)[1].split("╭", 1)[0]
    return [
        shlex.split(line.strip())[1:] for line in examples.splitlines()
        if line.strip().startswith(f"lunchlearn {command}") and re.search(r"\d{4}-\d{2}-\d{2}", line)
    ]


def _presenter_for(words: list[str]) -> str:
    """Whose talk the example needs: confirming is for your own (or --name's); feedback is on another's."""
    if words[0] == "feedback":
        return "Ann Lee"
    return words[words.index("--name") + 1] if "--name" in words else "Test User"


@pytest.mark.parametrize("command", ["feedback", "confirm"])
def test_help_examples_of_feedback_and_confirm_name_a_date_they_accept(command: str, tmp_path: Path) -> None:
    """Feedback is for a talk that happened and confirming for one in the coming week: an example
    weeks ahead would be refused on every day."""
    examples = _examples_naming_a_date(command)
    assert examples
    for number, words in enumerate(examples):
        day = next(word for word in words if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word))
        talk = {"date": day, "presenter": _presenter_for(words)}
        rota = make_rota(tmp_path / str(number), talks=[talk])

        result = lunchlearn("--repo", str(rota), *words)

        assert result.exit_code == 0, (words, result.stderr)


def test_help_examples_follow_the_programmes_weekday(tmp_path: Path) -> None:
    """A team that meets on Thursdays copies a sign-up example from the help, in its rota, and it works."""
    rota = tmp_path / "rota"
    assert lunchlearn("init", str(rota), "--weekday", "thursday").exit_code == 0
    example = _examples_naming_a_date("signup", cwd=rota)[0]

    result = lunchlearn(*example, cwd=rota)

    assert result.exit_code == 0, (example, result.stderr)
    assert "Thu " in result.stdout
