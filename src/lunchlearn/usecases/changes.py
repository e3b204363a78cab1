"""Use cases for changing plans: skip and unskip a date, move or swap talks, change a topic.

Each is one command, one commit through the write transaction; an article follows its talk as a
rename git can track (`git log --follow`), every word of it kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn import storage
from lunchlearn.errors import BadInput, Refused
from lunchlearn.rota import article_file, model
from lunchlearn.rota.model import FileChange, Rota, Skip, Talk
from lunchlearn.usecases.sessions import (
    Outcome,
    commit_changes,
    refuse_uncommitted,
    schedule_change,
    withdrawn_article_change,
)
from lunchlearn.usecases.transaction import transaction

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo


def move(repo: Path | None, day: date, target: date, short_notice: bool, dry_run: bool, share: bool) -> Outcome:
    """Move the talk on `day` to the open date `target`, its article renamed with it."""
    with transaction(repo, share=share and not dry_run, looks_at=(day, target)) as done:
        git, rota = done.git, done.rota
        talk = done.booked(day)
        _refuse(model.move_refusal(rota, talk, target, done.today, short_notice, _published(git.root, talk)))
        after = model.moved(rota, day, target)
        changes = _rota_change(git, rota, after, [talk]) + _article_moves(git, [(talk, target)], after)
        message = f"Move {_moving(talk, target)}"
        outcome = commit_changes(git, changes, message, f"Moved {_moving(talk, target)}", dry_run)
        ask = model.standby_to_ask(after, day, done.today, leaving=talk.presenter)
    return replace(outcome, shared=done.shared, freed=day, ask=ask)


def swap(repo: Path | None, first: date, second: date, short_notice: bool, dry_run: bool, share: bool) -> Outcome:
    """Exchange the talks on `first` and `second`, and their articles' names and dates."""
    with transaction(repo, share=share and not dry_run, looks_at=(first, second)) as done:
        git, rota = done.git, done.rota
        one, other = done.booked(first), done.booked(second)
        published = {t.date for t in (one, other) if _published(git.root, t)}
        _refuse(model.swap_refusal(rota, first, second, done.today, short_notice, published))
        after = model.swapped(rota, first, second)
        changes = _rota_change(git, rota, after, [one, other])
        changes += _article_moves(git, [(one, second), (other, first)], after)
        message = f"Swap {_moving(one, second)} and {_moving(other, first)}"
        summary = f"Swapped {_moving(one, second)} and {_moving(other, first)}"
        outcome = commit_changes(git, _combined(changes), message, summary, dry_run)
    return replace(outcome, shared=done.shared)


def skip(
    repo: Path | None,
    day: date,
    reason: str,
    move_to: date | None,
    withdraw: bool,
    short_notice: bool,
    dry_run: bool,
    share: bool,
) -> Outcome:
    """Skip `day` for a company event; a talk on it moves to `move_to` or is withdrawn, in the same commit."""
    why = model.check_text(reason, "reason")
    if move_to is not None and withdraw:
        raise BadInput("give --move-to or --withdraw, not both: the talk either moves or is withdrawn")
    days = (day,) if move_to is None else (day, move_to)
    with transaction(repo, share=share and not dry_run, looks_at=days) as done:
        git, rota = done.git, done.rota
        _refuse(model.skip_refusal(rota, day, done.today))
        talk = rota.talk_on(day)
        if talk is None and (move_to is not None or withdraw):
            raise BadInput(f"nobody is signed up for {model.format_day(day)}; leave out --move-to and --withdraw")
        message = summary = f"Skip {model.format_day(day)}: {why}"
        if talk is None:
            after, articles = rota, []
        elif move_to is not None:
            _refuse(model.move_refusal(rota, talk, move_to, done.today, short_notice, _published(git.root, talk)))
            after = model.moved(rota, day, move_to)
            articles = _article_moves(git, [(talk, move_to)], after)
            moving = _moving(talk, move_to)
            message, summary = f"{message}; move {moving}", f"{summary}; moved {moving}"
        elif withdraw:
            after = rota.without_talk(day)
            article, _ = withdrawn_article_change(git.root, talk)
            articles = [] if article is None else [article]
            withdrawn = f"{talk.presenter}: {talk.topic}"
            message, summary = f"{message}; withdraw {withdrawn}", f"{summary}; withdrew {withdrawn}"
        else:
            raise Refused(
                f"{talk.presenter} presents on {model.format_day(day)} ({talk.topic}); say what happens to the "
                f"talk: --move-to DATE ({model.nearby_open_dates_hint(rota, day, done.today, short_notice)}) "
                "or --withdraw"
            )
        after = after.with_skip(Skip(day, why))
        changes = _rota_change(git, rota, after, [talk] if talk else []) + articles
        outcome = commit_changes(git, changes, message, summary.replace("Skip", "Skipped", 1), dry_run)
    return replace(outcome, shared=done.shared)


def unskip(repo: Path | None, day: date, dry_run: bool, share: bool) -> Outcome:
    """Hold the session on a skipped date again; it is open to sign up for."""
    with transaction(repo, share=share and not dry_run, looks_at=(day,)) as done:
        git, rota = done.git, done.rota
        skipped = model.skip_to_lift(rota, day, done.today)
        after = rota.without_skip(day)
        changes = _rota_change(git, rota, after, [])
        when = model.format_day(day)
        holiday = after.skip_on(day)  # a public holiday under the written skip stays skipped
        next_steps: tuple[str, ...] = ()
        if holiday is None:
            message = f"Hold {when} again (was skipped: {skipped.reason})"
            summary, next_steps = f"{when} is no longer skipped", (f"claim it with `lunchlearn signup {day}`",)
        else:
            message = f"Drop the skip of {when} ({skipped.reason}); it stays a public holiday ({holiday.reason})"
            summary = message.replace("Drop", "Dropped", 1)
        outcome = commit_changes(git, changes, message, summary, dry_run, next_steps=next_steps)
    return replace(outcome, shared=done.shared)


def topic(repo: Path | None, day: date, new_topic: str, dry_run: bool, share: bool) -> Outcome:
    """Change a booked talk's topic: the rota, the article's title while it is the old topic, and the
    article's file name while the talk is unpublished."""
    title = model.check_text(new_topic, "topic")
    with transaction(repo, share=share and not dry_run, looks_at=(day,)) as done:
        git, rota = done.git, done.rota
        talk = done.booked(day)
        if title == talk.topic:
            return Outcome(f"the talk on {model.format_day(day)} is already called {title!r}; nothing to commit", "")
        text = storage.read_text(git.root, talk.article)
        path = talk.article
        if text is not None and not _published(git.root, talk):
            renamed = model.article_path_for(day, title, storage.talk_files(git.root) - {talk.article})
            path = talk.article if model.file_slug(renamed) == model.file_slug(talk.article) else renamed
        after_talk = replace(talk, topic=title, article=path)
        changes = _rota_change(git, rota, rota.without_talk(day).with_talk(after_talk), [talk])
        if text is not None:
            changes += _article_changes(git, talk, after_talk, text, _retitled(text, talk, title))
        message = f"Change {talk.presenter}'s topic for {model.format_day(day)}: {title} (was: {talk.topic})"
        outcome = commit_changes(git, changes, message, message.replace("Change", "Changed", 1), dry_run)
    return replace(outcome, shared=done.shared)


def _retitled(text: str, talk: Talk, title: str) -> str:
    """The article with `title` when its title is still the talk's old topic; a title of its own stays."""
    meta = article_file.parse_front_matter(text, talk.article).meta or {}
    if meta.get("title") != talk.topic:
        return text
    return article_file.set_front_matter_field(text, "title", title, talk.article)


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise Refused(reason)


def _published(root: Path, talk: Talk) -> bool:
    return storage.article_status(root, talk) == "published"


def _moving(talk: Talk, target: date) -> str:
    """`Amy's talk from Fri 18 Dec 2026 to Fri 8 Jan 2027 (Colour)`: who is affected, and how."""
    return f"{talk.presenter}'s talk from {model.format_day(talk.date)} to {model.format_day(target)} ({talk.topic})"


def _rota_change(git: GitRepo, rota: Rota, after: Rota, talks: list[Talk]) -> list[FileChange]:
    """schedule.yaml edited to say `after`, refused while it or the talks' articles have uncommitted edits."""
    refuse_uncommitted(git, [model.SCHEDULE, *(t.article for t in talks)])
    return [schedule_change(git.root, rota, after)]


def _article_moves(git: GitRepo, moves: list[tuple[Talk, date]], after: Rota) -> list[FileChange]:
    """Each talk's article renamed and re-dated for its new date as in `after`; every other byte kept."""
    leaving = {talk.article for talk, _ in moves}
    changes: list[FileChange] = []
    for talk, target in moves:
        text = storage.read_text(git.root, talk.article)
        if text is not None:
            dated = article_file.set_front_matter_field(text, "date", target, talk.article)
            changes += _article_changes(git, talk, after.booked(target), text, dated, leaving)
    return changes


def _article_changes(
    git: GitRepo, talk: Talk, after: Talk, before: str, text: str, leaving: set[str] | None = None
) -> list[FileChange]:
    """The article rewritten in place, or renamed: its old path deleted and its new one added in one commit,
    which git shows as a rename since nearly every byte is the same. `leaving`: paths this change frees."""
    if after.article == talk.article:
        return [] if text == before else [FileChange(talk.article, before, text)]
    if storage.safe_path(git.root, after.article).exists() and after.article not in (leaving or set()):
        raise Refused(f"{after.article} already exists; move it out of the way first, then try again")
    return [FileChange(talk.article, before, None), FileChange(after.article, None, text)]


def _combined(changes: list[FileChange]) -> list[FileChange]:
    """One change per path, for swaps where one talk's new name is the other's old one."""
    by_path: dict[str, FileChange] = {}
    for change in changes:
        first = by_path.get(change.path, change)
        by_path[change.path] = FileChange(change.path, first.before, change.after)
    return [c for c in by_path.values() if c.before != c.after]
