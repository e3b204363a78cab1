"""git's objects without the work tree: tree entries, blobs, 3-way text merges, commits built from trees."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn import storage
from lunchlearn.rota import model

if TYPE_CHECKING:
    from lunchlearn.git.repo import CommitInfo, GitRepo

SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"  # a submodule's commit


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    sha: str


def entry_at(git: GitRepo, commit: str, path: str) -> TreeEntry | None:
    """The file or submodule at this top-relative path in `commit`; None when there is none."""
    output = str(git.repo.git.ls_tree("-z", commit, "--", path))
    if not output.strip("\0"):
        return None
    info, _ = output.split("\t", 1)
    mode, kind, sha = info.split(" ")
    return TreeEntry(mode, sha) if kind in ("blob", "commit") else None


def files_under(git: GitRepo, commit: str, folder: str) -> list[str]:
    """Top-relative paths of the files under `folder` (top-relative) in `commit`."""
    output = str(git.repo.git.ls_tree("-r", "-z", "--name-only", commit, "--", folder))
    return [path for path in output.split("\0") if path]


def tree_changes(git: GitRepo, old: str, new: str) -> dict[str, TreeEntry | None]:
    """Top-relative paths that differ from `old` to `new`, with their entry in `new` (None: gone)."""
    output = str(git.repo.git.diff_tree("-r", "-z", "--no-renames", old, new, strip_newline_in_stdout=False))
    fields = output.split("\0")
    changes: dict[str, TreeEntry | None] = {}
    for header, path in zip(fields[0::2], fields[1::2], strict=False):
        if not header.startswith(":"):
            continue
        _, mode, _, sha, status = header[1:].split(" ")
        changes[path] = None if status == "D" else TreeEntry(mode, sha)
    return changes


def blob(git: GitRepo, sha: str) -> bytes:
    data = git.repo.git.cat_file("blob", sha, stdout_as_string=False, strip_newline_in_stdout=False)
    return bytes(data)


def store_blob(git: GitRepo, data: bytes) -> str:
    with _scratch_file(git, data) as path:
        return str(git.repo.git.hash_object("-w", "--", str(path))).strip()


def merge_text(git: GitRepo, base: bytes, ours: bytes, theirs: bytes, ours_wins: bool = False) -> bytes | None:
    """git's 3-way text merge; None when the sides conflict, unless `ours_wins` a conflicting hunk."""
    import git as gitpython

    with _scratch_file(git, ours) as o, _scratch_file(git, base) as b, _scratch_file(git, theirs) as t:
        try:
            merged = git.repo.git.merge_file(
                "-p", "--quiet", *(["--ours"] if ours_wins else []), "--", str(o), str(b), str(t),
                stdout_as_string=False, strip_newline_in_stdout=False,
            )
        except gitpython.GitCommandError:
            return None
    return bytes(merged)


@contextmanager
def _scratch_file(git: GitRepo, data: bytes) -> Iterator[Path]:
    import tempfile

    git.state_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".lunchlearn-", suffix=".tmp", dir=git.state_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def commit_tree(git: GitRepo, parent: str, changes: Mapping[str, TreeEntry | None], info: CommitInfo) -> str:
    """A new commit on `parent` with these top-relative entries changed; `parent` itself when none did."""
    index = git.state_dir / ".lunchlearn-replay.index"  # a leftover, its lock too, goes with recovery's
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        git.repo.git.read_tree(parent, env=env)
        added = [
            item
            for path, entry in changes.items()
            if entry is not None
            for item in ("--cacheinfo", f"{entry.mode},{entry.sha},{path}")
        ]
        removed = [p for p, e in changes.items() if e is None]
        if added:
            git.repo.git.update_index("--add", *added, env=env)
        if removed:
            git.repo.git.update_index("--force-remove", "--", *removed, env=env)
        tree = str(git.repo.git.write_tree(env=env)).strip()
    finally:
        index.unlink(missing_ok=True)
    if tree == str(git.repo.git.rev_parse(f"{parent}^{{tree}}")).strip():
        return parent
    author = {
        "GIT_AUTHOR_NAME": info.author_name,
        "GIT_AUTHOR_EMAIL": info.author_email,
        "GIT_AUTHOR_DATE": info.author_date,
    }
    return str(git.repo.git.commit_tree(tree, "-p", parent, "-m", info.message, env=author)).strip()


def export_rota(git: GitRepo, commit: str, folder: Path) -> Path:
    """The rota folder's schedule and articles as `commit` has them, written under `folder`."""
    import io
    import tarfile

    wanted = [git.relative(p) for p in (model.SCHEDULE, model.TALKS_DIR)]
    present = [p for p in wanted if str(git.repo.git.ls_tree(commit, "--", p)).strip()]
    if present:
        archive = git.repo.git.archive("--format=tar", commit, "--", *present, stdout_as_string=False)
        with tarfile.open(fileobj=io.BytesIO(bytes(archive))) as tar:
            for member in tar:
                data = tar.extractfile(member) if member.isfile() else None  # links stay out
                if data is not None:
                    target = storage.safe_path(folder, member.name)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data.read())
    return folder / git.root.relative_to(git.top)
