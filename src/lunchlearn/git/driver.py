"""Registering the rota's merge driver in a clone: the one place it happens."""

from __future__ import annotations

import shlex
import shutil
import sys
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn.errors import LunchlearnError
from lunchlearn.rota.model import MERGE_DRIVER

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo

DRIVER_CONFIG_KEY = f"merge.{MERGE_DRIVER}.driver"  # the clone's git configuration naming the driver's command


def ensure_merge_driver(root: Path) -> None:
    """The one place that registers the rota's merge driver: the first lunchlearn command run in a
    clone, even a reading one, does it, so that a plain `git pull` merges schedule.yaml by meaning.

    Checking costs one `git config` call, none while the clone's config file is unchanged since the
    driver was last found there; git itself is loaded only to register the driver, when the clone has
    none or its command names a program this user cannot run (a removed virtualenv, another user's
    Python in a shared clone). Nothing here may fail a command: the driver only helps `git pull`.
    """
    from lunchlearn.git import readcache

    config = _local_config(root)
    known = readcache.remembered(root, "merge-driver", config) if config else None
    if known is not None and shutil.which(known) is not None:
        return
    import subprocess

    try:
        found = subprocess.run(
            ["git", "-C", str(root), "config", "--local", "--get", DRIVER_CONFIG_KEY],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return  # no git on this machine: nothing to register with
    if found.returncode not in (0, 1):  # 128: not a git repository
        return
    if found.returncode == 0:
        try:
            program = shlex.split(found.stdout)[0]
        except (ValueError, IndexError):
            return  # a command someone wrote by hand: theirs to keep
        if shutil.which(program) is not None:  # an executable file this user may run; never raises
            if config:
                readcache.remember(root, "merge-driver", config, program)
            return
    from lunchlearn.git.repo import GitRepo

    with suppress(LunchlearnError):
        register_merge_driver(GitRepo.open(root))


def _local_config(root: Path) -> Path | None:
    """The file `git config --local` reads: the clone's own config, shared by its linked worktrees."""
    from lunchlearn.git.statedir import git_dir

    found = git_dir(root)
    if found is None:
        return None
    try:
        common = (found / "commondir").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return found / "config"
    return (found / common).resolve() / "config"


def register_merge_driver(git: GitRepo) -> None:
    """Point this clone's `merge.lunchlearn.driver` at this lunchlearn."""
    import git as gitpython

    command = f"{shlex.quote(sys.executable)} -m lunchlearn merge-driver -- %O %A %B %P"
    try:
        git.repo.git.config(f"merge.{MERGE_DRIVER}.name", "lunchlearn: merge the rota's shared files by meaning")
        git.repo.git.config(DRIVER_CONFIG_KEY, command)
    except gitpython.GitCommandError:
        pass  # a read-only or locked config: the rota still merges as text, sync merges by meaning
