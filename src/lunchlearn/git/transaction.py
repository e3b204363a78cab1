"""The write transaction: one writer at a time, a journal first, then files, index and HEAD together.

Writes go through `write_and_commit`, updates from the remote through `advance`: a journal naming the
files' old versions is saved under .git/ first, so a failed commit, or a process killed half-way, leaves
the clone exactly as before (`recover`, run by the next writer, finishes or undoes what it describes).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lunchlearn import storage
from lunchlearn.errors import RepositoryError
from lunchlearn.git import plumbing
from lunchlearn.git.failures import reason, why
from lunchlearn.git.statedir import JOURNAL

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo

LOCK_TIMEOUT_SECONDS = 60
# What a journal of each kind holds; one without them comes from another version and is dropped.
_JOURNAL_KEYS = {
    "write": ("kind", "token", "head", "paths", "backups", "written"),
    "advance": ("kind", "token", "old", "new", "paths"),
}


# The lock each clone's writer holds in this process, by state folder: `locked()` nests (sync wraps a write).
_held: dict[Path, int] = {}
# HEAD as the writer holding the lock last saw it, by state folder: when it read the rota it plans from,
# then after each of its commits (see `plan_from_here`). Two GitRepo objects of one clone share it.
_seen_heads: dict[Path, str | None] = {}


@contextmanager
def locked(git: GitRepo) -> Iterator[None]:
    """Serialise lunchlearn writers on this clone by a lock that every git a writer starts inherits.

    The OS drops it once no process holds it, so a killed writer never blocks the next one; but a
    writer killed alone leaves its git committing, which holds it still, so the next writer waits
    for that git and its hooks before it finishes what was left (see `recover`).
    """
    held = _held.get(git.state_dir)
    if held is not None:
        outer, git.lock_fd = git.lock_fd, held
        try:
            yield
        finally:
            git.lock_fd = outer
        return
    # Named as when a second lock came first, so a writer of an earlier version still waits for this one.
    path = git.state_dir / "family.lock"
    try:
        git.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)  # never a file a link points to
    except OSError as error:
        raise RepositoryError(f"could not take lunchlearn's lock {path}: {why(error)}; nothing was changed") from None
    try:
        _wait_for_lock(fd)
        _held[git.state_dir] = git.lock_fd = fd
        recover(git)
        yield
    finally:
        _held.pop(git.state_dir, None)
        _seen_heads.pop(git.state_dir, None)
        git.lock_fd = None
        os.close(fd)


def plan_from_here(git: GitRepo) -> str | None:
    """Note HEAD, and return it, as the writer reads the files it plans from: its commit is refused if a
    user's git moves HEAD before it (a commit, a checkout, a pull in another shell), as it would put back
    what that brought. Without a note, a write checks from the moment it begins writing."""
    head = _seen_heads[git.state_dir] = git.head()
    return head


def _wait_for_lock(fd: int) -> None:
    import fcntl

    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise RepositoryError(
                    "another lunchlearn command, or a git command one started (in a hook?), has been "
                    f"writing to this clone for {LOCK_TIMEOUT_SECONDS}s; try again when it has finished"
                ) from None
            time.sleep(0.05)


def _run(git: GitRepo, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run git holding this writer's lock (see `locked`), so a writer killed alone leaves it held."""
    command, lock = _with_the_lock(git, args)
    return str(git.repo.git.execute(command, env=dict(env or {}), pass_fds=lock))


def _exit_status(git: GitRepo, *args: str, env: Mapping[str, str] | None = None) -> int:
    """Run git as `_run` does, for its exit status alone."""
    command, lock = _with_the_lock(git, args)
    status, _, _ = git.repo.git.execute(
        command, env=dict(env or {}), pass_fds=lock, with_extended_output=True, with_exceptions=False
    )
    return int(status or 0)


def _with_the_lock(git: GitRepo, args: tuple[str, ...]) -> tuple[list[str], tuple[int, ...]]:
    executable = str(git.repo.git.GIT_PYTHON_GIT_EXECUTABLE or "git")
    return [executable, *args], (() if git.lock_fd is None else (git.lock_fd,))


def recover(git: GitRepo) -> None:
    """Finish what a killed writer left, as its journal describes: undo a write whose commit did not
    land, bring git's index up to one that did, complete an update from the remote.

    Of git's lock files only those the journal proves the dead writer's are removed; a failure
    keeps the journal for the next command and says so.
    """
    import git as gitpython

    for leftover in git.state_dir.glob(".lunchlearn-*"):  # temporary files, folders and indexes
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    journal = _read_journal(git)
    if journal is None:
        _drop_journal(git)
        return
    try:
        if journal["kind"] == "advance":
            _remove_own_git_locks(git, lambda sha: sha == journal["new"])
            _roll_forward(git, journal)
        else:
            _finish_write(git, journal)
    except (OSError, gitpython.GitCommandError) as error:
        raise RepositoryError(
            "an interrupted lunchlearn command left a change half-done that cannot be finished now "
            f"({why(error)}); lunchlearn tries again on its next command"
        ) from None
    _release_index_lock(git, journal["token"])
    _drop_journal(git)


def _read_journal(git: GitRepo) -> dict[str, Any] | None:
    """The journal a killed writer left; None when there is none, or none this version can read."""
    try:
        journal = json.loads(_journal(git).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return None  # unreadable: it describes nothing that could be undone
    if not isinstance(journal, dict):
        return None
    keys = _JOURNAL_KEYS.get(str(journal.get("kind")))
    return journal if keys and all(key in journal for key in keys) else None


def _drop_journal(git: GitRepo) -> None:
    _journal(git).unlink(missing_ok=True)
    shutil.rmtree(_backups(git), ignore_errors=True)


def _finish_write(git: GitRepo, journal: dict[str, Any]) -> None:
    _remove_own_git_locks(git, lambda sha: _made_by(git, journal, sha))
    head = git.head()
    if head == journal["head"]:
        _put_back(git, journal, unchanged_only=True)
    elif head is not None and _made_by(git, journal, head):
        _take_index_lock(git, journal["token"])
        _update_index(git, head, [git.relative(p) for p in journal["paths"]])


def _made_by(git: GitRepo, journal: Mapping[str, Any], commit: str) -> bool:
    """Whether `commit` is the one the journal's writer was making: on its HEAD, only its paths."""
    import git as gitpython

    try:
        parent = git.rev(f"{commit}^") if git.rev(commit) else None
        changed = _committed_paths(git, commit)
    except gitpython.GitCommandError:
        return False
    return parent == journal["head"] and changed <= {git.relative(p) for p in journal["paths"]}


def _committed_paths(git: GitRepo, commit: str) -> set[str]:
    output = git.repo.git.diff_tree("--no-commit-id", "--name-only", "-r", "-z", "--root", commit)
    return {path for path in str(output).split("\0") if path}


def _head_commit(git: GitRepo) -> tuple[str | None, set[str]]:
    """HEAD and the paths its commit changed, from one git call; None when there is no commit."""
    import git as gitpython

    try:
        output = git.repo.git.diff_tree("--always", "--name-only", "-r", "-z", "--root", "HEAD^{commit}")
    except gitpython.GitCommandError:
        return None, set()
    head, *paths = str(output).split("\0")
    return head or None, {path for path in paths if path}


def _remove_own_git_locks(git: GitRepo, ours: Callable[[str], bool]) -> None:
    """Remove the lock files a git of this writer left when it died committing or moving HEAD.

    Such a lock was created after the journal, by a git that is gone (the writer's lock says so). A
    ref lock is empty or names the writer's own commit: a git elsewhere holds one for milliseconds
    and writes its own commit into it. A partial commit's `next-index-<pid>.lock` can only be
    this writer's: git creates one while holding the index lock, which was this writer's.
    """
    since = _journal(git).stat().st_mtime
    branch = git.branch()
    git_dir = Path(git.repo.git_dir)
    ref_locks = [git_dir / "HEAD.lock"]
    if branch is not None:
        ref_locks.append(Path(git.repo.common_dir) / f"{branch}.lock")
    for lock in ref_locks:
        try:
            created = lock.stat().st_mtime
            content = lock.read_text(encoding="ascii", errors="replace").strip()
        except FileNotFoundError:
            continue
        if created >= since and (not content or (_is_object_name(content) and ours(content))):
            lock.unlink(missing_ok=True)
    for lock in git_dir.glob("next-index-*.lock"):
        with suppress(FileNotFoundError):
            if lock.stat().st_mtime >= since:
                lock.unlink()


def _take_index_lock(git: GitRepo, token: str) -> None:
    """Take git's index lock as git does, with this writer's token in it: proof for recovery it was ours."""
    if _holds_index_lock(git, token):
        return  # a killed writer's, which recovery carries on
    claim = git.state_dir / f".lunchlearn-claim-{token}"
    claim.write_text(_lock_text(token), encoding="utf-8")
    try:
        os.link(claim, _index_lock(git))  # atomic, and never replaces a lock someone holds
    except FileExistsError:
        raise RepositoryError(
            f"another git command is using this repository ({_index_lock(git)} exists); wait for it "
            "to finish, or delete that file if no git is running; nothing was changed"
        ) from None
    finally:
        claim.unlink(missing_ok=True)


def _holds_index_lock(git: GitRepo, token: str) -> bool:
    return storage.read_bytes(_index_lock(git)) == _lock_text(token).encode("utf-8")


def _release_index_lock(git: GitRepo, token: str) -> None:
    if _holds_index_lock(git, token):
        _index_lock(git).unlink()


def _copy_index(git: GitRepo, target: Path) -> None:
    """A copy of git's index, timestamps kept so git still tells racily-changed files apart."""
    if _index(git).exists():
        shutil.copy2(_index(git), target)
    else:
        target.unlink(missing_ok=True)


def _update_index(git: GitRepo, commit: str, tracked: list[str]) -> None:
    """Make git's index agree with `commit` for these top-relative paths; the index lock is ours."""
    scratch = git.state_dir / ".lunchlearn-next.index"
    try:
        _copy_index(git, scratch)
        _run(git, "reset", "-q", commit, "--", *tracked, env={"GIT_INDEX_FILE": str(scratch)})
        os.replace(scratch, _index(git))
    finally:
        scratch.unlink(missing_ok=True)


def write_and_commit(git: GitRepo, changes: Mapping[str, str | bytes | None], message: str) -> str:
    """Write each rota-relative path (None deletes it) and commit exactly those paths.

    The old files are kept as hard links and a journal names them before anything changes, so
    putting them back needs no free space; git's index stays locked until files, index and HEAD
    agree again, so the user's git never sees a half-done write.
    """
    paths = list(changes)
    token = os.urandom(16).hex()
    seen = _seen_heads[git.state_dir] if git.state_dir in _seen_heads else git.head()
    head, hooks = _head_and_hooks(git)
    try:
        journal = {
            "kind": "write",
            "token": token,
            "head": head,
            "paths": paths,
            "backups": _back_up(git, paths),
            "written": {p: _digest(_as_bytes(data)) for p, data in changes.items()},
        }
        storage.atomic_write(_journal(git), json.dumps(journal), scratch=git.state_dir)
    except OSError as error:
        _drop_journal(git)
        raise RepositoryError(
            f"could not save lunchlearn's journal in {git.state_dir}: {why(error)}; nothing was changed"
        ) from None
    new_folders = _missing_folders(git, paths)
    with _interrupts_deferred():
        try:
            _take_index_lock(git, token)
        except RepositoryError:
            _drop_journal(git)
            raise
        _refuse_moved_meanwhile(git, seen, token)
        try:
            _write_files(git, changes)
            head = _commit(git, [git.relative(p) for p in paths], journal, message, hooks)
        except BaseException as error:
            problem = str(error) if isinstance(error, _Failed) else None
            _undo(git, journal, new_folders, problem or "the command was interrupted")
            if problem is None:
                raise
            raise RepositoryError(f"{problem}; nothing was changed") from None
        _finish_commit(git, journal, head, hooks)
    if git.state_dir in _seen_heads:
        _seen_heads[git.state_dir] = head
    return head


def _refuse_moved_meanwhile(git: GitRepo, seen: str | None, token: str) -> None:
    """Refuse a write when the user's git, in another shell, began a merge or rebase since `writing`
    checked, or moved HEAD from where the writer saw it: the files would put back what that brought,
    the commit would conclude its merge, and taking a failed commit back would take theirs too. Once
    the index lock is ours, no git can do either; refused, the writer lets it go and drops its journal."""
    try:
        git.refuse_unfinished_operation()
        if git.head() != seen:
            raise RepositoryError(
                "a git command in another shell made a commit or checkout while lunchlearn was writing; "
                "nothing was changed: run the command again"
            )
    except BaseException:
        _release_index_lock(git, token)
        _drop_journal(git)
        raise


def _back_up(git: GitRepo, paths: list[str]) -> dict[str, str | None]:
    """Keep each existing file under the backup folder, by a hard link where the file system has them."""
    shutil.rmtree(_backups(git), ignore_errors=True)
    _backups(git).mkdir(parents=True)
    names: dict[str, str | None] = {}
    for number, path in enumerate(paths):
        source = storage.safe_path(git.root, path)
        names[path] = None
        if os.path.lexists(source):
            names[path] = str(number)
            try:
                os.link(source, _backups(git) / str(number), follow_symlinks=False)
            except OSError:
                shutil.copy2(source, _backups(git) / str(number), follow_symlinks=False)
    return names


def _write_files(git: GitRepo, files: Mapping[str, str | bytes | None]) -> None:
    """Write each rota-relative file atomically; None deletes it. A failure names the file meant."""
    for path, data in files.items():
        target = storage.safe_path(git.root, path)
        try:
            if data is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                storage.atomic_write(target, data, scratch=git.state_dir)
        except OSError as error:
            raise _Failed(f"could not write {path}: {why(error)}") from None


def _head_and_hooks(git: GitRepo) -> tuple[str | None, list[Path]]:
    """HEAD (None before the first commit) and the hooks a commit would run, from one git call."""
    status, output, _ = git.repo.git.rev_parse(
        "--git-path", "hooks", "--verify", "-q", "HEAD^{commit}", with_extended_output=True, with_exceptions=False
    )
    # The folder's name may end in a space or hold a newline: only HEAD, when there is one, is a line of its own.
    folder, _, head = str(output).rpartition("\n") if status == 0 else (str(output), "", "")
    hooks = Path(git.top, folder)
    try:
        # Any hook may change a commit (a post-commit one may amend it), so any one present means checking it.
        names = sorted(name for name in os.listdir(hooks) if not name.endswith(".sample"))
    except OSError:
        names = []
    return head.strip() or None, [hooks / name for name in names if os.access(hooks / name, os.X_OK)]


def _commit(git: GitRepo, tracked: list[str], journal: Mapping[str, Any], message: str, hooks: list[Path]) -> str:
    """Commit exactly these top-relative paths, from a private copy of git's index; the new HEAD.

    The commit holds HEAD plus these paths whatever else the user has staged: when they have staged
    something, naming the paths makes it git's partial commit (`--only`); when not, the private index
    is HEAD plus these paths once they are added, and a plain commit of it is the same commit without
    the partial commit's work on the whole index (≈80 ms on 10,000 files). Either way the private
    index ends up as git's index should be after it (see `_finish_commit`). git's own index is left
    alone (its lock is ours). A commit a hook added other files to is taken back, since lunchlearn
    commits only its own paths, and so is one a hook left some of them out of. Without hooks the
    commit holds exactly those paths, so only with hooks is what it changed read back (a whole tree
    on a long history).
    """
    import git as gitpython

    index = _private_index(git)
    private = {"GIT_INDEX_FILE": str(index)}
    pathspecs = [f":(literal){path}" for path in tracked]
    try:
        _copy_index(git, index)
        only = ("--", *pathspecs) if _anything_staged(git, journal["head"], private) else ()
        _run(git, "add", "-A", "--", *pathspecs, env=private)  # a partial commit takes only paths git knows
        staged = _staged(git, journal["head"], pathspecs, private) if hooks else set()
        # Automatic gc would run detached, holding the writer's lock long after the commit.
        no_gc = ("-c", "gc.auto=0", "-c", "maintenance.auto=false")
        _run(git, *no_gc, "commit", "--quiet", "-m", message, *only, env=private)
    except gitpython.GitCommandError as error:
        raise _Failed(f"git could not commit: {reason(error)}") from None
    except OSError as error:
        raise _Failed(f"could not prepare git's index for the commit: {why(error)}") from None
    head, committed = _head_commit(git) if hooks else (git.head(), set())
    if head is None:
        raise _Failed("git made no commit")
    foreign = sorted(committed - set(tracked))
    if foreign:
        raise _Failed(
            f"{_commit_hooks(hooks)} added {', '.join(foreign)} to lunchlearn's commit, which commits only "
            "its own files; lunchlearn took that commit back: make the hook add only files that were "
            "already staged, or commit your own work first"
        )
    left_out = sorted(staged - committed)
    if left_out:
        raise _Failed(
            f"{_commit_hooks(hooks)} left {', '.join(left_out)} out of lunchlearn's commit; lunchlearn took "
            "that commit back: make the hook leave staged files staged"
        )
    return head


def _anything_staged(git: GitRepo, head: str | None, private: Mapping[str, str]) -> bool:
    """Whether the private index differs from `head` (always so before the first commit); quick while
    git's cache of the index's trees is valid, as a commit or a checkout leaves it."""
    # 1 when it differs; anything else is a failure that the partial commit then reports
    # A submodule whose config says `ignore = all` may still have a staged update: it must count.
    if head is None:
        return True
    status = _exit_status(git, "diff-index", "--cached", "--quiet", "--ignore-submodules=none", head, "--", env=private)
    return status != 0


def _staged(git: GitRepo, head: str | None, pathspecs: list[str], private: Mapping[str, str]) -> set[str]:
    """Those of the paths the private index changes from `head`: what the commit holds, unless a hook meddles."""
    if head is None:
        output = _run(git, "ls-files", "-z", "--", *pathspecs, env=private)
    else:
        output = _run(git, "diff-index", "--cached", "--name-only", "-z", head, "--", *pathspecs, env=private)
    return {path for path in output.split("\0") if path}


def _commit_hooks(hooks: list[Path]) -> str:
    """The hooks that may change what a commit holds, as a phrase naming those present."""
    # post-commit and reference-transaction run once the commit is made, and may amend it or commit again.
    commit_hooks = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "reference-transaction")
    present = [hook for hook in hooks if hook.name in commit_hooks]
    return f"the git hook {', '.join(map(str, present))}" if present else "a git hook"


def _undo(git: GitRepo, journal: Mapping[str, Any], new_folders: list[Path], problem: str) -> None:
    """Take back a failed write: HEAD, the files, the lock. A failure here keeps the journal, and says so."""
    import git as gitpython

    try:
        _private_index(git).unlink(missing_ok=True)
        _remove_own_git_locks(git, lambda sha: _made_by(git, journal, sha))
        head = git.head()
        if head != journal["head"] and head is not None:
            _move_head_back(git, head, journal["head"])
        _put_back(git, journal, unchanged_only=False)
        for folder in new_folders:
            with suppress(OSError):
                folder.rmdir()  # only when empty: nothing of anyone else's goes
        _release_index_lock(git, journal["token"])
    except (OSError, gitpython.GitCommandError) as error:
        raise RepositoryError(
            f"{problem}, and putting things back failed too ({why(error)}), so "
            f"{', '.join(journal['paths'])} may still hold the new version: lunchlearn puts them back "
            "on its next command (for example `lunchlearn check`) once that can succeed"
        ) from None
    _drop_journal(git)


def _move_head_back(git: GitRepo, head: str, old: str | None) -> None:
    message = "lunchlearn: take back a commit that held files not its own"
    if old is None:
        _run(git, "update-ref", "-m", message, "-d", "HEAD", head)
    else:
        _run(git, "update-ref", "-m", message, "HEAD", old, head)


def _put_back(git: GitRepo, journal: Mapping[str, Any], unchanged_only: bool) -> None:
    """Put the journal's files back from their backups by renaming: no free space needed.

    With `unchanged_only`, a file someone edited since the writer wrote it is theirs now and stays.
    """
    for path in journal["paths"]:
        target = storage.safe_path(git.root, path)
        if unchanged_only and _digest(storage.read_bytes(target)) != journal["written"][path]:
            continue
        backup = journal["backups"][path]
        if backup is None:
            target.unlink(missing_ok=True)
        elif (_backups(git) / backup).exists() or (_backups(git) / backup).is_symlink():
            os.replace(_backups(git) / backup, target)


def _finish_commit(git: GitRepo, journal: Mapping[str, Any], head: str, hooks: list[Path]) -> None:
    """Bring git's index up to the new commit; a failure keeps the journal and the lock, and says so.

    Without hooks the private index the commit was made from is that index already: the user's
    staged work as it was, lunchlearn's paths as committed. A hook may have committed other
    versions of them, so with hooks they are read from the commit.
    """
    import git as gitpython

    try:
        if hooks:
            _private_index(git).unlink(missing_ok=True)
            _update_index(git, head, [git.relative(p) for p in journal["paths"]])
        else:
            os.replace(_private_index(git), _index(git))
    except (OSError, gitpython.GitCommandError) as error:
        raise RepositoryError(
            f"committed {head[:7]}, but could not bring git's index up to date ({why(error)}); "
            f"lunchlearn keeps {_index_lock(git)} until it has, which it does on its next command "
            "(for example `lunchlearn check`) once that can succeed"
        ) from None
    _release_index_lock(git, journal["token"])
    _drop_journal(git)


def _missing_folders(git: GitRepo, paths: list[str]) -> list[Path]:
    """The folders writing `paths` would create, deepest first."""
    missing: set[Path] = set()
    for path in paths:
        folder = storage.safe_path(git.root, path).parent
        while not folder.exists() and folder != git.root:
            missing.add(folder)
            folder = folder.parent
    return sorted(missing, key=lambda folder: len(folder.parts), reverse=True)


def advance(git: GitRepo, old: str, new: str) -> None:
    """Move the branch from `old` to `new`, and the work tree and index with it.

    A journal is written first: a process killed half-way is completed (rolled forward) by the
    next lunchlearn writer, since every object of `new` already exists.
    """
    changes = plumbing.tree_changes(git, old, new)
    paths = sorted(changes)
    busy = git.changed_in_work_tree(paths)
    if busy:
        raise RepositoryError(
            f"{', '.join(busy)} has changes not committed here that the update from the remote "
            "would overwrite; commit or stash them, then run lunchlearn sync"
        )
    for path, entry in changes.items():
        if entry is not None and entry.mode == plumbing.SYMLINK_MODE:
            _link_target(git, path, entry)  # refuses a link out of the repository up front
    token = os.urandom(16).hex()
    journal = {"kind": "advance", "token": token, "old": old, "new": new, "paths": paths}
    try:
        storage.atomic_write(_journal(git), json.dumps(journal), scratch=git.state_dir)
    except OSError as error:
        raise RepositoryError(
            f"could not save lunchlearn's journal in {git.state_dir}: {why(error)}; nothing was changed"
        ) from None
    with _interrupts_deferred():
        try:
            _take_index_lock(git, token)
        except RepositoryError as error:
            _drop_journal(git)
            raise RepositoryError(f"{error.message}, then run lunchlearn sync") from None
        _refuse_moved_meanwhile(git, old, token)
        try:
            _roll_forward(git, journal)
        except OSError as error:
            raise RepositoryError(
                f"could not update the work tree from the remote ({why(error)}); lunchlearn "
                "finishes the update on its next command (for example `lunchlearn check`)"
            ) from None
        _release_index_lock(git, token)
        _drop_journal(git)


def _link_target(git: GitRepo, path: str, entry: plumbing.TreeEntry) -> str:
    """The target of a symlink arriving from the remote, refused if it leads out of the repository."""
    target = os.fsdecode(plumbing.blob(git, entry.sha))
    link = git.top / path
    if Path(target).is_absolute() or not (link.parent / target).resolve().is_relative_to(git.top):
        raise RepositoryError(
            f"{path} on the remote is a symbolic link to {target!r}, outside the repository; "
            "sync changed nothing here: remove or fix that link on the remote"
        )
    return target


def _roll_forward(git: GitRepo, journal: Mapping[str, Any]) -> None:
    """Write `new`'s version of the paths, then the index, then move HEAD; undone if the index fails."""
    import git as gitpython

    old, new, paths, token = journal["old"], journal["new"], journal["paths"], journal["token"]
    _write_tree_entries(git, new, paths)
    try:
        _take_index_lock(git, token)
        _update_index(git, new, paths)
    except (RepositoryError, OSError, gitpython.GitCommandError) as error:
        _write_tree_entries(git, old, paths)
        _release_index_lock(git, token)
        _drop_journal(git)
        raise RepositoryError(
            f"git could not update its index ({why(error)}); the files were put back and "
            "nothing was changed"
        ) from None
    if git.head() == old:
        _run(git, "update-ref", "-m", "lunchlearn sync", "HEAD", new, old)


def _write_tree_entries(git: GitRepo, commit: str, paths: list[str]) -> None:
    """Make the work tree hold `commit`'s version of these top-relative paths."""
    for path in paths:
        entry = plumbing.entry_at(git, commit, path)
        if entry is not None and entry.mode == plumbing.GITLINK_MODE:
            continue  # a submodule's folder is the submodule's own business
        target = storage.safe_path(git.top, path)
        if entry is None:
            if target.is_symlink() or target.is_file():
                target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.mode == plumbing.SYMLINK_MODE:
            link = _link_target(git, path, entry)
            if target.is_symlink() or target.exists():
                target.unlink()
            os.symlink(link, target)
            continue
        if target.is_symlink():
            target.unlink()
        storage.atomic_write(target, plumbing.blob(git, entry.sha), scratch=git.state_dir)
        if entry.mode == "100755":
            target.chmod(target.stat().st_mode | 0o111)


def _journal(git: GitRepo) -> Path:
    return git.state_dir / JOURNAL


def _backups(git: GitRepo) -> Path:
    return git.state_dir / "backup"


def _private_index(git: GitRepo) -> Path:
    return git.state_dir / ".lunchlearn-commit.index"  # a leftover goes with recovery's `.lunchlearn-*`


def _index(git: GitRepo) -> Path:
    return Path(git.repo.git_dir) / "index"


def _index_lock(git: GitRepo) -> Path:
    return Path(git.repo.git_dir) / "index.lock"


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


class _Failed(Exception):
    """A step of a write failed; the message says which and why, and the write is taken back."""


def _is_object_name(text: str) -> bool:
    return re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", text) is not None


def _lock_text(token: str) -> str:
    return f"lunchlearn {token}\n"


def _as_bytes(data: str | bytes | None) -> bytes | None:
    return data.encode("utf-8") if isinstance(data, str) else data


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()
