"""Every command is documented in the README and has help with an example (after sqlite-utils' test_docs)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from lunchlearn.cli import app
from tests.helpers import lunchlearn

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(
    name for name, command in typer.main.get_group(app).commands.items() if not command.hidden
)


def test_there_are_commands() -> None:
    assert {"init", "signup", "withdraw", "next", "schedule", "slots"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_documented_in_the_readme(command: str) -> None:
    assert f"### `lunchlearn {command}" in README


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_has_an_example(command: str) -> None:
    result = lunchlearn(command, "--help")
    assert result.exit_code == 0
    assert f"Example: lunchlearn {command}" in result.stdout
