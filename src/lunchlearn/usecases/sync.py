"""Sharing the rota through the clone's upstream: fetch, replay local commits on the remote's, push.

The remote is the arbiter: whatever reached it first stays. The local commits (the branch's own
line, a `git pull` merge among them included) are replayed one by one on top of the remote branch,
or as one net change when a later merge resolved what conflicted on the way; schedule.yaml is merged
by meaning (merge.py) with the remote's version kept for a date both sides changed, articles as
text. A local change the remote overruled is undone whole, articles included: a lost sign-up's stub
goes, an article its author had already written is kept, marked withdrawn. A new article whose slug
the remote already has gets a free one. The result must pass `lunchlearn check` as well as the
remote does. Nothing is pushed by force, and the work tree moves only when all of that succeeded.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn.errors import Refused, RepositoryError
from lunchlearn.git import plumbing, transaction, transport
from lunchlearn.git.plumbing import TreeEntry
from lunchlearn.git.transport import FetchStatus, PushStatus, Upstream
from lunchlearn.rota import article_file, model, schedule_file, shared_files, yamltext
from lunchlearn.rota.merge import Overruled, ReplayPlan, plan_replay, take_theirs
from lunchlearn.rota.model import Rota, Talk
from lunchlearn.usecases.workspace import find_rota, today

if TYPE_CHECKING:
    from lunchlearn.git.repo import CommitInfo, GitRepo

MAX_PUSH_ATTEMPTS = 5
_TEXT_MODES = {"100644", "100755"}  # merged as text; links and submodules only whole


@dataclass(frozen=True)
class Undone:
    """A local change the remote overruled: what it was, and a sentence for the user."""

    key: str  # as in merge.Conflict: an ISO date, `settings.<name>` or a section's name
    message: str


@dataclass(frozen=True)
class SyncReport:
    upstream: str  # `origin/main`
    pulled: int = 0  # commits brought in from the remote
    pushed: int = 0  # local commits now on the remote (or that would be, in a dry run)
    undone: tuple[Undone, ...] = ()
    unreachable: str | None = None  # git's reason when the remote could not be reached
    # Local commits not on the remote as last fetched, when it could not be reached; None when this
    # clone never fetched its branch, so what it has is unknown.
    waiting: int | None = 0
    dry_run: bool = False
    created: bool = False  # the remote had no such branch: the push created it
    local_only: str | None = None  # why nothing is shared: no upstream, a detached HEAD
    # After a write: why its commits, kept here, were not shared (the remote refused the push, a conflict)
    not_shared: str | None = None
    upstream_set: bool = False  # the branch had no upstream: this sync made `upstream` its upstream


@dataclass(frozen=True)
class _Replay:
    tip: str  # the new local branch tip
    pulled: int
    undone: tuple[Undone, ...]


def sync(repo: Path | None, dry_run: bool) -> SyncReport:
    """Bring the clone up to date with its upstream and push its commits."""
    from lunchlearn.git.repo import GitRepo

    git = GitRepo.open(find_rota(repo))
    with git.writing():  # a rebase detaches HEAD: refused before the upstream is looked for
        upstream = transport.upstream(git)
        adopted = upstream is None
        upstream = upstream or transport.proposed_upstream(git)
        if upstream is None:
            raise RepositoryError(f"there is nothing to sync with: {_why_not_shared(git)}")
        report = _sync(git, upstream, dry_run)
        if adopted and not dry_run and report.unreachable is None:
            transport.set_upstream(git, upstream)  # as `git push -u` does: later writes share by themselves
            return replace(report, upstream_set=True)
    return report


def bring_in(git: GitRepo, upstream: Upstream) -> SyncReport:
    """Before a write: bring the remote's commits in (and push any waiting), so the write sees them. When
    that fails, the write goes ahead here all the same, as when the remote cannot be reached."""
    return _sync_or_keep_here(git, upstream)


def _sync_or_keep_here(git: GitRepo, upstream: Upstream) -> SyncReport:
    try:
        return _sync(git, upstream, dry_run=False)
    except RepositoryError as error:  # the remote refused the push, or a conflict stopped the replay
        return SyncReport(upstream.label, not_shared=error.message)


def share_write(git: GitRepo, upstream: Upstream | None, before: SyncReport | None) -> SyncReport:
    """After a write committed: push it, replaying and retrying if someone else pushed first.

    When the remote took the same date meanwhile, the write is undone and Refused says who took it
    and which dates are open.
    """
    if upstream is None:  # a clone with a remote, but no upstream for this branch
        return SyncReport("", local_only=_why_not_shared(git))
    if before is not None and before.unreachable is not None:
        return replace(before, waiting=_waiting(git, upstream))
    if before is not None and before.not_shared is not None:
        return before  # what stopped the sync before the write stops it after
    after = _sync_or_keep_here(git, upstream)
    if after.undone:
        raise Refused(" ".join(u.message for u in after.undone))
    if before is None:
        return after
    return replace(
        after, pulled=before.pulled + after.pulled, pushed=before.pushed + after.pushed, undone=before.undone
    )


def _why_not_shared(git: GitRepo) -> str:
    """Why a clone without an upstream shares nothing, and how to start sharing."""
    if git.branch() is None:
        branches = [head.name for head in git.repo.heads]
        if len(branches) == 1:
            switch = f"`git switch {branches[0]}`"
        else:  # none yet: make one; several: which is the user's to say
            switch = "`git switch` to your branch" if branches else "`git switch -c main`"
        commit = (git.head() or "HEAD")[:12]
        return (
            f"this clone is on a detached HEAD, not on a branch; your commits are kept here, up to {commit}. "
            f"Bring them onto a branch ({switch}, then `git merge {commit}`), then run lunchlearn sync"
        )
    return (
        f"{transport.first_push_advice(git)}; your commits are kept here. Then run lunchlearn sync "
        "(or set `sync: manual` to keep the rota local)"
    )


def _sync(git: GitRepo, upstream: Upstream, dry_run: bool) -> SyncReport:
    pulled, undone = 0, tuple[Undone, ...]()
    for _ in range(MAX_PUSH_ATTEMPTS):
        fetched, reason = transport.fetch(git, upstream)
        if fetched is FetchStatus.UNREACHABLE:
            return _not_shared(git, upstream, reason, pulled, undone, dry_run)
        head = git.head()
        if fetched is FetchStatus.NO_BRANCH and head is not None:
            return _create_branch(git, upstream, head, dry_run)
        remote = git.rev(upstream.tracking_ref)
        if remote is None or head is None:
            raise RepositoryError(
                f"{upstream.label} or this branch has no commits yet; push once with "
                "`git push -u origin HEAD`, then run lunchlearn sync"
            )
        replay = _replay(git, head, remote, upstream.label, dry_run)
        if replay.tip != head:
            _check_rota(git, replay.tip, upstream.label)
        if replay.tip != remote:
            _check_result(git, replay.tip, remote, upstream.label)
        pulled, undone = pulled + replay.pulled, undone + replay.undone
        if not dry_run and replay.tip != head:
            transaction.advance(git, head, replay.tip)
        ahead = len(git.commits_between(remote, replay.tip))
        if dry_run or ahead == 0:
            return SyncReport(upstream.label, pulled, ahead, undone, dry_run=dry_run)
        status, reason = transport.push_to(git, upstream, replay.tip)
        if status is PushStatus.PUSHED:
            return SyncReport(upstream.label, pulled, ahead, undone)
        if status is PushStatus.REFUSED:
            raise RepositoryError(
                f"{upstream.label} refused the push ({reason}); your commits are kept here, "
                "not shared yet"
            )
        if status is PushStatus.UNREACHABLE:
            return _not_shared(git, upstream, reason, pulled, undone, dry_run)
    raise _gave_up(upstream.label, status, reason)


def _gave_up(label: str, status: PushStatus, reason: str) -> RepositoryError:
    """Why the last of the push attempts failed: the remote kept moving, or a lock file is there."""
    if status is PushStatus.LOCKED:
        return RepositoryError(f"{reason}, then run lunchlearn sync; your commits are kept here, not shared yet")
    return RepositoryError(
        f"{label} changed {MAX_PUSH_ATTEMPTS} times while pushing ({reason}); your commits are "
        "kept here, not shared yet: run lunchlearn sync again"
    )


def _create_branch(git: GitRepo, upstream: Upstream, head: str, dry_run: bool) -> SyncReport:
    """Push the branch to a remote that does not have it yet (a freshly made, empty one)."""
    ahead = len(git.commits_between(None, head))
    if dry_run:
        return SyncReport(upstream.label, pushed=ahead, created=True, dry_run=True)
    status, reason = transport.push_to(git, upstream, head)
    if status is PushStatus.PUSHED:
        return SyncReport(upstream.label, pushed=ahead, created=True)
    if status is PushStatus.UNREACHABLE:
        return SyncReport(upstream.label, unreachable=reason, waiting=ahead)
    raise RepositoryError(
        f"{upstream.label} refused the push that would create it ({reason}); your commits are "
        "kept here, not shared yet: run lunchlearn sync again"
    )


def _not_shared(
    git: GitRepo,
    upstream: Upstream,
    reason: str,
    pulled: int,
    undone: tuple[Undone, ...],
    dry_run: bool,
) -> SyncReport:
    return SyncReport(
        upstream.label,
        pulled,
        undone=undone,
        unreachable=reason,
        waiting=_waiting(git, upstream),
        dry_run=dry_run,
    )


def _waiting(git: GitRepo, upstream: Upstream) -> int | None:
    """The local commits the remote lacked when last fetched; None when it never was."""
    remote, head = git.rev(upstream.tracking_ref), git.head()
    if head is None:
        return 0
    return None if remote is None else len(git.commits_between(remote, head))


def _check_rota(git: GitRepo, commit: str, label: str) -> None:
    """Refuse to bring in or push a rota that does not parse."""
    _, problems = _parse_rota_blob(git, plumbing.entry_at(git, commit, git.relative(model.SCHEDULE)))
    if problems:
        raise RepositoryError(
            f"the rota merged with {label} would not be valid ({problems[0]}); nothing was changed "
            f"here: fix schedule.yaml on {label} (see `git show {label}:{model.SCHEDULE}`), then "
            "run lunchlearn sync again"
        )


def _check_result(git: GitRepo, tip: str, remote: str, label: str) -> None:
    """Refuse to push a result with a problem `lunchlearn check` would report that the remote has not."""
    import tempfile

    from lunchlearn.usecases import checking

    found = []
    for commit in (remote, tip):
        with tempfile.TemporaryDirectory(prefix=".lunchlearn-", dir=git.state_dir) as folder:
            rota_folder = plumbing.export_rota(git, commit, Path(folder))
            prefix = f"{rota_folder.name}/"
            problems = checking.check_folder(rota_folder).problems
            shown = {replace(p, file=p.file.rsplit(prefix, 1)[-1]) for p in problems}
        found.append({(p.file, _LINE_NOTE.sub("", p.message)): p for p in shown})
    new = [problem for key, problem in found[1].items() if key not in found[0]]
    if new:
        raise RepositoryError(
            f"the rota merged with {label} would fail `lunchlearn check` ({new[0]}); nothing was "
            "changed or pushed: fix it in your commits, then run lunchlearn sync again"
        )


_LINE_NOTE = re.compile(r" \(line \d+\)")


def _rota_at(git: GitRepo, commit: str) -> Rota | None:
    return _parse_rota_blob(git, plumbing.entry_at(git, commit, git.relative(model.SCHEDULE)))[0]


def _parse_rota_blob(git: GitRepo, entry: TreeEntry | None) -> tuple[Rota | None, list[yamltext.Problem]]:
    """The rota a commit's schedule.yaml holds; an empty rota when the commit has none."""
    if entry is None:
        return Rota(), []
    text = yamltext.decode(plumbing.blob(git, entry.sha), model.SCHEDULE)
    return (None, [text]) if isinstance(text, yamltext.Problem) else schedule_file.parse_rota(text)


def _replay(git: GitRepo, head: str, remote: str, label: str, dry_run: bool) -> _Replay:
    """Put the local commits missing from `remote` on top of it, the remote winning ties.

    The local commits are those of the branch's own line (first parents), so a `git pull` merge
    among them is replayed as what it changed on that line. A date both sides changed keeps the
    remote's version, judged against where the local line left the remote's history: a merge that
    kept the local sign-up for a date the remote had already booked is overruled too.
    """
    local = git.commits_between(remote, head)
    pulled = len(git.commits_between(head, remote))
    if not local:
        return _Replay(remote, pulled, ())
    base = git.merge_base(head, remote)
    fork = git.commit_info(local[0]).parent
    if base is None or not fork:
        raise RepositoryError(
            f"this clone and {label} share no history; clone {label} afresh and sign up there"
        )
    fork_rota, remote_rota, local_rota = _rota_at(git, fork), _rota_at(git, remote), _rota_at(git, head)
    plan = ReplayPlan()
    if fork_rota is not None and remote_rota is not None and local_rota is not None:
        plan = plan_replay(fork_rota, remote_rota, local_rota)
    # Articles of sign-ups that lost their date are not replayed (the remote's file stays).
    dropped_articles = {git.relative(article) for article in plan.dropped_articles}
    if base == remote and _as_planned(git, head, plan):
        tip = head  # the remote's commits are merged in already, and no merge of them overruled theirs
    else:
        renames: dict[str, str] = {}
        stopped = None
        try:
            tip = remote
            for commit in local:
                info = git.commit_info(commit)
                tip = _replay_commit(git, info, tip, remote, dropped_articles, renames, label)
        except RepositoryError as error:
            stopped = error
        if stopped is not None or not _as_planned(git, tip, plan):
            # A conflict that a merge of the remote resolved later on is gone from the net change; a commit
            # built on a change the remote overruled (the move of a sign-up that lost its date) is not.
            net = replace(git.commit_info(head), parent=base, message=_combined_message(git, local))
            try:
                tip = _replay_commit(git, net, remote, remote, dropped_articles, {}, label)
            except RepositoryError:
                if stopped is not None:
                    raise stopped from None
                raise
    tip = _overrule(git, tip, remote, plan, head, label)
    final = _rota_at(git, tip) or Rota()
    undone = []
    for change in plan.overruled:
        kept_article = None
        if change.talk is not None:
            tip, kept_article = _keep_written_article(git, head, change.talk, tip, final)
        undone.append(_undone(change, final, label, kept_article, dry_run))
    return _Replay(tip, pulled, tuple(undone))


def _as_planned(git: GitRepo, tip: str, plan: ReplayPlan) -> bool:
    """Whether the commits replayed up to `tip` book the dates as the plan's merge of the three rotas does
    (the names of articles aside, which a replay may change to free a slug)."""
    rota = _rota_at(git, tip)
    if plan.merged is None or rota is None:
        return True  # nothing to compare: an unreadable rota is refused before anything is pushed
    if rota.skips != plan.merged.skips:
        return False
    return rota.talks == plan.merged.talks or (
        [replace(talk, article="") for talk in rota.talks] == [replace(talk, article="") for talk in plan.merged.talks]
    )


def _replay_commit(
    git: GitRepo,
    info: CommitInfo,
    tip: str,
    remote: str,
    dropped: set[str],
    renames: dict[str, str],
    label: str,
) -> str:
    """One local commit (its change from `info.parent`) applied on `tip`; `renames` maps moved articles."""
    changes = {
        renames.get(path, path): _merge_path(git, path, renames.get(path, path), info, entry, tip, label)
        for path, entry in plumbing.tree_changes(git, info.parent, info.sha).items()
        if path not in dropped
    }
    changes = _articles_as_merged(git, changes, info, tip)
    return plumbing.commit_tree(git, tip, _free_slugs(git, changes, tip, remote, renames), info)


def _articles_as_merged(
    git: GitRepo, changes: dict[str, TreeEntry | None], info: CommitInfo, tip: str
) -> dict[str, TreeEntry | None]:
    """A replayed commit's changes to articles, as far as its merged rota agrees: an article a talk there
    still needs is not deleted, and one that only the overruled local talk needed is not added, so that
    every commit sync shares passes `check`, not only the last."""
    merged = _rota_of(git, changes.get(git.relative(model.SCHEDULE)))
    local = None if merged is None else _rota_at(git, info.sha)
    if merged is None or local is None:  # the commit left the rota as it was, or a side is unreadable
        return changes
    needed = {git.relative(talk.article) for talk in merged.talks}
    only_local = {git.relative(talk.article) for talk in local.talks} - needed
    return {
        path: entry
        for path, entry in changes.items()
        if not (entry is None and path in needed)
        and not (entry is not None and path in only_local and plumbing.entry_at(git, tip, path) is None)
    }


def _combined_message(git: GitRepo, commits: list[str]) -> str:
    subjects = [git.commit_info(commit).message.splitlines()[0] for commit in commits]
    return "\n".join(["Local changes, replayed together:", "", *(f"- {s}" for s in subjects if s)])


def _free_slugs(
    git: GitRepo, changes: dict[str, TreeEntry | None], tip: str, remote: str, renames: dict[str, str]
) -> dict[str, TreeEntry | None]:
    """Rename a new article whose slug an article on the remote already has, and its talk with it.

    An article the same commit deletes does not hold its slug: that commit moved it (`move`, `swap`).
    """
    schedule = git.relative(model.SCHEDULE)
    deleted = {path for path, entry in changes.items() if entry is None}
    remote_articles = set(plumbing.files_under(git, remote, git.relative(model.TALKS_DIR))) - deleted
    tip_articles = set(plumbing.files_under(git, tip, git.relative(model.TALKS_DIR))) - deleted
    rota_entry = changes.get(schedule) or plumbing.entry_at(git, tip, schedule)
    rota = _rota_of(git, rota_entry)
    if rota is None:
        return changes
    renamed = dict(changes)
    for path, entry in changes.items():
        if entry is None or not path.endswith(".md") or path in tip_articles or path in remote_articles:
            continue
        article = (git.top / path).relative_to(git.root).as_posix()
        talk = next((t for t in rota.talks if t.article == article), None)
        slug = model.file_slug(article)
        if talk is None or all(model.file_slug(_rota_relative(git, p)) != slug for p in remote_articles):
            continue
        taken = {_rota_relative(git, p) for p in remote_articles | tip_articles}
        free = model.article_path_for(talk.date, talk.topic, taken)
        rota = replace(
            rota, talks=tuple(replace(t, article=free) if t is talk else t for t in rota.talks)
        )
        del renamed[path]
        renamed[git.relative(free)] = entry
        renames[path] = git.relative(free)
        tip_articles.add(git.relative(free))
        sha = _edited_rota_blob(git, rota_entry, rota)
        renamed[schedule] = TreeEntry(rota_entry.mode if rota_entry else "100644", sha)
    return renamed


def _rota_relative(git: GitRepo, top_relative: str) -> str:
    return (git.top / top_relative).relative_to(git.root).as_posix()


def _rota_of(git: GitRepo, entry: TreeEntry | None) -> Rota | None:
    return None if entry is None else _parse_rota_blob(git, entry)[0]


def _overrule(git: GitRepo, tip: str, remote: str, plan: ReplayPlan, head: str, label: str) -> str:
    """Undo at `tip` the local changes to units the remote changed first, articles included.

    The rota takes the remote's entries; an article the remote's talk needs is put back if a local
    change deleted it, and the article of a lost local sign-up goes (a written one is kept apart).
    """
    rota, remote_rota = _rota_at(git, tip), _rota_at(git, remote)
    if not plan.overruled or rota is None or remote_rota is None:
        return tip
    rota = take_theirs(rota, remote_rota, plan.keys)
    schedule = git.relative(model.SCHEDULE)
    changes: dict[str, TreeEntry | None] = {
        schedule: TreeEntry("100644", _edited_rota_blob(git, plumbing.entry_at(git, tip, schedule), rota))
    }
    referenced = {talk.article for talk in rota.talks}
    for talk in (remote_rota.talk_on(day) for day in plan.days):
        path = git.relative(talk.article) if talk is not None else None
        if path is not None and plumbing.entry_at(git, tip, path) is None:
            changes[path] = plumbing.entry_at(git, remote, path)
    for article in plan.dropped_articles - referenced:
        path = git.relative(article)
        changes[path] = plumbing.entry_at(git, remote, path)
    subjects = ", ".join(plan.keys)
    info = replace(git.commit_info(head), message=f"Keep {label}'s {subjects}: it reached the remote first")
    return plumbing.commit_tree(git, tip, changes, info)


def _merge_path(
    git: GitRepo, path: str, at: str, info: CommitInfo, theirs: TreeEntry | None, tip: str, label: str
) -> TreeEntry | None:
    """One path of a local commit applied on `tip` (where it is `at`): 3-way, by meaning for the
    rota, else as text."""
    base = plumbing.entry_at(git, info.parent, path)
    ours = plumbing.entry_at(git, tip, at)
    if ours == base:
        return theirs
    if theirs in (base, ours):
        return ours
    merged = _merge_shared(git, path, base, ours, theirs)
    if merged is not None:
        return merged
    if (
        base is not None and ours is not None and theirs is not None
        and {base.mode, ours.mode, theirs.mode} <= _TEXT_MODES
    ):
        text = plumbing.merge_text(
            git, plumbing.blob(git, base.sha), plumbing.blob(git, ours.sha), plumbing.blob(git, theirs.sha)
        )
        if text is not None:
            return replace(theirs, sha=plumbing.store_blob(git, text))
    subject = info.message.splitlines()[0] if info.message else info.sha[:10]
    raise RepositoryError(
        f"{path} was changed both here (commit {info.sha[:10]} {subject!r}) and on {label}; "
        f"sync stopped and changed nothing. Your version stays in your commits, the remote's is "
        f"in {label} (see `git show {label}:{path}`). To combine them: `git pull --no-rebase`, "
        f"edit {path} to keep what both sides wrote, `git add {path}`, `git commit`, then run "
        "lunchlearn sync again"
    )


def _merge_shared(
    git: GitRepo, path: str, base: TreeEntry | None, ours: TreeEntry | None, theirs: TreeEntry | None
) -> TreeEntry | None:
    """A shared file (rota/shared_files) merged by meaning, the remote's (`ours`) kept for a contested
    unit of the rota; None if `path` is no shared file or a side is unreadable."""
    inside = (git.top / path).is_relative_to(git.root)
    shared = shared_files.shared_file(_rota_relative(git, path)) if inside else None
    if shared is None or ours is None or theirs is None:
        return None
    base_data, ours_data, theirs_data = (b"" if e is None else plumbing.blob(git, e.sha) for e in (base, ours, theirs))
    texts = [yamltext.decode(data, path) for data in (base_data, ours_data, theirs_data)]
    if any(isinstance(text, yamltext.Problem) for text in texts):
        return None

    def line_merge() -> str | None:
        merged = plumbing.merge_text(git, base_data, ours_data, theirs_data, ours_wins=True)
        text = None if merged is None else yamltext.decode(merged, path)
        return text if isinstance(text, str) else None

    base_text, ours_text, theirs_text = (str(text) for text in texts)
    merged = shared.merge(base_text, ours_text, theirs_text, line_merge, path)
    if merged.text is None:
        return None
    return replace(theirs, sha=plumbing.store_blob(git, merged.text.encode("utf-8")))


def _edited_rota_blob(git: GitRepo, entry: TreeEntry | None, rota: Rota) -> str:
    """The sha of a blob: `entry`'s schedule.yaml changed to say `rota` in the lines that differ only."""
    text = "" if entry is None else plumbing.blob(git, entry.sha).decode("utf-8")
    return plumbing.store_blob(git, schedule_file.edit_rota(text, rota).encode("utf-8"))


def _keep_written_article(
    git: GitRepo, head: str, talk: Talk, tip: str, final: Rota
) -> tuple[str, str | None]:
    """Commit the article of a lost sign-up, marked withdrawn, if its author wrote anything."""
    entry = plumbing.entry_at(git, head, git.relative(talk.article))
    if entry is None:
        return tip, None
    data = plumbing.blob(git, entry.sha)
    with suppress(UnicodeDecodeError):  # not text: keep the bytes as written
        kept = article_file.withdrawn_article(data.decode("utf-8"), talk)
        if kept is None:
            return tip, None
        data = kept.encode("utf-8")
    taken: set[str] = set()
    path = model.article_path_for(talk.date, talk.topic, taken)
    while plumbing.entry_at(git, tip, git.relative(path)) is not None or path in {t.article for t in final.talks}:
        taken.add(path)
        path = model.article_path_for(talk.date, talk.topic, taken)
    from lunchlearn.git.repo import CommitInfo

    blob = TreeEntry(entry.mode, plumbing.store_blob(git, data))
    author = git.commit_info(head)
    message = (
        f"Keep {talk.presenter}'s article for {model.format_day(talk.date)} as {path}, marked "
        "withdrawn: the date went to someone else first"
    )
    info = CommitInfo(head, head, author.author_name, author.author_email, author.author_date, message)
    return plumbing.commit_tree(git, tip, {git.relative(path): blob}, info), path


def _undone(change: Overruled, final: Rota, label: str, kept_article: str | None, dry_run: bool) -> Undone:
    conflict, talk = change.conflict, change.talk
    was = "would be" if dry_run else "was"
    day = conflict.day
    if conflict.key.startswith("settings."):
        return Undone(
            conflict.key,
            f"your change of {conflict.key} to {conflict.theirs} {was} undone: {label} has "
            f"{conflict.ours}.",
        )
    if day is None:
        return Undone(
            conflict.key,
            f"your change to the {conflict.key} section {was} undone: {label} changed it differently.",
        )
    if talk is None:
        return Undone(
            conflict.key,
            f"your change to {model.format_day(day)} ({conflict.theirs}) {was} undone: it is "
            f"{conflict.ours} on {label}.",
        )
    is_kept = "would be kept" if dry_run else "is kept"
    kept = f" Your article {is_kept} in {kept_article}, marked withdrawn." if kept_article else ""
    if not change.signed_up:
        return Undone(
            conflict.key,
            f"your change to {talk.presenter}'s talk on {model.format_day(day)} ({conflict.theirs}) {was} "
            f"undone: the date is {conflict.ours} on {label}.{kept}",
        )
    now = today(final.settings)
    hint = model.nearby_open_dates_hint(final, day, now, short_notice=False)
    return Undone(
        conflict.key,
        f"{talk.presenter}'s sign-up for {model.format_day(day)} {was} undone: the date is "
        f"{conflict.ours} on {label}; {hint}.{kept}",
    )
