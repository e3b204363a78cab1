"""The only module that talks to git (through GitPython, imported lazily).

Writes go through `GitRepo.write_and_commit`: a journal of the files' old contents is saved under
.git/ first, so a failed commit, or a process killed half-way, leaves the clone exactly as before.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn import store
from lunchlearn.errors import RepositoryError

if TYPE_CHECKING:
    import git

LOCK_TIMEOUT_SECONDS = 60


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
    def open_or_init(cls, root: Path) -> GitRepo:
        import git

        try:
            return cls.open(root)
        except RepositoryError:
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
        import git

        try:
            return str(self.repo.git.rev_parse("--verify", "-q", "HEAD^{commit}")).strip() or None
        except git.GitCommandError:
            return None

    def uncommitted(self, paths: list[str]) -> list[str]:
        """Those of `paths` (rota-relative) that differ from HEAD, staged or not; untracked ones excluded."""
        output = self.repo.git.status(
            "--porcelain=v1", "-z", "--untracked-files=no", "--", *[self.relative(p) for p in paths]
        )
        changed = [entry[3:] for entry in str(output).split("\0") if len(entry) > 3]
        return [p for p in paths if self.relative(p) in changed]

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise lunchlearn writers on this clone; the OS drops the lock if a process dies."""
        from filelock import FileLock, Timeout

        self.state_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.state_dir / "write.lock", timeout=LOCK_TIMEOUT_SECONDS)
        try:
            with lock:
                self.recover()
                yield
        except Timeout:
            raise RepositoryError(
                "another lunchlearn command has been writing to this clone for "
                f"{LOCK_TIMEOUT_SECONDS}s; try again when it has finished"
            ) from None

    @property
    def _journal(self) -> Path:
        return self.state_dir / "journal.json"

    def recover(self) -> None:
        """Finish what a killed process left: undo its files unless its commit landed."""
        if not self._journal.exists():
            return
        try:
            journal = json.loads(self._journal.read_text(encoding="utf-8"))
            files = {path: _decode(data) for path, data in journal["files"].items()}
            head = journal["head"]
        except (ValueError, KeyError, TypeError):
            self._journal.unlink()
            return
        if self.head() == head:
            self._restore(files)
        self._journal.unlink()

    def write_and_commit(self, changes: Mapping[str, str | bytes | None], message: str) -> str:
        """Write each rota-relative path (None deletes it) and commit exactly those paths."""
        import git

        paths = list(changes)
        before = {path: _read_bytes(store.safe_path(self.root, path)) for path in paths}
        journal = {"head": self.head(), "files": {p: _encode(data) for p, data in before.items()}}
        store.atomic_write(self._journal, json.dumps(journal), scratch=self.state_dir)
        try:
            for path, text in changes.items():
                target = store.safe_path(self.root, path)
                if text is None:
                    target.unlink(missing_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    store.atomic_write(target, text, scratch=self.state_dir)
            tracked = [self.relative(p) for p in paths]
            self.repo.git.add("-A", "--", *tracked)
            self.repo.git.commit("--only", "--quiet", "-m", message, "--", *tracked)
        except git.GitCommandError as error:
            self._restore(before)
            self._journal.unlink(missing_ok=True)
            raise RepositoryError(f"git could not commit: {_reason(error)}; nothing was changed") from None
        except OSError as error:
            self._restore(before)
            self._journal.unlink(missing_ok=True)
            raise RepositoryError(f"could not write {error.filename}: {error.strerror}; nothing was changed") from None
        except BaseException:
            self._restore(before)
            self._journal.unlink(missing_ok=True)
            raise
        self._journal.unlink(missing_ok=True)
        return self.head() or ""

    def _restore(self, files: Mapping[str, bytes | None]) -> None:
        import git

        for path, data in files.items():
            target = store.safe_path(self.root, path)
            if data is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                store.atomic_write(target, data, scratch=self.state_dir)
        tracked = [self.relative(p) for p in files]
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
        output = self.repo.git.status(
            "--porcelain=v1", "-z", "--untracked-files=all", "--", *[self.relative(p) for p in paths]
        )
        changed = {entry[3:] for entry in str(output).split("\0") if len(entry) > 3}
        return [p for p in paths if self.relative(p) in changed]

    def last_commit_of(self, path: str) -> str | None:
        """The newest commit that changed `path` (rota-relative), or None."""
        output = self.repo.git.log("-1", "--format=%H", "--", self.relative(path))
        return str(output).strip() or None

    def push(self) -> None:
        """`git push` to the configured upstream; the message says what to do when it fails."""
        import git

        try:
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


def _reason(error: git.GitCommandError) -> str:
    text = str(error.stderr or error.stdout or "").strip().strip("'").strip()
    if "tell me who you are" in text or "empty ident" in text:
        return "git has no identity here; set it with `git config user.name` and `git config user.email`"
    lines = [line.strip() for line in text.replace("stderr:", "").splitlines() if line.strip()]
    return lines[-1] if lines else f"git commit exited with status {error.status} (a hook refused it?)"


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _encode(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _decode(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


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
