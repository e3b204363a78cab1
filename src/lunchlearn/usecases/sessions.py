"""The rota's writing use cases (init, signup, withdraw) and the steps every writing command shares:
find the rota, apply a rule, save, commit. Returns results, never prints; git is imported when a write runs.
"""

from __future__ import annotations

import shlex
import shutil
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn import storage
from lunchlearn.errors import BadInput, LunchlearnError, Refused, RepositoryError
from lunchlearn.git import readcache
from lunchlearn.rota import article_file, ideas, model, schedule_file
from lunchlearn.rota.model import FileChange, HolidayRegion, Rota, Settings, Talk
from lunchlearn.usecases.transaction import transaction
from lunchlearn.usecases.workspace import today

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.usecases.sync import SyncReport


@dataclass(frozen=True)
class Outcome:
    """What a writing command did (or, with dry_run, would do)."""

    summary: str
    message: str  # the commit message
    changes: list[FileChange] = field(default_factory=list)
    dry_run: bool = False
    next_steps: tuple[str, ...] = ()  # what the person would do next, as `git init` and `gh` say
    shared: SyncReport | None = None  # what syncing with the upstream did around the write
    freed: date | None = None  # a date the command left open
    ask: tuple[str, ...] = ()  # the standby people to ask to take `freed`


def commit_changes(
    git: GitRepo,
    changes: list[FileChange],
    message: str,
    summary: str,
    dry_run: bool,
    next_steps: tuple[str, ...] = (),
) -> Outcome:
    if dry_run:
        return Outcome(summary, message, changes, dry_run=True)
    from lunchlearn.git.transaction import write_and_commit

    write_and_commit(git, {c.path: c.after for c in changes}, message)
    return Outcome(summary, message, changes, next_steps=next_steps)


def schedule_change(root: Path, before: Rota, after: Rota) -> FileChange:
    """schedule.yaml, which says `before`, edited once to say `after` with the calendar revisions of the
    talks that change (rota/revisions); from the kept parse of the file while it is unchanged since.

    Both may leave out the older talks (`Rota.talks_since`): they are loaded, and the revisions worked out
    on the whole rota, only when the edit in place cannot do without them.
    """
    from lunchlearn.rota import revisions

    text = storage.read_text(root, model.SCHEDULE)
    # Read after the text: a kept parse still fresh now is of a file no one has written since it was read.
    since = before.talks_since
    parsed = readcache.kept_rota(root, None if since is None else lambda _: since)
    now, day = datetime.now(UTC), today(after.settings)
    try:
        return FileChange(model.SCHEDULE, text, schedule_file.edit_rota(
            text or "", revisions.revise(before, after, now, day), parsed
        ))
    except schedule_file.PartOfRota:
        whole = readcache.read_rota(root)
        revised = revisions.revise(before.with_older_talks(whole), after.with_older_talks(whole), now, day)
        return FileChange(model.SCHEDULE, text, schedule_file.edit_rota(text or "", revised, readcache.kept_rota(root)))


def refuse_uncommitted(git: GitRepo, paths: list[str], untracked: bool = False) -> None:
    dirty = git.not_committed(paths) if untracked else git.uncommitted(paths)
    if dirty:
        raise Refused(
            f"{', '.join(dirty)} {'has' if len(dirty) == 1 else 'have'} uncommitted changes that lunchlearn "
            "would overwrite; "
            "commit or discard them first"
        )


def init(directory: Path, settings: Settings, holidays: HolidayRegion | None, dry_run: bool) -> Outcome:
    """Create a rota in `directory`: schedule.yaml, talks/ and a first commit."""
    from lunchlearn.git.driver import register_merge_driver
    from lunchlearn.git.repo import GitRepo

    model.check_settings(settings)
    root = directory.resolve()
    if (root / model.SCHEDULE).exists():
        raise Refused(f"{root} already has a rota ({model.SCHEDULE}); nothing was changed")
    GitRepo.refuse_inside_git_storage(root)
    changes = [
        FileChange(model.SCHEDULE, None, schedule_file.dump_rota(Rota(settings=settings, holidays=holidays))),
        FileChange(f"{model.TALKS_DIR}/.gitkeep", None, ""),
    ]
    changes += merge_attributes(root)
    message = f"Start the {settings.title} rota"
    summary = f"Created a {settings.title} rota in {root}"
    if dry_run:
        return Outcome(summary, message, changes, dry_run=True)
    existed = root.exists()
    root.mkdir(parents=True, exist_ok=True)
    try:
        git, new_repository = GitRepo.open(root), False
    except RepositoryError:
        git, new_repository = GitRepo.init(root), True
    try:
        with git.writing():
            if not new_repository:  # in a new repository nothing is committed yet, by anyone
                refuse_uncommitted(git, [c.path for c in changes if c.before is not None], untracked=True)
            register_merge_driver(git)
            return commit_changes(git, changes, message, summary, dry_run=False, next_steps=_after_init(directory))
    except LunchlearnError:
        # Leave the folder as it was: the commit's own files are already put back.
        if not existed:
            shutil.rmtree(root, ignore_errors=True)
        elif new_repository:
            shutil.rmtree(root / ".git", ignore_errors=True)
        raise


def _after_init(directory: Path) -> tuple[str, ...]:
    slots = "`lunchlearn slots` shows the open dates; claim one with `lunchlearn signup`"
    if directory.resolve() == Path.cwd().resolve():
        return (slots,)
    folder = f"./{directory}" if str(directory).startswith("-") else str(directory)  # not an option, nor `cd -`
    return (f"cd {shlex.quote(folder)}", slots)


def presenter_name(git: GitRepo, name: str | None) -> str:
    """`--name` when given, else git's `user.name`: the person a command acts for."""
    presenter = name if name is not None else git.user_name()
    if presenter is None:
        raise BadInput("no presenter name: pass --name or set `git config user.name`")
    return model.check_text(presenter, "name")


def signup(
    repo: Path | None,
    day: date | None,
    name: str | None,
    topic: str | None,
    email: str | None,
    short_notice: bool,
    dry_run: bool,
    share: bool,
    idea: str | None = None,
) -> Outcome:
    """Claim a slot: the rota entry and an article stub, in one commit; with `idea`, the idea's text
    is the topic, its tags the article's, and the idea is marked taken in the same commit."""
    if idea is not None and topic is not None:
        raise BadInput("give --topic or --idea, not both: the idea's text is the talk's topic")
    prefix = None if idea is None else ideas.check_id(idea)
    # An idea may have been taken by a talk of any year; a sign-up otherwise looks from today on.
    days = None if prefix is not None else () if day is None else (day,)
    with transaction(repo, share=share and not dry_run, looks_at=days) as done:
        git, rota = done.git, done.rota
        presenter = presenter_name(git, name)
        listed = storage.read_ideas(git.root) if prefix is not None else ()
        claimed = None if prefix is None else ideas.find(listed, prefix)
        if claimed is not None:
            ideas.check_free(claimed, rota, "pick another with `lunchlearn ideas list`")
            topic = claimed.text
        title = model.check_text(topic if topic is not None else model.DEFAULT_TOPIC, "topic")
        address = model.check_email(email or "")
        now = done.today
        if day is None:
            day = model.first_open_date(rota, presenter, now)
        model.check_signup(rota, day, presenter, now, short_notice)
        article = model.article_path_for(day, title, storage.talk_files(git.root))
        talk = Talk(day, presenter, title, article, address, uid=f"{uuid.uuid4()}@{model.UID_DOMAIN}")
        refuse_uncommitted(git, [model.SCHEDULE])
        schedule = schedule_change(git.root, rota, rota.with_talk(talk))
        stub = article_file.article_stub(talk, claimed.tags if claimed else ())
        changes = [schedule, FileChange(article, None, stub)]
        message = f"Sign up {presenter} for {model.format_day(day)}: {title}"
        if claimed is not None:
            # The sub-module imports this one for its commits, so it is loaded here, not at the top.
            from lunchlearn.usecases.ideas import ideas_changes

            changes += ideas_changes(git, ideas.with_idea(listed, replace(claimed, taken=day, talk=talk.uid)))
            message += f" (idea {claimed.id})"
        summary = f"Signed up {presenter} for {model.format_day(day)}: {title}"
        write = f"write your article in {article} with `lunchlearn write {day}`"
        outcome = commit_changes(git, changes, message, summary, dry_run, next_steps=(write,))
    return replace(outcome, shared=done.shared)


def withdraw(repo: Path | None, day: date, dry_run: bool, share: bool) -> Outcome:
    """Free a slot. An untouched article stub goes; a written one stays, marked withdrawn."""
    with transaction(repo, share=share and not dry_run, looks_at=(day,)) as done:
        git, rota = done.git, done.rota
        talk = done.booked(day)
        if day < done.today:
            raise Refused(f"the talk on {model.format_day(day)} is in the past; history is kept as it is")
        refuse_uncommitted(git, [model.SCHEDULE, talk.article])
        schedule = schedule_change(git.root, rota, rota.without_talk(day))
        article, kept = withdrawn_article_change(git.root, talk)
        changes = [schedule] if article is None else [schedule, article]
        message = f"Withdraw {talk.presenter} from {model.format_day(day)}: {talk.topic}"
        summary = f"Freed {model.format_day(day)}"
        if kept is not None:
            summary += f"; the article is kept in {talk.article}" + (", marked withdrawn" if article else "")
        outcome = commit_changes(git, changes, message, summary, dry_run)
        ask = model.standby_to_ask(rota.without_talk(day), day, done.today, leaving=talk.presenter)
    return replace(outcome, shared=done.shared, freed=day, ask=ask)


def withdrawn_article_change(root: Path, talk: Talk) -> tuple[FileChange | None, str | None]:
    """What withdrawing `talk` does to its article (None: nothing), and the article's text afterwards.

    An untouched stub goes, so its text afterwards is None; a written article stays, marked withdrawn.
    """
    article = storage.read_text(root, talk.article)
    kept = None if article is None else article_file.withdrawn_article(article, talk)
    return (FileChange(talk.article, article, kept) if article is not None and kept != article else None), kept


def merge_attributes(root: Path) -> list[FileChange]:
    """The .gitattributes change that makes git merge every shared file with lunchlearn's driver; none
    when the lines are there already. All the missing lines at once, in the registry's order, so that
    two clones of an older rota add the same text and their commits merge without a conflict."""
    from lunchlearn.rota.shared_files import SHARED_FILES

    wanted = [shared.attributes_line for shared in SHARED_FILES]
    before = storage.read_text(root, ".gitattributes")
    present = set((before or "").splitlines())
    missing = [line for line in wanted if line not in present]
    if not missing:
        return []
    prefix = before if not before or before.endswith("\n") else before + "\n"
    return [FileChange(".gitattributes", before, (prefix or "") + "".join(f"{line}\n" for line in missing))]
