"""The only module that talks to git (through GitPython, imported lazily).

Writes go through `GitRepo.write_and_commit`: a journal of the files' old contents is saved under
.git/ first, so a failed commit, or a process killed half-way, leaves the clone exactly as before.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn import progress, store
from lunchlearn.errors import RepositoryError

if TYPE_CHECKING:
    import git

LOCK_TIMEOUT_SECONDS = 60
# How a remote reports that another push moved the branch while this one was being received.
_RACE_WORDS = ("failed to update ref", "cannot lock ref", "incorrect old value", "failed to lock")
SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"  # a submodule's commit
# How long recovery waits for a git lock file to vanish before taking it for one a killed git left.
STALE_LOCK_SECONDS = 2.0


class GitRepo:
    """A rota folder inside a git work tree (the rota may sit in a subfolder of the repository)."""

    def __init__(self, repo: git.Repo, root: Path) -> None:
        self.repo = repo
        self.root = root.resolve()
        self.top = Path(repo.working_tree_dir or root).resolve()
        self.state_dir = Path(repo.git_dir).resolve() / "lunchlearn"
        # Status and diff must never take git's index lock: a user's own git may be running.
        repo.git.update_environment(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")

    @classmethod
    def open(cls, root: Path) -> GitRepo:
        import git

        try:
            repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise RepositoryError(
                f"{root} is not inside a git repository; run `git init` there first"
            ) from None
        if repo.bare:
            raise RepositoryError(f"{root} is a bare repository; clone it and work in the clone")
        return cls(repo, root)

    @classmethod
    def init(cls, root: Path) -> GitRepo:
        """A new repository whose work tree is `root`."""
        import git

        return cls(git.Repo.init(root), root)

    def relative(self, path: str) -> str:
        """A rota-relative path as git sees it from the top of the work tree."""
        return (self.root / path).relative_to(self.top).as_posix()

    def user_name(self) -> str | None:
        return self._config("user.name")

    def user_email(self) -> str | None:
        return self._config("user.email")

    def _config(self, key: str) -> str | None:
        import git

        try:
            value = str(self.repo.git.config("--get", key)).strip()
        except git.GitCommandError:
            return None
        return value or None

    def head(self) -> str | None:
        return self.rev("HEAD")

    def uncommitted(self, paths: list[str]) -> list[str]:
        """Those of `paths` (rota-relative) that differ from HEAD, staged or not; untracked ones excluded."""
        changed = self._status([self.relative(p) for p in paths], untracked=False)
        return [p for p in paths if self.relative(p) in changed]

    def _status(self, tracked: list[str], untracked: bool) -> set[str]:
        """Those top-relative paths whose file or index entry differs from HEAD."""
        if not tracked:
            return set()
        flag = "--untracked-files=all" if untracked else "--untracked-files=no"
        output = str(self.repo.git.status("--porcelain=v1", "-z", flag, "--", *tracked))
        return {entry[3:] for entry in output.split("\0") if len(entry) > 3}

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise lunchlearn writers on this clone; the OS drops the lock if a process dies.

        While the outermost holder runs, a marker file says so: finding it on entry means the last
        writer was killed, so its leftovers (journal, git's lock files) are cleaned up first.
        """
        from filelock import FileLock, Timeout

        self.state_dir.mkdir(parents=True, exist_ok=True)
        # One lock object per path in this process, so `locked()` nests (sync wraps a write).
        lock = FileLock(self.state_dir / "write.lock", timeout=LOCK_TIMEOUT_SECONDS, is_singleton=True)
        try:
            with lock:
                outermost = lock.lock_counter == 1
                if outermost:
                    self.recover()
                    self._writer_marker.write_text(str(os.getpid()), encoding="utf-8")
                try:
                    yield
                finally:
                    if outermost:
                        self._writer_marker.unlink(missing_ok=True)
        except Timeout:
            raise RepositoryError(
                "another lunchlearn command has been writing to this clone for "
                f"{LOCK_TIMEOUT_SECONDS}s; try again when it has finished"
            ) from None

    @property
    def _journal(self) -> Path:
        return self.state_dir / "journal.json"

    @property
    def _writer_marker(self) -> Path:
        return self.state_dir / "writer.pid"

    def _remove_stale_git_locks(self, since: float) -> None:
        """Remove the lock files a git killed together with a lunchlearn writer left behind.

        A lock created after that writer started which does not vanish within STALE_LOCK_SECONDS
        is taken to be its git's: git never holds one that long outside an editor session.
        """
        folders = {Path(self.repo.git_dir), Path(self.repo.common_dir)}
        candidates = [
            path
            for folder in folders
            for path in (*folder.glob("*.lock"), *folder.glob("refs/**/*.lock"))
            if _modified(path) >= since - 1
        ]
        deadline = time.monotonic() + STALE_LOCK_SECONDS
        while candidates and time.monotonic() < deadline:
            time.sleep(0.1)
            candidates = [lock for lock in candidates if lock.exists()]
        for lock in candidates:
            lock.unlink(missing_ok=True)

    def recover(self) -> None:
        """Finish what a killed writer left: undo a write whose commit did not land, finish a sync."""
        for leftover in self.state_dir.glob(".lunchlearn-*"):  # temporary files and folders
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        if self._writer_marker.exists():
            self._remove_stale_git_locks(since=self._writer_marker.stat().st_mtime)
            self._writer_marker.unlink()
        if not self._journal.exists():
            return
        try:
            journal = json.loads(self._journal.read_text(encoding="utf-8"))
            if journal.get("kind") == "advance":
                self._roll_forward(journal["old"], journal["new"], journal["paths"])
            else:
                files = {path: _decode(data) for path, data in journal["files"].items()}
                if self.head() == journal["head"]:
                    self._restore(self._still_ours(files, journal["written"]))
                self._reset_index([self.relative(p) for p in files])
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # a journal we cannot read describes nothing we could undo
        self._journal.unlink()

    def write_and_commit(self, changes: Mapping[str, str | bytes | None], message: str) -> str:
        """Write each rota-relative path (None deletes it) and commit exactly those paths."""
        paths = list(changes)
        before = {path: _read_bytes(store.safe_path(self.root, path)) for path in paths}
        new_folders = self._missing_folders(paths)
        journal = {
            "head": self.head(),
            "files": {p: _encode(data) for p, data in before.items()},
            "written": {p: _digest(_as_bytes(data)) for p, data in changes.items()},
        }
        store.atomic_write(self._journal, json.dumps(journal), scratch=self.state_dir)
        with _interrupts_deferred():
            self._write_and_commit_journaled(changes, message, before, new_folders)
        return self.head() or ""

    def _write_and_commit_journaled(
        self,
        changes: Mapping[str, str | bytes | None],
        message: str,
        before: Mapping[str, bytes | None],
        new_folders: list[Path],
    ) -> None:
        import git

        paths = list(changes)
        try:
            self._write_files(changes)
            tracked = [self.relative(p) for p in paths]
            self.repo.git.add("-A", "--", *tracked)
            self.repo.git.commit("--only", "--quiet", "-m", message, "--", *tracked)
            # A hook may have changed and staged these files during the commit; `--only` commits its
            # changes but keeps the index as it was before, so bring the index up to the commit.
            self._reset_index(tracked)
        except BaseException as error:
            self._restore(before)
            for folder in new_folders:
                with suppress(OSError):
                    folder.rmdir()  # only when empty: nothing of anyone else's goes
            self._journal.unlink(missing_ok=True)
            if isinstance(error, git.GitCommandError):
                raise RepositoryError(f"git could not commit: {_reason(error)}; nothing was changed") from None
            if isinstance(error, OSError):
                raise RepositoryError(
                    f"could not write {error.filename}: {error.strerror}; nothing was changed"
                ) from None
            raise
        self._journal.unlink(missing_ok=True)

    def _still_ours(
        self, files: Mapping[str, bytes | None], written: Mapping[str, str | None]
    ) -> dict[str, bytes | None]:
        """Those old contents whose file still holds what the killed writer wrote.

        A file someone edited since then is theirs now: it is left as it is, never rolled back.
        """
        return {
            path: data
            for path, data in files.items()
            if _digest(_read_bytes(store.safe_path(self.root, path))) == written.get(path)
        }

    def _restore(self, files: Mapping[str, bytes | None]) -> None:
        self._write_files(files)
        self._reset_index([self.relative(p) for p in files])

    def _missing_folders(self, paths: list[str]) -> list[Path]:
        """The folders writing `paths` would create, deepest first."""
        missing: set[Path] = set()
        for path in paths:
            folder = store.safe_path(self.root, path).parent
            while not folder.exists() and folder != self.root:
                missing.add(folder)
                folder = folder.parent
        return sorted(missing, key=lambda folder: len(folder.parts), reverse=True)

    def _write_files(self, files: Mapping[str, str | bytes | None]) -> None:
        """Write each rota-relative file atomically; None deletes it."""
        for path, data in files.items():
            target = store.safe_path(self.root, path)
            if data is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                store.atomic_write(target, data, scratch=self.state_dir)

    def _reset_index(self, tracked: list[str]) -> None:
        """Make the index agree with HEAD for these top-relative paths."""
        import git

        if not tracked:
            return
        try:
            if self.head() is None:
                self.repo.git.rm("--cached", "-q", "--ignore-unmatch", "--", *tracked)
            else:
                self.repo.git.reset("-q", "HEAD", "--", *tracked)
        except git.GitCommandError:
            pass  # the index still matches HEAD for these paths when the commit never started

    def operation_in_progress(self) -> str | None:
        """`merge` or `rebase` when git is half-way through one here, else None."""
        git_dir = Path(self.repo.git_dir)
        if (git_dir / "MERGE_HEAD").exists():
            return "merge"
        if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists():
            return "rebase"
        return None

    def not_committed(self, paths: list[str]) -> list[str]:
        """Those of `paths` (rota-relative) that are untracked or differ from HEAD."""
        changed = self._status([self.relative(p) for p in paths], untracked=True)
        return [p for p in paths if self.relative(p) in changed]

    def last_commit_of(self, path: str) -> str | None:
        """The newest commit that changed `path` (rota-relative), or None."""
        output = self.repo.git.log("-1", "--format=%H", "--", self.relative(path))
        return str(output).strip() or None

    def push(self) -> None:
        """`git push` to the configured upstream; the message says what to do when it fails."""
        import git

        try:
            with progress.step(f"Pushing {self.top.name}"):
                self.repo.git.push()
        except git.GitCommandError as error:
            advice = _first_push_advice(self.repo, self.top)
            raise RepositoryError(
                advice or f"git push failed in {self.top}: {_reason(error)}; the commit is kept, push it yourself"
            ) from None

    def changed_under(self, folder: str) -> list[str]:
        """Rota-relative files under `folder` changed since HEAD or new; deleted ones excluded."""
        output = self.repo.git.status(
            "--porcelain=v1", "-z", "--untracked-files=all", "--", self.relative(folder)
        )
        entries = iter(str(output).split("\0"))
        changed = []
        for entry in entries:
            if len(entry) < 4:
                continue
            code, path = entry[:2], entry[3:]
            if code[0] in "RC":
                next(entries, None)  # the old name of a rename or copy, without a status code
            if "D" not in code:
                changed.append((self.top / path).relative_to(self.root).as_posix())
        return changed

    def committed_text(self, path: str) -> str | None:
        """A rota-relative file as HEAD has it; None when HEAD does not have it."""
        import git

        try:
            text = self.repo.git.show(f"HEAD:{self.relative(path)}", strip_newline_in_stdout=False)
        except git.GitCommandError:
            return None
        return str(text)


    # --- sharing through the upstream: the merge driver, fetch, replay and push -------------

    def register_merge_driver(self) -> None:
        """Point this clone's `merge.lunchlearn.driver` at this lunchlearn."""
        import git

        from lunchlearn.merge import DRIVER_CONFIG_KEY, DRIVER_NAME

        command = f"{shlex.quote(sys.executable)} -m lunchlearn merge-driver -- %O %A %B %P"
        try:
            self.repo.git.config(f"merge.{DRIVER_NAME}.name", "lunchlearn: merge the rota by meaning")
            self.repo.git.config(DRIVER_CONFIG_KEY, command)
        except git.GitCommandError:
            pass  # a read-only or locked config: the rota still merges as text, sync merges by meaning

    def branch(self) -> str | None:
        """The checked-out branch (`refs/heads/main`), None when HEAD is detached."""
        import git

        try:
            return str(self.repo.git.symbolic_ref("-q", "HEAD")).strip() or None
        except git.GitCommandError:
            return None

    def has_remote(self) -> bool:
        return bool(self.repo.remotes)

    def first_push_advice(self) -> str:
        """How to give this branch an upstream, naming a remote it has (or how to add one)."""
        return _first_push_advice(self.repo, self.top) or f"push the branch of {self.top} to its upstream"

    def upstream(self) -> Upstream | None:
        branch = self.branch()
        if branch is None:
            return None
        line = str(
            self.repo.git.for_each_ref(
                "--format=%(upstream:remotename)%00%(upstream:remoteref)%00%(upstream)", branch
            )
        )
        parts = line.strip().split("\0")
        if len(parts) != 3 or not all(parts) or parts[0] == ".":
            return None
        return Upstream(*parts)

    def fetch(self, upstream: Upstream) -> tuple[FetchStatus, str]:
        """Fetch the upstream branch; the status and, when it failed, git's reason."""
        import git

        try:
            with progress.step(f"Fetching {upstream.label}"):
                self.repo.git.fetch("--quiet", "--no-tags", "--", upstream.remote, upstream.remote_ref)
        except git.GitCommandError as error:
            reason = _failure_line(error) or f"git fetch exited with status {error.status}"
            if "couldn't find remote ref" in reason:
                return FetchStatus.NO_BRANCH, reason
            return FetchStatus.UNREACHABLE, reason
        return FetchStatus.FETCHED, ""

    def push_to(self, upstream: Upstream, commit: str) -> tuple[PushStatus, str]:
        """Publish `commit` as the upstream branch, never forcing; the status and git's reason."""
        import git

        try:
            with progress.step(f"Pushing to {upstream.label}"):
                self.repo.git.push("--porcelain", "--quiet", "--", upstream.remote, f"{commit}:{upstream.remote_ref}")
        except git.GitCommandError as error:
            text = f"{error.stdout}\n{error.stderr}"
            verdict = re.search(r"\[(remote )?rejected\]\s*(.*)", text)
            if verdict is None:
                return PushStatus.UNREACHABLE, _failure_line(error) or f"git push exited with status {error.status}"
            reason = verdict.group(2).strip() or _failure_line(error)
            # Another push updating the branch at the same moment is a lost race, not a refusal.
            if verdict.group(1) and not any(word in reason for word in _RACE_WORDS):
                return PushStatus.REFUSED, reason
            return PushStatus.REJECTED, reason
        return PushStatus.PUSHED, ""

    def rev(self, spec: str) -> str | None:
        import git

        try:
            return str(self.repo.git.rev_parse("--verify", "-q", f"{spec}^{{commit}}")).strip() or None
        except git.GitCommandError:
            return None

    def merge_base(self, one: str, other: str) -> str | None:
        import git

        try:
            return str(self.repo.git.merge_base(one, other)).strip() or None
        except git.GitCommandError:
            return None

    def commits_between(self, base: str | None, head: str) -> list[str]:
        """The commits of `head` after `base` (all of them when None), oldest first, along first parents."""
        since = head if base is None else f"{base}..{head}"
        output = str(self.repo.git.rev_list("--reverse", "--first-parent", since))
        return output.split()

    def commit_info(self, commit: str) -> CommitInfo:
        output = self.repo.git.log(
            "-1", "--format=%P%x00%an%x00%ae%x00%ad%x00%B", "--date=raw", commit,
            strip_newline_in_stdout=False,
        )
        parents, name, email, when, message = str(output).split("\0", 4)
        first = parents.split()[0] if parents.split() else ""  # a root commit has none
        return CommitInfo(commit, first, name, email, when, message.rstrip("\n"))

    def files_under(self, commit: str, folder: str) -> list[str]:
        """Top-relative paths of the files under `folder` (top-relative) in `commit`."""
        output = str(self.repo.git.ls_tree("-r", "-z", "--name-only", commit, "--", folder))
        return [path for path in output.split("\0") if path]

    def export_rota(self, commit: str, folder: Path) -> Path:
        """The rota folder's schedule and articles as `commit` has them, written under `folder`."""
        import io
        import tarfile

        wanted = [self.relative(p) for p in (store.SCHEDULE, store.TALKS_DIR)]
        present = [p for p in wanted if str(self.repo.git.ls_tree(commit, "--", p)).strip()]
        if present:
            archive = self.repo.git.archive(
                "--format=tar", commit, "--", *present, stdout_as_string=False
            )
            with tarfile.open(fileobj=io.BytesIO(bytes(archive))) as tar:
                for member in tar:
                    data = tar.extractfile(member) if member.isfile() else None  # links stay out
                    if data is not None:
                        target = store.safe_path(folder, member.name)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(data.read())
        return folder / self.root.relative_to(self.top)

    def tree_changes(self, old: str, new: str) -> dict[str, TreeEntry | None]:
        """Top-relative paths that differ from `old` to `new`, with their entry in `new` (None: gone)."""
        output = str(
            self.repo.git.diff_tree("-r", "-z", "--no-renames", old, new, strip_newline_in_stdout=False)
        )
        fields = output.split("\0")
        changes: dict[str, TreeEntry | None] = {}
        for header, path in zip(fields[0::2], fields[1::2], strict=False):
            if not header.startswith(":"):
                continue
            _, mode, _, sha, status = header[1:].split(" ")
            changes[path] = None if status == "D" else TreeEntry(mode, sha)
        return changes

    def entry_at(self, commit: str, path: str) -> TreeEntry | None:
        output = str(self.repo.git.ls_tree("-z", commit, "--", path))
        if not output.strip("\0"):
            return None
        info, _ = output.split("\t", 1)
        mode, kind, sha = info.split(" ")
        return TreeEntry(mode, sha) if kind in ("blob", "commit") else None

    def blob(self, sha: str) -> bytes:
        data = self.repo.git.cat_file(
            "blob", sha, stdout_as_string=False, strip_newline_in_stdout=False
        )
        return bytes(data)

    def store_blob(self, data: bytes) -> str:
        with self._scratch_file(data) as path:
            return str(self.repo.git.hash_object("-w", "--", str(path))).strip()

    def merge_text(self, base: bytes, ours: bytes, theirs: bytes, ours_wins: bool = False) -> bytes | None:
        """git's 3-way text merge; None when the sides conflict, unless `ours_wins` a conflicting hunk."""
        import git

        with self._scratch_file(ours) as o, self._scratch_file(base) as b, self._scratch_file(theirs) as t:
            try:
                merged = self.repo.git.merge_file(
                    "-p", "--quiet", *(["--ours"] if ours_wins else []), "--", str(o), str(b), str(t),
                    stdout_as_string=False, strip_newline_in_stdout=False,
                )
            except git.GitCommandError:
                return None
        return bytes(merged)

    @contextmanager
    def _scratch_file(self, data: bytes) -> Iterator[Path]:
        import tempfile

        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".lunchlearn-", suffix=".tmp", dir=self.state_dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            yield Path(name)
        finally:
            Path(name).unlink(missing_ok=True)

    def commit_tree(self, parent: str, changes: Mapping[str, TreeEntry | None], info: CommitInfo) -> str:
        """A new commit on `parent` with these top-relative entries changed; `parent` itself when none did."""
        index = self.state_dir / "replay.index"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            self.repo.git.read_tree(parent, env=env)
            added = [
                item
                for path, entry in changes.items()
                if entry is not None
                for item in ("--cacheinfo", f"{entry.mode},{entry.sha},{path}")
            ]
            removed = [p for p, e in changes.items() if e is None]
            if added:
                self.repo.git.update_index("--add", *added, env=env)
            if removed:
                self.repo.git.update_index("--force-remove", "--", *removed, env=env)
            tree = str(self.repo.git.write_tree(env=env)).strip()
        finally:
            index.unlink(missing_ok=True)
        if tree == str(self.repo.git.rev_parse(f"{parent}^{{tree}}")).strip():
            return parent
        author = {
            "GIT_AUTHOR_NAME": info.author_name,
            "GIT_AUTHOR_EMAIL": info.author_email,
            "GIT_AUTHOR_DATE": info.author_date,
        }
        return str(self.repo.git.commit_tree(tree, "-p", parent, "-m", info.message, env=author)).strip()

    def changed_in_work_tree(self, tracked: list[str]) -> list[str]:
        """Those top-relative paths whose file or index entry differs from HEAD, untracked ones included."""
        return sorted(self._status(tracked, untracked=True))

    def advance(self, old: str, new: str) -> None:
        """Move the branch from `old` to `new`, and the work tree and index with it.

        A journal is written first: a process killed half-way is completed (rolled forward) by the
        next lunchlearn writer, since every object of `new` already exists.
        """
        changes = self.tree_changes(old, new)
        paths = sorted(changes)
        busy = self.changed_in_work_tree(paths)
        if busy:
            raise RepositoryError(
                f"{', '.join(busy)} has changes not committed here that the update from the remote "
                "would overwrite; commit or stash them, then run lunchlearn sync"
            )
        for path, entry in changes.items():
            if entry is not None and entry.mode == SYMLINK_MODE:
                self._link_target(path, entry)  # refuses a link out of the repository up front
        self._refuse_if_index_locked()
        journal = {"kind": "advance", "old": old, "new": new, "paths": paths}
        store.atomic_write(self._journal, json.dumps(journal), scratch=self.state_dir)
        with _interrupts_deferred():
            self._roll_forward(old, new, paths)
            self._journal.unlink(missing_ok=True)

    def _refuse_if_index_locked(self) -> None:
        lock = Path(self.repo.git_dir) / "index.lock"
        if lock.exists():
            raise RepositoryError(
                f"another git command is using this repository ({lock} exists), so git's index "
                "cannot be updated; nothing was changed: wait for it to finish, or delete that "
                "file if no git is running, then run lunchlearn sync"
            )

    def _link_target(self, path: str, entry: TreeEntry) -> str:
        """The target of a symlink arriving from the remote, refused if it leads out of the repository."""
        target = os.fsdecode(self.blob(entry.sha))
        link = self.top / path
        if Path(target).is_absolute() or not (link.parent / target).resolve().is_relative_to(self.top):
            raise RepositoryError(
                f"{path} on the remote is a symbolic link to {target!r}, outside the repository; "
                "sync changed nothing here: remove or fix that link on the remote"
            )
        return target

    def _roll_forward(self, old: str, new: str, paths: list[str]) -> None:
        """Write `new`'s version of `paths`, then the index, then move HEAD; undone if the index fails."""
        import git

        self._write_tree_entries(new, paths)
        try:
            self.repo.git.reset("-q", new, "--", *paths)
        except git.GitCommandError as error:
            self._write_tree_entries(old, paths)
            raise RepositoryError(
                f"git could not update its index ({_reason(error)}); the files were put back and "
                "nothing was changed"
            ) from None
        if self.head() == old:
            self.repo.git.update_ref("-m", "lunchlearn sync", "HEAD", new, old)

    def _write_tree_entries(self, commit: str, paths: list[str]) -> None:
        """Make the work tree hold `commit`'s version of these top-relative paths."""
        for path in paths:
            entry = self.entry_at(commit, path)
            if entry is not None and entry.mode == GITLINK_MODE:
                continue  # a submodule's folder is the submodule's own business
            target = store.safe_path(self.top, path)
            if entry is None:
                if target.is_symlink() or target.is_file():
                    target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if entry.mode == SYMLINK_MODE:
                link = self._link_target(path, entry)
                if target.is_symlink() or target.exists():
                    target.unlink()
                os.symlink(link, target)
                continue
            if target.is_symlink():
                target.unlink()
            store.atomic_write(target, self.blob(entry.sha), scratch=self.state_dir)
            if entry.mode == "100755":
                target.chmod(target.stat().st_mode | 0o111)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ctrl-C waits until the files, git's index and HEAD agree again, then interrupts.

    An interrupt while git commits would otherwise put the files back while git finishes the
    commit. A Ctrl-C at a terminal reaches git too, which then fails and everything is put back.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def _reason(error: git.GitCommandError) -> str:
    """Why git refused to change the repository, in words that say what to do."""
    text = _git_output(error)
    if "tell me who you are" in text or "empty ident" in text:
        return "git has no identity here; set it with `git config user.name` and `git config user.email`"
    held = re.search(r"Unable to create '([^']+\.lock)': File exists", text)
    if held:
        return (
            f"another git command is using this repository ({held.group(1)} exists); wait for it "
            "to finish, or delete that file if no git is running"
        )
    return _failure_line(error) or f"git exited with status {error.status} (a hook refused it?)"


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _as_bytes(data: str | bytes | None) -> bytes | None:
    return data.encode("utf-8") if isinstance(data, str) else data


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _encode(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _decode(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)



def _git_output(error: git.GitCommandError) -> str:
    """What git wrote, unwrapped from GitPython's `stderr: '...'`."""
    return str(error.stderr or error.stdout or "").strip().removeprefix("stderr:").strip().strip("'")


def _failure_line(error: git.GitCommandError) -> str:
    """git's reason for failing: its `fatal:` or `error:` line when it wrote one, else its last line."""
    lines = [line.strip() for line in _git_output(error).splitlines() if line.strip()]
    meaningful = [line for line in lines if line.startswith(("fatal:", "error:"))]
    if meaningful:
        return meaningful[0].split(":", 1)[1].strip()
    return lines[-1] if lines else ""


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return -1.0


@dataclass(frozen=True)
class Upstream:
    """The remote branch a clone's branch tracks."""

    remote: str  # `origin`
    remote_ref: str  # `refs/heads/main`, as the remote names it
    tracking_ref: str  # `refs/remotes/origin/main`, this clone's copy

    @property
    def label(self) -> str:
        return f"{self.remote}/{self.remote_ref.removeprefix('refs/heads/')}"


class FetchStatus(Enum):
    FETCHED = "fetched"
    NO_BRANCH = "no branch"  # the remote answered but has no such branch yet
    UNREACHABLE = "unreachable"


class PushStatus(Enum):
    PUSHED = "pushed"
    REJECTED = "rejected"  # the remote moved on: fetch, replay and try again
    REFUSED = "refused"  # a hook or protection rule on the remote said no
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    sha: str


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    parent: str
    author_name: str
    author_email: str
    author_date: str
    message: str


def _first_push_advice(repo: git.Repo, top: Path) -> str | None:
    """How to push a branch that has no upstream yet; None when it has one (or HEAD is detached)."""
    import git

    try:
        repo.git.rev_parse("--abbrev-ref", "--symbolic-full-name", "@{upstream}")
        return None
    except git.GitCommandError:
        pass
    branch = str(repo.git.rev_parse("--abbrev-ref", "HEAD")).strip()
    if branch == "HEAD":
        return None
    remotes = str(repo.git.remote()).split()
    if not remotes:
        return (
            f"the branch {branch} of {top} has no remote to push to; add one with `git remote add origin URL`, "
            f"then push it once with `git push -u origin {branch}`"
        )
    remote = "origin" if "origin" in remotes else remotes[0]
    return f"the branch {branch} of {top} has no upstream; push it once with `git push -u {remote} {branch}`"
