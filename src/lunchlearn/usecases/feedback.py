"""Feedback on a talk that happened: give it (one entry per person, committed beside the talk), or
summarise it for the presenter."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from lunchlearn import storage
from lunchlearn.errors import Refused
from lunchlearn.rota import feedback, model
from lunchlearn.rota.feedback import Feedback, TalkFeedback
from lunchlearn.rota.model import FileChange, Rota, Talk, format_day
from lunchlearn.rota.stats import rounded
from lunchlearn.usecases.sessions import Outcome, commit_changes, merge_attributes, presenter_name, refuse_uncommitted
from lunchlearn.usecases.transaction import transaction
from lunchlearn.usecases.workspace import reading_rota


@dataclass(frozen=True)
class FeedbackSummary:
    """What the presenter wants to know: how many, the average, how each rating was given, the comments."""

    talk: Talk
    entries: tuple[Feedback, ...]

    @property
    def average(self) -> float | None:
        if not self.entries:
            return None
        return rounded(sum(e.rating for e in self.entries), len(self.entries), 1)

    @property
    def counts(self) -> dict[int, int]:
        return {rating: sum(e.rating == rating for e in self.entries) for rating in feedback.RATINGS}


def past_talk(rota: Rota, day: date, today: date) -> Talk:
    """The talk that happened on `day`, or Refused saying why there is none to give feedback on."""
    skip = rota.skip_on(day)
    talk = rota.talk_on(day)
    if day > today:
        if talk is None:
            raise Refused(f"{format_day(day)} is still to come and has no talk; feedback is for talks that happened")
        raise Refused(f"the talk on {format_day(day)} has not happened yet; give feedback after it")
    if skip is not None:
        raise Refused(f"{format_day(day)} was skipped ({skip.reason}); there was no talk to give feedback on")
    if talk is None:
        raise Refused(f"nobody presented on {format_day(day)}; `lunchlearn schedule --past` lists the past talks")
    return talk


def give(
    repo: Path | None,
    day: date,
    rating: int,
    comment: str | None,
    name: str | None,
    dry_run: bool,
    share: bool,
) -> Outcome:
    """Record one person's feedback on a past talk, replacing any earlier entry of theirs, in one commit."""
    entry_rating = feedback.check_rating(rating)
    text = feedback.check_comment(comment or "")
    with transaction(repo, share=share and not dry_run) as done:
        git, rota = done.git, done.rota
        by = presenter_name(git, name)
        talk = past_talk(rota, day, done.today)
        if model.same_person(talk.presenter, by):
            raise Refused(f"the talk on {format_day(day)} is {by}'s own; feedback is for the audience to give")
        path = feedback.feedback_path(day)
        attributes = merge_attributes(git.root)
        refuse_uncommitted(git, [path, *(c.path for c in attributes)], untracked=True)
        before = storage.read_feedback(git.root, day) or TalkFeedback(day)
        given = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        after = before.with_entry(Feedback(by, entry_rating, text, given))
        change = FileChange(path, storage.read_text(git.root, path), feedback.dump_feedback(after))
        replaced = before.entry_of(by) is not None
        message = f"{'Replace' if replaced else 'Add'} {by}'s feedback on {format_day(day)}: {talk.topic}"
        summary = f"Recorded {by}'s feedback on {talk.presenter}'s talk of {format_day(day)}"
        if replaced:
            summary += "; it replaced your earlier feedback"
        outcome = commit_changes(git, [change, *attributes], message, summary, dry_run)
    return replace(outcome, shared=done.shared)


def summary(repo: Path | None, day: date) -> FeedbackSummary:
    root, rota, today = reading_rota(repo)
    talk = past_talk(rota, day, today)
    found = storage.read_feedback(root, day)
    return FeedbackSummary(talk, () if found is None else found.entries)
