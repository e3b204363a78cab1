"""Every command is documented in the README and has help with an example (after sqlite-utils' test_docs)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from lunchlearn.cli import app
from tests.helpers import lunchlearn

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


@pytest.mark.parametrize("command", COMMANDS)
def test_dates_in_help_examples_are_never_in_the_past(command: str) -> None:
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
