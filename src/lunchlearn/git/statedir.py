"""Where lunchlearn keeps its own state in a clone: `<git dir>/lunchlearn/`, found without running git.

Reading commands use it to learn, with a stat or two, whether a killed writer left a journal.
"""

from __future__ import annotations

from pathlib import Path

STATE_FOLDER = "lunchlearn"
JOURNAL = "journal.json"


def git_dir(root: Path) -> Path | None:
    """The git dir of the work tree holding `root`: the nearest `.git` folder, or where a `.git` file points."""
    here = root.resolve()
    for folder in (here, *here.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a linked worktree or submodule: `gitdir: PATH`
            try:
                line = dot_git.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            if not line.startswith("gitdir:"):
                return None
            return (folder / line.removeprefix("gitdir:").strip()).resolve()
    return None


def rebasing(root: Path) -> bool:
    """Whether git is rebasing the work tree holding `root` (where "ours" is the branch rebased onto)."""
    found = git_dir(root)
    return found is not None and any((found / state).is_dir() for state in ("rebase-merge", "rebase-apply"))


def journal_path(root: Path) -> Path | None:
    """Where a writer on the clone holding `root` keeps its journal; None outside a git work tree."""
    found = git_dir(root)
    return None if found is None else found / STATE_FOLDER / JOURNAL
