"""git's failures in words that say what to do: the one place that reads git's error output."""

from __future__ import annotations

import os
import re
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import git


def reason(error: git.GitCommandError) -> str:
    """Why git refused to change the repository, in words that say what to do."""
    text = git_output(error)
    if "tell me who you are" in text or "empty ident" in text:
        return "git has no identity here; set it with `git config user.name` and `git config user.email`"
    held = held_lock(text)
    if held:
        return (
            f"another git command is using this repository ({held} exists); wait for it "
            "to finish, or delete that file if no git is running"
        )
    if isinstance(error.status, int) and error.status < 0:  # killed by a signal
        return f"git was stopped: {signal.strsignal(-error.status) or -error.status}"
    return failure_line(error) or f"git exited with status {error.status} (a hook refused it?)"


def why(error: BaseException) -> str:
    """A failure in a few words: git's reason, the system's, or lunchlearn's own message."""
    import git

    if isinstance(error, git.GitCommandError):
        return reason(error)
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def git_output(error: git.GitCommandError) -> str:
    """What git wrote, unwrapped from GitPython's `stderr: '...'`."""
    return str(error.stderr or error.stdout or "").strip().removeprefix("stderr:").strip().strip("'")


def failure_line(error: git.GitCommandError) -> str:
    """git's reason for failing: its `fatal:` or `error:` line when it wrote one, else its last line."""
    lines = [line.strip() for line in git_output(error).splitlines() if line.strip()]
    meaningful = [line for line in lines if line.startswith(("fatal:", "error:"))]
    if meaningful:
        return meaningful[0].split(":", 1)[1].strip()
    return lines[-1] if lines else ""


def held_lock(reason: str) -> str | None:
    """The lock file named by git's `Unable to create '....lock': File exists`, tidied; else None."""
    found = re.search(r"Unable to create '([^']+\.lock)': File exists", reason)
    return os.path.normpath(found.group(1)) if found else None
