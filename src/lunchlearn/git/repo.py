"""The repository a rota lives in, and what it holds: identity, status, refs and commits (GitPython, loaded lazily).

Writing goes through `git.transaction`, sharing through `git.transport`, git's objects through `git.plumbing`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn import storage
from lunchlearn.errors import RepositoryError
from lunchlearn.git.statedir import STATE_FOLDER

if TYPE_CHECKING:
    import git

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


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    parent: str
    author_name: str
    author_email: str
    author_date: str
    message: str


class GitRepo:
    """A rota folder inside a git work tree (the rota may sit in a subfolder of the repository)."""

    def __init__(self, repo: git.Repo, root: Path) -> None:
        self.repo = repo
        self.root = root.resolve()
        self.top = Path(repo.working_tree_dir or root).resolve()
        self.state_dir = Path(repo.git_dir).resolve() / STATE_FOLDER
        self.lock_fd: int | None = None  # held while a write runs: see `transaction.locked`
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
        """The commit HEAD names, None before the first; read from git's ref files, with no git process."""
        from git.refs.symbolic import SymbolicReference

        try:
            return str(SymbolicReference.dereference_recursive(self.repo, "HEAD"))
        except Exception:  # an unborn branch, refs GitPython cannot read (reftable) or a damaged ref: git says
            return self.rev("HEAD")

    def branch(self) -> str | None:
        """The checked-out branch (`refs/heads/main`), None when HEAD is detached."""
        import git

        try:
            return str(self.repo.git.symbolic_ref("-q", "HEAD")).strip() or None
        except git.GitCommandError:
            return None

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

    def last_commit_of(self, path: str) -> str | None:
        """The newest commit that changed `path` (rota-relative), or None."""
        output = self.repo.git.log("-1", "--format=%H", "--", self.relative(path))
        return str(output).strip() or None

    def committed_text(self, path: str) -> str | None:
        """A rota-relative file as HEAD has it; None when HEAD does not have it."""
        import git

        try:
            text = self.repo.git.show(f"HEAD:{self.relative(path)}", strip_newline_in_stdout=False)
        except git.GitCommandError:
            return None
        return str(text)

    def uncommitted(self, paths: list[str]) -> list[str]:
        """Those of `paths` (rota-relative) that differ from HEAD, staged or not; untracked ones excluded."""
        changed = self._status([self.relative(p) for p in paths], untracked=False)
        return [p for p in paths if self.relative(p) in changed]

    def not_committed(self, paths: list[str]) -> list[str]:
        """Those of `paths` (rota-relative) that are untracked or differ from HEAD."""
        changed = self._status([self.relative(p) for p in paths], untracked=True)
        return [p for p in paths if self.relative(p) in changed]

    def changed_in_work_tree(self, tracked: list[str]) -> list[str]:
        """Those top-relative paths whose file or index entry differs from HEAD, untracked ones included."""
        return sorted(self._status(tracked, untracked=True))

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

    def _status(self, tracked: list[str], untracked: bool) -> set[str]:
        """Those top-relative paths whose file or index entry differs from HEAD."""
        if not tracked:
            return set()
        flag = "--untracked-files=all" if untracked else "--untracked-files=no"
        output = str(self.repo.git.status("--porcelain=v1", "-z", flag, "--", *tracked))
        return {entry[3:] for entry in output.split("\0") if len(entry) > 3}

    def unfinished_operation(self) -> str | None:
        """The git operation this work tree is half-way through (`merge`, `rebase`, ...), else None."""
        git_dir = Path(self.repo.git_dir)
        for marker, operation in _OPERATION_MARKERS:
            if (git_dir / marker).exists():
                return operation
        # A cherry-pick or revert of several commits whose conflict was committed by hand goes on.
        todo = storage.read_bytes(git_dir / "sequencer" / "todo")
        if todo is not None:
            return "revert" if todo.split(maxsplit=1)[:1] == [b"revert"] else "cherry-pick"
        return None

    def refuse_unfinished_operation(self) -> None:
        operation = self.unfinished_operation()
        if operation is not None:
            ending = _OPERATION_ENDINGS.get(
                operation, f"finish it (`git {operation} --continue`) or abort it (`git {operation} --abort`)"
            )
            raise RepositoryError(
                f"a {operation} is in progress in {self.top}; {ending}, then try again; nothing was changed"
            )

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

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The way in for every command that writes here: refused half-way through a git operation, then locked."""
        from lunchlearn.git.transaction import locked

        # A commit made during a rebase lands on its detached HEAD, and an abort drops it silently.
        self.refuse_unfinished_operation()
        with locked(self):
            yield
