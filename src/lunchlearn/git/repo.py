"""The only module that talks to git (through GitPython, imported lazily).

Writes go through `GitRepo.write_and_commit`: a journal naming the files' old versions is saved under
.git/ first, so a failed commit, or a process killed half-way, leaves the clone exactly as before.
"""

from __future__ import annotations

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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lunchlearn import progress, storage
from lunchlearn.errors import RepositoryError
from lunchlearn.git.statedir import JOURNAL, STATE_FOLDER
from lunchlearn.rota import schedule_file

if TYPE_CHECKING:
    import git

LOCK_TIMEOUT_SECONDS = 60
# The file or folder git keeps under .git while it is half-way through an operation; `am` first, as
# it keeps its state in rebase-apply too.
_OPERATION_MARKERS = (
    ("MERGE_HEAD", "merge"),
    ("rebase-apply/applying", "am"),
    ("rebase-apply", "rebase"),
    ("rebase-merge", "rebase"),
    ("CHERRY_PICK_HEAD", "cherry-pick"),
    ("REVERT_HEAD", "revert"),
    ("BISECT_LOG", "bisect"),
)
_OPERATION_ENDINGS = {"bisect": "end it with `git bisect reset`"}
# What a journal of each kind holds; one without them comes from another version and is dropped.
_JOURNAL_KEYS = {
    "write": ("kind", "token", "head", "paths", "backups", "written"),
    "advance": ("kind", "token", "old", "new", "paths"),
}
# How a remote reports that another push moved the branch while this one was being received.
_RACE_WORDS = ("failed to update ref", "cannot lock ref", "incorrect old value", "failed to lock")
SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"  # a submodule's commit


class GitRepo:
    """A rota folder inside a git work tree (the rota may sit in a subfolder of the repository)."""

    def __init__(self, repo: git.Repo, root: Path) -> None:
        self.repo = repo
        self.root = root.resolve()
        self.top = Path(repo.working_tree_dir or root).resolve()
        self.state_dir = Path(repo.git_dir).resolve() / STATE_FOLDER
        self._family_fd: int | None = None
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

        The outermost holder first finishes what a killed writer left (see `recover`).
        """
        from filelock import FileLock, Timeout

        self.state_dir.mkdir(parents=True, exist_ok=True)
        # One lock object per path in this process, so `locked()` nests (sync wraps a write).
        lock = FileLock(self.state_dir / "write.lock", timeout=LOCK_TIMEOUT_SECONDS, is_singleton=True)
        try:
            with lock:
                if lock.lock_counter > 1:
                    yield
                    return
                with self._family_lock():
                    self.recover()
                    yield
        except Timeout:
            raise RepositoryError(
                "another lunchlearn command has been writing to this clone for "
                f"{LOCK_TIMEOUT_SECONDS}s; try again when it has finished"
            ) from None

    @contextmanager
    def _family_lock(self) -> Iterator[None]:
        """A lock every git this writer starts inherits, and so holds until it and its hooks exit.

        A writer killed alone leaves its git running; taking this lock waits for that git, so the
        next writer never undoes a write whose commit is still under way.
        """
        import fcntl

        fd = os.open(self.state_dir / "family.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise RepositoryError(
                            "a git command that an interrupted lunchlearn command started (in a hook?) "
                            f"has been running for {LOCK_TIMEOUT_SECONDS}s; try again when it has finished"
                        ) from None
                    time.sleep(0.05)
            self._family_fd = fd
            yield
        finally:
            self._family_fd = None
            os.close(fd)

    def _run(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Run git holding this writer's family lock (see `_family_lock`)."""
        executable = str(self.repo.git.GIT_PYTHON_GIT_EXECUTABLE or "git")
        family = () if self._family_fd is None else (self._family_fd,)
        output = self.repo.git.execute([executable, *args], env=dict(env or {}), pass_fds=family)
        return str(output)

    @property
    def _journal(self) -> Path:
        return self.state_dir / JOURNAL

    @property
    def _backups(self) -> Path:
        return self.state_dir / "backup"

    @property
    def _index(self) -> Path:
        return Path(self.repo.git_dir) / "index"

    @property
    def _index_lock(self) -> Path:
        return Path(self.repo.git_dir) / "index.lock"

    def recover(self) -> None:
        """Finish what a killed writer left, as its journal describes: undo a write whose commit did not
        land, bring git's index up to one that did, complete an update from the remote.

        Of git's lock files only those the journal proves the dead writer's are removed; a failure
        keeps the journal for the next command and says so.
        """
        import git

        for leftover in self.state_dir.glob(".lunchlearn-*"):  # temporary files, folders and indexes
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        journal = self._read_journal()
        if journal is None:
            self._drop_journal()
            return
        try:
            if journal["kind"] == "advance":
                self._remove_own_ref_locks(lambda sha: sha == journal["new"])
                self._roll_forward(journal)
            else:
                self._finish_write(journal)
        except (OSError, git.GitCommandError) as error:
            raise RepositoryError(
                "an interrupted lunchlearn command left a change half-done that cannot be finished now "
                f"({_why(error)}); lunchlearn tries again on its next command"
            ) from None
        self._release_index_lock(journal["token"])
        self._drop_journal()

    def _read_journal(self) -> dict[str, Any] | None:
        """The journal a killed writer left; None when there is none, or none this version can read."""
        try:
            journal = json.loads(self._journal.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # unreadable: it describes nothing that could be undone
        if not isinstance(journal, dict):
            return None
        keys = _JOURNAL_KEYS.get(str(journal.get("kind")))
        return journal if keys and all(key in journal for key in keys) else None

    def _drop_journal(self) -> None:
        self._journal.unlink(missing_ok=True)
        shutil.rmtree(self._backups, ignore_errors=True)

    def _finish_write(self, journal: dict[str, Any]) -> None:
        self._remove_own_ref_locks(lambda sha: self._made_by(journal, sha))
        head = self.head()
        if head == journal["head"]:
            self._put_back(journal, unchanged_only=True)
        elif head is not None and self._made_by(journal, head):
            self._take_index_lock(journal["token"])
            self._update_index(head, [self.relative(p) for p in journal["paths"]])

    def _made_by(self, journal: Mapping[str, Any], commit: str) -> bool:
        """Whether `commit` is the one the journal's writer was making: on its HEAD, only its paths."""
        import git

        try:
            parent = self.rev(f"{commit}^") if self.rev(commit) else None
            changed = self._committed_paths(commit)
        except git.GitCommandError:
            return False
        return parent == journal["head"] and changed <= {self.relative(p) for p in journal["paths"]}

    def _committed_paths(self, commit: str) -> set[str]:
        output = self.repo.git.diff_tree("--no-commit-id", "--name-only", "-r", "-z", "--root", commit)
        return {path for path in str(output).split("\0") if path}

    def _remove_own_ref_locks(self, ours: Callable[[str], bool]) -> None:
        """Remove the ref locks a git of this writer left when it died moving HEAD.

        Such a lock was created after the journal, by a git that is gone (the family lock says so),
        and is empty or names the writer's own commit: a git elsewhere holds a ref lock for
        milliseconds and writes its own commit into it.
        """
        since = self._journal.stat().st_mtime
        branch = self.branch()
        locks = [Path(self.repo.git_dir) / "HEAD.lock"]
        if branch is not None:
            locks.append(Path(self.repo.common_dir) / f"{branch}.lock")
        for lock in locks:
            try:
                created = lock.stat().st_mtime
                content = lock.read_text(encoding="ascii", errors="replace").strip()
            except FileNotFoundError:
                continue
            if created >= since and (not content or (_is_object_name(content) and ours(content))):
                lock.unlink(missing_ok=True)

    def _take_index_lock(self, token: str) -> None:
        """Take git's index lock as git does, with this writer's token in it: proof for recovery it was ours."""
        if self._holds_index_lock(token):
            return  # a killed writer's, which recovery carries on
        claim = self.state_dir / f".lunchlearn-claim-{token}"
        claim.write_text(_lock_text(token), encoding="utf-8")
        try:
            os.link(claim, self._index_lock)  # atomic, and never replaces a lock someone holds
        except FileExistsError:
            raise RepositoryError(
                f"another git command is using this repository ({self._index_lock} exists); wait for it "
                "to finish, or delete that file if no git is running; nothing was changed"
            ) from None
        finally:
            claim.unlink(missing_ok=True)

    def _holds_index_lock(self, token: str) -> bool:
        return _read_bytes(self._index_lock) == _lock_text(token).encode("utf-8")

    def _release_index_lock(self, token: str) -> None:
        if self._holds_index_lock(token):
            self._index_lock.unlink()

    def _copy_index(self, target: Path) -> None:
        """A copy of git's index, timestamps kept so git still tells racily-changed files apart."""
        if self._index.exists():
            shutil.copy2(self._index, target)
        else:
            target.unlink(missing_ok=True)

    def _update_index(self, commit: str, tracked: list[str]) -> None:
        """Make git's index agree with `commit` for these top-relative paths; the index lock is ours."""
        scratch = self.state_dir / ".lunchlearn-next.index"
        try:
            self._copy_index(scratch)
            self._run("reset", "-q", commit, "--", *tracked, env={"GIT_INDEX_FILE": str(scratch)})
            os.replace(scratch, self._index)
        finally:
            scratch.unlink(missing_ok=True)

    def write_and_commit(self, changes: Mapping[str, str | bytes | None], message: str) -> str:
        """Write each rota-relative path (None deletes it) and commit exactly those paths.

        The old files are kept as hard links and a journal names them before anything changes, so
        putting them back needs no free space; git's index stays locked until files, index and HEAD
        agree again, so the user's git never sees a half-done write.
        """
        paths = list(changes)
        token = os.urandom(16).hex()
        try:
            journal = {
                "kind": "write",
                "token": token,
                "head": self.head(),
                "paths": paths,
                "backups": self._back_up(paths),
                "written": {p: _digest(_as_bytes(data)) for p, data in changes.items()},
            }
            storage.atomic_write(self._journal, json.dumps(journal), scratch=self.state_dir)
        except OSError as error:
            self._drop_journal()
            raise RepositoryError(
                f"could not save lunchlearn's journal in {self.state_dir}: {_why(error)}; nothing was changed"
            ) from None
        new_folders = self._missing_folders(paths)
        with _interrupts_deferred():
            try:
                self._take_index_lock(token)
            except RepositoryError:
                self._drop_journal()
                raise
            try:
                self._write_files(changes)
                self._commit([self.relative(p) for p in paths], journal, message)
            except BaseException as error:
                problem = str(error) if isinstance(error, _Failed) else None
                self._undo(journal, new_folders, problem or "the command was interrupted")
                if problem is None:
                    raise
                raise RepositoryError(f"{problem}; nothing was changed") from None
            self._finish_commit(journal)
        return self.head() or ""

    def _back_up(self, paths: list[str]) -> dict[str, str | None]:
        """Keep each existing file under the backup folder, by a hard link where the file system has them."""
        shutil.rmtree(self._backups, ignore_errors=True)
        self._backups.mkdir(parents=True)
        names: dict[str, str | None] = {}
        for number, path in enumerate(paths):
            source = storage.safe_path(self.root, path)
            names[path] = None
            if os.path.lexists(source):
                names[path] = str(number)
                try:
                    os.link(source, self._backups / str(number), follow_symlinks=False)
                except OSError:
                    shutil.copy2(source, self._backups / str(number), follow_symlinks=False)
        return names

    def _write_files(self, files: Mapping[str, str | bytes | None]) -> None:
        """Write each rota-relative file atomically; None deletes it. A failure names the file meant."""
        for path, data in files.items():
            target = storage.safe_path(self.root, path)
            try:
                if data is None:
                    target.unlink(missing_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    storage.atomic_write(target, data, scratch=self.state_dir)
            except OSError as error:
                raise _Failed(f"could not write {path}: {_why(error)}") from None

    def _commit(self, tracked: list[str], journal: Mapping[str, Any], message: str) -> None:
        """Commit these top-relative paths from a private index, so hooks see only lunchlearn's change.

        git's own index is left alone (its lock is ours); a commit a hook added other files to is
        taken back, since lunchlearn commits only its own paths.
        """
        import git

        index = self.state_dir / ".lunchlearn-commit.index"
        private = {"GIT_INDEX_FILE": str(index)}
        try:
            self._copy_index(index)
            if journal["head"] is None:
                self._run("read-tree", "--empty", env=private)
            else:
                self._run("reset", "-q", "HEAD", env=private)
            self._run("add", "-A", "--", *tracked, env=private)
            # Automatic gc would run detached, holding the family lock long after the commit.
            no_gc = ("-c", "gc.auto=0", "-c", "maintenance.auto=false")
            self._run(*no_gc, "commit", "--quiet", "-m", message, env=private)
        except git.GitCommandError as error:
            raise _Failed(f"git could not commit: {_reason(error)}") from None
        except OSError as error:
            raise _Failed(f"could not prepare git's index for the commit: {_why(error)}") from None
        finally:
            index.unlink(missing_ok=True)
        head = self.head()
        foreign = sorted(self._committed_paths(head) - set(tracked)) if head else []
        if foreign:
            raise _Failed(
                f"{self._commit_hooks()} added {', '.join(foreign)} to lunchlearn's commit, which commits only "
                "its own files; lunchlearn took that commit back: make the hook add only files that were "
                "already staged, or commit your own work first"
            )

    def _commit_hooks(self) -> str:
        """The hooks that may change what a commit holds, as a phrase naming those present."""
        hooks = Path(self.top, str(self.repo.git.rev_parse("--git-path", "hooks")).strip())
        present = [
            name
            for name in ("pre-commit", "prepare-commit-msg", "commit-msg")
            if os.access(hooks / name, os.X_OK)
        ]
        return f"the git hook {', '.join(str(hooks / name) for name in present)}" if present else "a git hook"

    def _undo(self, journal: Mapping[str, Any], new_folders: list[Path], problem: str) -> None:
        """Take back a failed write: HEAD, the files, the lock. A failure here keeps the journal, and says so."""
        import git

        try:
            self._remove_own_ref_locks(lambda sha: self._made_by(journal, sha))
            head = self.head()
            if head != journal["head"] and head is not None:
                self._move_head_back(head, journal["head"])
            self._put_back(journal, unchanged_only=False)
            for folder in new_folders:
                with suppress(OSError):
                    folder.rmdir()  # only when empty: nothing of anyone else's goes
            self._release_index_lock(journal["token"])
        except (OSError, git.GitCommandError) as error:
            raise RepositoryError(
                f"{problem}, and putting things back failed too ({_why(error)}), so "
                f"{', '.join(journal['paths'])} may still hold the new version: lunchlearn puts them back "
                "on its next command (for example `lunchlearn check`) once that can succeed"
            ) from None
        self._drop_journal()

    def _move_head_back(self, head: str, old: str | None) -> None:
        reason = "lunchlearn: take back a commit that held files not its own"
        if old is None:
            self._run("update-ref", "-m", reason, "-d", "HEAD", head)
        else:
            self._run("update-ref", "-m", reason, "HEAD", old, head)

    def _put_back(self, journal: Mapping[str, Any], unchanged_only: bool) -> None:
        """Put the journal's files back from their backups by renaming: no free space needed.

        With `unchanged_only`, a file someone edited since the writer wrote it is theirs now and stays.
        """
        for path in journal["paths"]:
            target = storage.safe_path(self.root, path)
            if unchanged_only and _digest(_read_bytes(target)) != journal["written"][path]:
                continue
            backup = journal["backups"][path]
            if backup is None:
                target.unlink(missing_ok=True)
            elif (self._backups / backup).exists() or (self._backups / backup).is_symlink():
                os.replace(self._backups / backup, target)

    def _finish_commit(self, journal: Mapping[str, Any]) -> None:
        """Bring git's index up to the new commit; a failure keeps the journal and the lock, and says so."""
        import git

        head = self.head() or ""
        try:
            self._update_index(head, [self.relative(p) for p in journal["paths"]])
        except (OSError, git.GitCommandError) as error:
            raise RepositoryError(
                f"committed {head[:7]}, but could not bring git's index up to date ({_why(error)}); "
                f"lunchlearn keeps {self._index_lock} until it has, which it does on its next command "
                "(for example `lunchlearn check`) once that can succeed"
            ) from None
        self._release_index_lock(journal["token"])
        self._drop_journal()

    def _missing_folders(self, paths: list[str]) -> list[Path]:
        """The folders writing `paths` would create, deepest first."""
        missing: set[Path] = set()
        for path in paths:
            folder = storage.safe_path(self.root, path).parent
            while not folder.exists() and folder != self.root:
                missing.add(folder)
                folder = folder.parent
        return sorted(missing, key=lambda folder: len(folder.parts), reverse=True)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The way in for every command that writes here: refused half-way through a git operation, then locked."""
        # A commit made during a rebase lands on its detached HEAD, and an abort drops it silently.
        self.refuse_unfinished_operation()
        with self.locked():
            yield

    def refuse_unfinished_operation(self) -> None:
        operation = self.unfinished_operation()
        if operation is not None:
            ending = _OPERATION_ENDINGS.get(
                operation, f"finish it (`git {operation} --continue`) or abort it (`git {operation} --abort`)"
            )
            raise RepositoryError(
                f"a {operation} is in progress in {self.top}; {ending}, then try again; nothing was changed"
            )

    def unfinished_operation(self) -> str | None:
        """The git operation this work tree is half-way through (`merge`, `rebase`, ...), else None."""
        git_dir = Path(self.repo.git_dir)
        for marker, operation in _OPERATION_MARKERS:
            if (git_dir / marker).exists():
                return operation
        # A cherry-pick or revert of several commits whose conflict was committed by hand goes on.
        todo = _read_bytes(git_dir / "sequencer" / "todo")
        if todo is not None:
            return "revert" if todo.split(maxsplit=1)[:1] == [b"revert"] else "cherry-pick"
        return None

    @staticmethod
    def refuse_inside_git_storage(folder: Path) -> None:
        """Refuse a folder in a bare repository or inside a .git folder: no work tree to keep a rota in."""
        import git

        existing = next(path for path in (folder, *folder.parents) if path.is_dir())
        try:
            output = git.Git(existing).rev_parse("--is-inside-git-dir", "--is-bare-repository", "--absolute-git-dir")
        except git.GitCommandError:
            return  # not in a repository at all: init makes one
        inside, bare, git_dir = str(output).split("\n", 2)
        if bare == "true":
            raise RepositoryError(
                f"{git_dir} is a bare repository (git's storage, without files to edit); clone it and "
                f"create the rota in the clone: `git clone {git_dir} DIR`, then `lunchlearn init DIR`"
            )
        if inside == "true":
            work_tree = Path(git_dir).parent if Path(git_dir).name == ".git" else None
            instead = f"`lunchlearn init {work_tree}`" if work_tree else "`lunchlearn init` in its work tree"
            raise RepositoryError(
                f"{folder} is inside the .git folder {git_dir}, git's own storage; nothing was "
                f"changed: create the rota in the work tree instead, e.g. {instead}"
            )

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
            upstream = self.upstream()
            locked = remote_lock_advice(_git_output(error), upstream.label) if upstream else None
            if locked:
                raise RepositoryError(f"{locked}, then push it yourself; the commit is kept") from None
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

        from lunchlearn.rota.merge import DRIVER_CONFIG_KEY, DRIVER_NAME

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

    def proposed_upstream(self) -> Upstream | None:
        """For a branch without upstream: the branch of its name on `origin`, or on the clone's only remote."""
        branch, remotes = self.branch(), [remote.name for remote in self.repo.remotes]
        if branch is None or not remotes or ("origin" not in remotes and len(remotes) > 1):
            return None
        remote = "origin" if "origin" in remotes else remotes[0]
        return Upstream(remote, branch, f"refs/remotes/{remote}/{branch.removeprefix('refs/heads/')}")

    def set_upstream(self, upstream: Upstream) -> None:
        """Make `upstream` the current branch's, as `git push -u` would."""
        name = (self.branch() or "").removeprefix("refs/heads/")
        self.repo.git.config("--local", f"branch.{name}.remote", upstream.remote)
        self.repo.git.config("--local", f"branch.{name}.merge", upstream.remote_ref)

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
            if held_lock(reason):  # the remote answered: it is this clone that is busy
                raise RepositoryError(
                    f"could not fetch {upstream.label}: {_reason(error)}, then run lunchlearn sync; "
                    "your commits are kept here"
                ) from None
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
            locked = remote_lock_advice(text, upstream.label)
            return (PushStatus.LOCKED, locked) if locked else (PushStatus.REJECTED, reason)
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

        wanted = [self.relative(p) for p in (schedule_file.SCHEDULE, schedule_file.TALKS_DIR)]
        present = [p for p in wanted if str(self.repo.git.ls_tree(commit, "--", p)).strip()]
        if present:
            archive = self.repo.git.archive(
                "--format=tar", commit, "--", *present, stdout_as_string=False
            )
            with tarfile.open(fileobj=io.BytesIO(bytes(archive))) as tar:
                for member in tar:
                    data = tar.extractfile(member) if member.isfile() else None  # links stay out
                    if data is not None:
                        target = storage.safe_path(folder, member.name)
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
        token = os.urandom(16).hex()
        journal = {"kind": "advance", "token": token, "old": old, "new": new, "paths": paths}
        try:
            storage.atomic_write(self._journal, json.dumps(journal), scratch=self.state_dir)
        except OSError as error:
            raise RepositoryError(
                f"could not save lunchlearn's journal in {self.state_dir}: {_why(error)}; nothing was changed"
            ) from None
        with _interrupts_deferred():
            try:
                self._take_index_lock(token)
            except RepositoryError as error:
                self._drop_journal()
                raise RepositoryError(f"{error.message}, then run lunchlearn sync") from None
            try:
                self._roll_forward(journal)
            except OSError as error:
                raise RepositoryError(
                    f"could not update the work tree from the remote ({_why(error)}); lunchlearn "
                    "finishes the update on its next command (for example `lunchlearn check`)"
                ) from None
            self._release_index_lock(token)
            self._drop_journal()

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

    def _roll_forward(self, journal: Mapping[str, Any]) -> None:
        """Write `new`'s version of the paths, then the index, then move HEAD; undone if the index fails."""
        import git

        old, new, paths, token = journal["old"], journal["new"], journal["paths"], journal["token"]
        self._write_tree_entries(new, paths)
        try:
            self._take_index_lock(token)
            self._update_index(new, paths)
        except (RepositoryError, OSError, git.GitCommandError) as error:
            self._write_tree_entries(old, paths)
            self._release_index_lock(token)
            self._drop_journal()
            raise RepositoryError(
                f"git could not update its index ({_why(error)}); the files were put back and "
                "nothing was changed"
            ) from None
        if self.head() == old:
            self._run("update-ref", "-m", "lunchlearn sync", "HEAD", new, old)

    def _write_tree_entries(self, commit: str, paths: list[str]) -> None:
        """Make the work tree hold `commit`'s version of these top-relative paths."""
        for path in paths:
            entry = self.entry_at(commit, path)
            if entry is not None and entry.mode == GITLINK_MODE:
                continue  # a submodule's folder is the submodule's own business
            target = storage.safe_path(self.top, path)
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
            storage.atomic_write(target, self.blob(entry.sha), scratch=self.state_dir)
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
    held = held_lock(text)
    if held:
        return (
            f"another git command is using this repository ({held} exists); wait for it "
            "to finish, or delete that file if no git is running"
        )
    if isinstance(error.status, int) and error.status < 0:  # killed by a signal
        return f"git was stopped: {signal.strsignal(-error.status) or -error.status}"
    return _failure_line(error) or f"git exited with status {error.status} (a hook refused it?)"


class _Failed(Exception):
    """A step of a write failed; the message says which and why, and the write is taken back."""


def _why(error: BaseException) -> str:
    """A failure in a few words: git's reason, the system's, or lunchlearn's own message."""
    import git

    if isinstance(error, git.GitCommandError):
        return _reason(error)
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _is_object_name(text: str) -> bool:
    return re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", text) is not None


def _lock_text(token: str) -> str:
    return f"lunchlearn {token}\n"


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _as_bytes(data: str | bytes | None) -> bytes | None:
    return data.encode("utf-8") if isinstance(data, str) else data


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()



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


def _remote_lock_failure(text: str) -> str | None:
    """The remote's own words when it could not lock the branch (`cannot lock ref '...': ...`)."""
    found = re.search(r"remote: (?:error: )?(cannot lock ref '[^']+': [^\n]*?)\.?\s*$", text, re.MULTILINE)
    return found.group(1) if found else None


def held_lock(reason: str) -> str | None:
    """The lock file named by git's `Unable to create '....lock': File exists`, tidied; else None."""
    found = re.search(r"Unable to create '([^']+\.lock)': File exists", reason)
    return os.path.normpath(found.group(1)) if found else None


def remote_lock_advice(reason: str, label: str) -> str | None:
    """What to do when the remote could not lock its branch because a lock file is there; else None."""
    lock = held_lock(_remote_lock_failure(reason) or "")
    if lock is None:
        return None
    return (
        f"could not lock the branch on {label}: {lock} exists on the remote (a push is still running "
        "there, or one that was killed left it behind); if no push is running, delete that file on the remote"
    )


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
    LOCKED = "locked"  # a lock file on the remote: a push in flight there (try again), or a stale one
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

