"""The one write transaction every writing command goes through.

Lock once (refused half-way through a git operation), bring the remote's commits in, read the rota
once, let the use case plan and commit, then share what it committed. A use case that needs more
than one commit (publish records in the rota after the site) makes them all inside one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn.rota.model import Rota, Talk
from lunchlearn.usecases.workspace import find_rota, today

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.usecases.sync import SyncReport


@dataclass
class Transaction:
    git: GitRepo
    rota: Rota  # as it is after bringing the remote's commits in; see `looks_at`
    today: date
    shared: SyncReport | None = None  # what sharing did, once the transaction has ended

    def booked(self, day: date) -> Talk:
        """The talk on `day`, or Refused naming every booked date (the older ones loaded to name them)."""
        if self.rota.talk_on(day) is None and self.rota.talks_since is not None:
            from lunchlearn.git import readcache

            return readcache.read_rota(self.git.root).booked(day)
        return self.rota.booked(day)


@contextmanager
def transaction(
    repo: Path | None, *, share: bool, bring_in_first: bool = True, looks_at: tuple[date, ...] | None = None
) -> Iterator[Transaction]:
    """A write to the rota in `repo`; with `share` and `sync: auto`, synced with the upstream around it.

    `bring_in_first=False` is for writes of what the person already has on disk (`write`, `save`):
    their edits would stop the remote's commits from being brought in, so those are committed first.
    `looks_at`, for a write whose rules look only at today and after and at these days: the rota may then
    leave out the talks before the earliest of them (`Rota.talks_since`), so a long history is not loaded
    to add one talk; ask `booked` for a talk by its day.
    """
    from lunchlearn.git import readcache, transport
    from lunchlearn.git.driver import ensure_merge_driver
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.git.transaction import plan_from_here

    root = find_rota(repo)
    ensure_merge_driver(root)
    git = GitRepo.open(root)
    since = None if looks_at is None else lambda settings: min((today(settings), *looks_at))
    with git.writing():
        rota = readcache.read_rota(root, since)
        # A clone with no remote keeps its rota to itself on purpose: nothing to sync, nor to say.
        shares = share and rota.settings.sync == "auto" and transport.has_remote(git)
        upstream = transport.upstream(git) if shares else None
        before = None
        if upstream is not None and bring_in_first:
            from lunchlearn.usecases import sync  # with the merges it replays by: only a clone that shares

            before = sync.bring_in(git, upstream)
            if before.pulled:
                rota = readcache.read_rota(root, since)
        head = plan_from_here(git)
        day = today(rota.settings)
        done = Transaction(git, readcache.with_holidays(root, rota, day), day, shared=before)
        yield done
        if shares and git.head() != head:
            from lunchlearn.usecases import sync

            done.shared = sync.share_write(git, upstream, before)
