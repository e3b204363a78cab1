"""Use cases for articles: write, save, ready and check. They return results and never print.

Writing ones import the git layer when they run; `check` reads files only.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn import storage
from lunchlearn.errors import BadInput, Refused, RotaFileError
from lunchlearn.rota import article_file, checks, model, yamltext
from lunchlearn.rota.model import FileChange, Rota, Talk
from lunchlearn.usecases.sessions import Outcome, commit_changes
from lunchlearn.usecases.transaction import transaction
from lunchlearn.usecases.workspace import find_rota, today

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.usecases.sync import SyncReport

EDITOR_VARIABLES = ("VISUAL", "EDITOR")
FALLBACK_EDITORS = ("editor", "nano", "vi")


def write(repo: Path | None, day: date | None, dry_run: bool, share: bool) -> Outcome:
    """Open a talk's article in the user's editor and commit it if it changed and still parses.

    The editor runs without the write lock (it may stay open for hours) on the file itself, so a
    text the front matter check refuses is still on disk exactly as typed; the talk and the article's
    last commit are looked up again under the lock, as another shell may have changed them. With dry_run
    it edits a scratch copy under .git/ instead, to show what would be committed.
    """
    from lunchlearn.git.repo import GitRepo

    root = find_rota(repo)
    git = GitRepo.open(root)
    git.refuse_unfinished_operation()  # before the editor opens, not after the user's work
    talk = _talk_for(git, storage.read_rota(root), day, "write")
    command = editor_command()
    last_commit = git.last_commit_of(talk.article)
    original = storage.read_text(root, talk.article)
    before = article_file.article_stub(talk) if original is None else original
    target = storage.safe_path(root, talk.article)
    if dry_run:
        target = git.state_dir / f"draft-{target.name}"
    if dry_run or original is None:
        storage.atomic_write(target, before, scratch=git.state_dir)
    try:
        _run_editor(command, target)
        after = yamltext.decode(target.read_bytes(), talk.article)
    finally:
        if dry_run:
            target.unlink(missing_ok=True)
    if isinstance(after, yamltext.Problem):
        raise RotaFileError(f"{after}; run `lunchlearn write {talk.date}` again; nothing was committed")
    if after == before:
        if original is None:
            target.unlink(missing_ok=True)
        earlier = git.uncommitted([talk.article])
        hint = f"; to commit earlier changes run `lunchlearn save {talk.date}`" if earlier else ""
        return Outcome(f"{talk.article} is unchanged; nothing to commit{hint}", "")
    kept = (
        "this was a dry run, so the edited copy was discarded"
        if dry_run
        else f"your text is kept in {talk.article}: fix the front matter and run "
        f"`lunchlearn write {talk.date}` (or `lunchlearn save {talk.date}`)"
    )
    article = _valid_article(after, talk.article, talk, kept)
    message = _update_message(talk, article)
    changes = [FileChange(talk.article, original, after)]
    with transaction(repo, share=share and not dry_run, bring_in_first=False) as done:
        _refuse_if_changed_meanwhile(done.git, talk, last_commit, dry_run)
        outcome = commit_changes(done.git, changes, message, f"Committed {talk.article}: {message}", dry_run)
    return replace(outcome, shared=done.shared)


def _refuse_if_changed_meanwhile(git: GitRepo, talk: Talk, last_commit: str | None, dry_run: bool) -> None:
    """Commit no article whose talk or committed text another command changed while the editor was open."""
    changed = _changed_meanwhile(git, talk, storage.read_rota(git.root), last_commit)
    if changed is not None:
        what, advice = changed
        kept = f"your text is kept in {talk.article}{advice}"
        if dry_run:
            kept = "this was a dry run, so the edited copy was discarded"
        raise Refused(f"{what}; nothing was committed and {kept}")


def _changed_meanwhile(git: GitRepo, talk: Talk, rota: Rota, last_commit: str | None) -> tuple[str, str] | None:
    """What another command did to the talk or its article while the editor was open, and what to do."""
    # `move` renames the article with its talk, so the talk may now have the article's new name.
    now = next(
        (t for t in rota.talks if t.article in (talk.article, model.article_path_on(talk.article, t.date))), None
    )
    was = f"the talk on {model.format_day(talk.date)}"
    if now is None:
        return (
            f"{was} was withdrawn while the editor was open",
            ", which no talk points to now: sign up again and move your text to the new talk's "
            "article, or set its status to withdrawn and run `lunchlearn save`",
        )
    if now.date != talk.date:
        where = "" if now.article == talk.article else f", copy it into {now.article} (the article's new name)"
        return (
            f"{was} was moved to {model.format_day(now.date)} while the editor was open",
            f"{where}: set its date to {now.date} and run `lunchlearn save {now.date}`",
        )
    if not model.same_person(now.presenter, talk.presenter):
        return (
            f"{was} is now {now.presenter}'s talk (signed up while the editor was open)",
            f": agree with {now.presenter} whose article it is before either of you saves it",
        )
    commit = git.last_commit_of(talk.article)
    if commit is not None and commit != last_commit:
        subject = (git.commit_info(commit).message.splitlines() or [""])[0]
        return (
            f"{talk.article} was committed by another command while the editor was open "
            f"({commit[:7]} {subject!r})",
            f": compare it with that commit (`git diff {commit[:7]} -- {talk.article}`), then run "
            f"`lunchlearn save {talk.date}`",
        )
    return None


def save(repo: Path | None, day: date | None, dry_run: bool, share: bool) -> tuple[list[Outcome], SyncReport | None]:
    """Commit articles changed outside lunchlearn, one commit each; all are checked before any."""
    with transaction(repo, share=share and not dry_run, bring_in_first=False) as done:
        git, rota = done.git, done.rota
        changed = [
            path
            for path in git.changed_under(model.TALKS_DIR)
            if path.endswith(".md") and path.count("/") == 1
        ]
        if day is not None:
            talk = rota.booked(day)
            changed = [path for path in changed if path == talk.article]
        plans = []
        for path in changed:
            text = storage.read_text(git.root, path) or ""
            talk_of = next((t for t in rota.talks if t.article == path), None)
            article = _valid_article(
                text, path, talk_of, "fix the front matter and run `lunchlearn save` again"
            )
            unclaimed = checks.unclaimed(article, {talk.article for talk in rota.talks})
            if unclaimed is not None:  # its talk was withdrawn while an editor had it open
                raise Refused(f"{unclaimed}; nothing was committed")
            plans.append((path, text, _update_message(talk_of, article)))
        outcomes = [
            commit_changes(
                git,
                [FileChange(path, git.committed_text(path), text)],
                message,
                f"Committed {path}: {message}",
                dry_run,
            )
            for path, text, message in plans
        ]
    return outcomes, done.shared


def ready(repo: Path | None, day: date | None, dry_run: bool, share: bool) -> Outcome:
    """Mark a really written article ready to publish; only its status line changes."""
    with transaction(repo, share=share and not dry_run) as done:
        git, rota = done.git, done.rota
        talk = _talk_for(git, rota, day, "ready")
        text = storage.read_text(git.root, talk.article)
        if text is None:
            raise Refused(
                f"{talk.article} does not exist; write it with `lunchlearn write {talk.date}`"
            )
        article = _valid_article(
            text,
            talk.article,
            talk,
            f"fix the front matter and run `lunchlearn ready {talk.date}` again",
            # A missing title is one of the things `ready` lists, with the rest of what is missing.
            required=tuple(key for key in checks.REQUIRED_KEYS if key != "title"),
        )
        status = article.text_of("status")
        if status == "ready":
            return Outcome(f"{talk.article} is already marked ready; nothing to commit", "")
        if status != "draft":
            raise Refused(f"{talk.article} is {status}; only a draft can be marked ready")
        gaps = checks.readiness_gaps(article, rota.settings.min_words)
        if gaps:
            raise Refused(
                f"{talk.article} is not ready to publish; missing: {'; '.join(gaps)}. "
                f"Fix these and run `lunchlearn ready {talk.date}` again"
            )
        if git.uncommitted([talk.article]):
            raise Refused(
                f"{talk.article} has uncommitted changes; commit them first with "
                f"`lunchlearn save {talk.date}`, then run `lunchlearn ready {talk.date}` again"
            )
        title = article.text_of("title")
        message = f"Mark article ready for {model.format_day(talk.date)}: {title}"
        marked = article_file.set_front_matter_field(text, "status", "ready", talk.article)
        changes = [FileChange(talk.article, text, marked)]
        publish = f"publish it with `lunchlearn publish {talk.date}`"
        outcome = commit_changes(
            git, changes, message, f"Marked {talk.article} ready to publish", dry_run, next_steps=(publish,)
        )
    return replace(outcome, shared=done.shared)


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR (either may carry arguments), else the first common editor found."""
    for variable in EDITOR_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError as error:
                raise BadInput(f"${variable} ({value!r}) is not a command line: {error}") from None
    for name in FALLBACK_EDITORS:
        found = shutil.which(name)
        if found:
            return [found]
    raise BadInput(
        f"no editor found: set VISUAL or EDITOR (e.g. `export EDITOR=nano`) or install one of "
        f"{', '.join(FALLBACK_EDITORS)}"
    )


def _run_editor(command: list[str], path: Path) -> None:
    try:
        finished = subprocess.run([*command, str(path)], check=False)
    except OSError as error:
        raise BadInput(
            f"cannot run the editor {command[0]!r} ({error.strerror}); set VISUAL or EDITOR to an "
            "installed editor"
        ) from None
    if finished.returncode != 0:
        raise Refused(
            f"the editor {command[0]!r} exited with status {finished.returncode}; nothing was "
            f"committed and {path.name} is kept as the editor left it"
        )


def _talk_for(git: GitRepo, rota: Rota, day: date | None, command: str) -> Talk:
    """The talk on `day`, or the current git user's next talk."""
    if day is not None:
        return rota.booked(day)
    name = git.user_name()
    if name is None:
        raise BadInput(
            f"git user.name is not set, so your next talk is unknown; pass its date: "
            f"`lunchlearn {command} YYYY-MM-DD`"
        )
    day_today = today(rota.settings)
    upcoming = rota.upcoming_talks_of(name, day_today)
    if not upcoming:
        others = [talk.date.isoformat() for talk in rota.talks if talk.date >= day_today]
        listed = f" (upcoming talks: {', '.join(others)})" if others else ""
        raise Refused(
            f"{name} has no upcoming talk in the rota; pass the talk's date{listed}: "
            f"`lunchlearn {command} {others[0] if others else 'YYYY-MM-DD'}`"
        )
    return upcoming[0]


def _valid_article(
    text: str, path: str, talk: Talk | None, what_next: str, required: tuple[str, ...] = checks.REQUIRED_KEYS
) -> checks.Article:
    """The parsed article, or RotaFileError naming every front-matter problem and what to do."""
    article = checks.parse_article(text, path, required)
    problems = article.problems
    if not problems and talk is not None:
        problems = checks.disagreements(article, talk)
    if problems:
        listed = "; ".join(str(p) for p in problems)
        raise RotaFileError(f"{listed}. Nothing was committed; {what_next}")
    return article


def _update_message(talk: Talk | None, article: checks.Article) -> str:
    day = talk.date if talk is not None else model.parse_date(article.text_of("date"))
    return f"Update article for {model.format_day(day)}: {article.text_of('title')}"
