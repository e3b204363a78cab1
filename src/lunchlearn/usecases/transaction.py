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

from lunchlearn.rota.model import Rota
from lunchlearn.usecases.workspace import find_rota, today

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.usecases.sync import SyncReport


@dataclass
class Transaction:
    git: GitRepo
    rota: Rota  # as it is after bringing the remote's commits in
    today: date
    shared: SyncReport | None = None  # what sharing did, once the transaction has ended


@contextmanager
def transaction(repo: Path | None, *, share: bool, bring_in_first: bool = True) -> Iterator[Transaction]:
    """A write to the rota in `repo`; with `share` and `sync: auto`, synced with the upstream around it.

    `bring_in_first=False` is for writes of what the person already has on disk (`write`, `save`):
    their edits would stop the remote's commits from being brought in, so those are committed first.
    """
    from lunchlearn.git import readcache, transport
    from lunchlearn.git.driver import ensure_merge_driver
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.git.transaction import plan_from_here

    root = find_rota(repo)
    ensure_merge_driver(root)
    git = GitRepo.open(root)
    with git.writing():
        rota = readcache.read_rota(root)
        # A clone with no remote keeps its rota to itself on purpose: nothing to sync, nor to say.
        shares = share and rota.settings.sync == "auto" and transport.has_remote(git)
        upstream = transport.upstream(git) if shares else None
        before = None
        if upstream is not None and bring_in_first:
            from lunchlearn.usecases import sync  # with the merges it replays by: only a clone that shares

            before = sync.bring_in(git, upstream)
            if before.pulled:
                rota = readcache.read_rota(root)
        head = plan_from_here(git)
        day = today(rota.settings)
        done = Transaction(git, readcache.with_holidays(root, rota, day), day, shared=before)
        yield done
        if shares and git.head() != head:
            from lunchlearn.usecases import sync

            done.shared = sync.share_write(git, upstream, before)
