"""Sharing through a remote: the upstream a branch tracks, fetch and push, and advice when they fail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from lunchlearn import progress
from lunchlearn.errors import RepositoryError
from lunchlearn.git.failures import failure_line, git_output, held_lock, reason

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo

# How a remote reports that another push moved the branch while this one was being received.
_RACE_WORDS = ("failed to update ref", "cannot lock ref", "incorrect old value", "failed to lock")


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


def upstream(git: GitRepo) -> Upstream | None:
    """The remote branch the checked-out branch tracks; None when it tracks none (or HEAD is detached)."""
    # One git call, for every branch: %(HEAD) marks the checked-out one (no line has it when detached).
    lines = str(git.repo.git.for_each_ref(
        "--format=%(HEAD)%00%(upstream:remotename)%00%(upstream:remoteref)%00%(upstream)", "refs/heads/"
    ))
    # Lines end at "\n" only: a branch name may hold U+2028 or U+0085, which splitlines() would break at.
    checked_out = next((line for line in lines.split("\n") if line.startswith("*\0")), None)
    parts = [] if checked_out is None else checked_out.split("\0")[1:]
    if len(parts) != 3 or not all(parts) or parts[0] == ".":
        return None
    return Upstream(*parts)


def has_remote(git: GitRepo) -> bool:
    return bool(git.repo.remotes)


def proposed_upstream(git: GitRepo) -> Upstream | None:
    """For a branch without upstream: the branch of its name on `origin`, or on the clone's only remote."""
    branch, remotes = git.branch(), [remote.name for remote in git.repo.remotes]
    if branch is None or not remotes or ("origin" not in remotes and len(remotes) > 1):
        return None
    remote = "origin" if "origin" in remotes else remotes[0]
    return Upstream(remote, branch, f"refs/remotes/{remote}/{branch.removeprefix('refs/heads/')}")


def set_upstream(git: GitRepo, upstream: Upstream) -> None:
    """Make `upstream` the current branch's, as `git push -u` would."""
    name = (git.branch() or "").removeprefix("refs/heads/")
    git.repo.git.config("--local", f"branch.{name}.remote", upstream.remote)
    git.repo.git.config("--local", f"branch.{name}.merge", upstream.remote_ref)


def fetch(git: GitRepo, upstream: Upstream) -> tuple[FetchStatus, str]:
    """Fetch the upstream branch; the status and, when it failed, git's reason."""
    import git as gitpython

    try:
        with progress.step(f"Fetching {upstream.label}"):
            git.repo.git.fetch("--quiet", "--no-tags", "--", upstream.remote, upstream.remote_ref)
    except gitpython.GitCommandError as error:
        why = failure_line(error) or f"git fetch exited with status {error.status}"
        if "couldn't find remote ref" in why:
            return FetchStatus.NO_BRANCH, why
        if held_lock(why):  # the remote answered: it is this clone that is busy
            raise RepositoryError(
                f"could not fetch {upstream.label}: {reason(error)}, then run lunchlearn sync; "
                "your commits are kept here"
            ) from None
        return FetchStatus.UNREACHABLE, why
    return FetchStatus.FETCHED, ""


def push_to(git: GitRepo, upstream: Upstream, commit: str) -> tuple[PushStatus, str]:
    """Publish `commit` as the upstream branch, never forcing; the status and git's reason."""
    import git as gitpython

    try:
        with progress.step(f"Pushing to {upstream.label}"):
            git.repo.git.push("--porcelain", "--quiet", "--", upstream.remote, f"{commit}:{upstream.remote_ref}")
    except gitpython.GitCommandError as error:
        text = f"{error.stdout}\n{error.stderr}"
        verdict = re.search(r"\[(remote )?rejected\]\s*(.*)", text)
        if verdict is None:
            return PushStatus.UNREACHABLE, failure_line(error) or f"git push exited with status {error.status}"
        why = verdict.group(2).strip().removeprefix("(").removesuffix(")") or failure_line(error)
        # Another push updating the branch at the same moment is a lost race, not a refusal.
        if verdict.group(1) and not any(word in why for word in _RACE_WORDS):
            said = [line for line in re.findall(r"remote:[ \t]*(.*?)[ \t]*$", text, re.MULTILINE) if line]
            return PushStatus.REFUSED, "; ".join([why, *said])  # what the remote's hook said, if anything
        locked = remote_lock_advice(text, upstream.label)
        return (PushStatus.LOCKED, locked) if locked else (PushStatus.REJECTED, why)
    return PushStatus.PUSHED, ""


def push(git: GitRepo) -> None:
    """`git push` to the configured upstream; the message says what to do when it fails."""
    import git as gitpython

    try:
        with progress.step(f"Pushing {git.top.name}"):
            git.repo.git.push()
    except gitpython.GitCommandError as error:
        tracked = upstream(git)
        locked = remote_lock_advice(git_output(error), tracked.label) if tracked else None
        if locked:
            raise RepositoryError(f"{locked}, then push it yourself; the commit is kept") from None
        advice = _first_push_advice(git)
        raise RepositoryError(
            advice or f"git push failed in {git.top}: {reason(error)}; the commit is kept, push it yourself"
        ) from None


def first_push_advice(git: GitRepo) -> str:
    """How to give this branch an upstream, naming a remote it has (or how to add one)."""
    return _first_push_advice(git) or f"push the branch of {git.top} to its upstream"


def _first_push_advice(git: GitRepo) -> str | None:
    """How to push a branch that has no upstream yet; None when it has one (or HEAD is detached)."""
    import git as gitpython

    try:
        git.repo.git.rev_parse("--abbrev-ref", "--symbolic-full-name", "@{upstream}")
        return None
    except gitpython.GitCommandError:
        pass
    branch = str(git.repo.git.rev_parse("--abbrev-ref", "HEAD")).strip()
    if branch == "HEAD":
        return None
    remotes = str(git.repo.git.remote()).split()
    if not remotes:
        return (
            f"the branch {branch} of {git.top} has no remote to push to; add one with `git remote add origin URL`, "
            f"then push it once with `git push -u origin {branch}`"
        )
    remote = "origin" if "origin" in remotes else remotes[0]
    return f"the branch {branch} of {git.top} has no upstream; push it once with `git push -u {remote} {branch}`"


def remote_lock_advice(text: str, label: str) -> str | None:
    """What to do when the remote could not lock its branch because a lock file is there; else None."""
    lock = held_lock(_remote_lock_failure(text) or "")
    if lock is None:
        return None
    return (
        f"could not lock the branch on {label}: {lock} exists on the remote (a push is still running "
        "there, or one that was killed left it behind); if no push is running, delete that file on the remote"
    )


def _remote_lock_failure(text: str) -> str | None:
    """The remote's own words when it could not lock the branch (`cannot lock ref '...': ...`)."""
    found = re.search(r"remote: (?:error: )?(cannot lock ref '[^']+': [^\n]*?)\.?\s*$", text, re.MULTILINE)
    return found.group(1) if found else None
