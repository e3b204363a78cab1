"""Topic ideas: add, vote, drop (one commit of ideas.yaml each) and the ranked list."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lunchlearn import storage
from lunchlearn.rota import ideas
from lunchlearn.rota.ideas import IDEAS, Idea
from lunchlearn.rota.model import FileChange, Talk, check_text
from lunchlearn.usecases.sessions import Outcome, commit_changes, merge_attributes, presenter_name, refuse_uncommitted
from lunchlearn.usecases.transaction import transaction
from lunchlearn.usecases.workspace import reading_rota

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo


@dataclass(frozen=True)
class IdeaView:
    idea: Idea
    talk: Talk | None  # the talk that took it, while the rota still has it


def listing(repo: Path | None, include_taken: bool) -> list[IdeaView]:
    """Open ideas ranked by votes, then the oldest first; with `include_taken` the taken ones too."""
    root, rota, _ = reading_rota(repo)
    views = [IdeaView(idea, ideas.taken_by(idea, rota)) for idea in ideas.ranked(storage.read_ideas(root))]
    return [view for view in views if include_taken or view.talk is None]


def add(
    repo: Path | None, text: str, by: str | None, tags: tuple[str, ...], dry_run: bool, share: bool
) -> Outcome:
    text = check_text(text, "the idea")
    with transaction(repo, share=share and not dry_run) as done:
        git = done.git
        before = storage.read_ideas(git.root)
        after = ideas.added(before, text, presenter_name(git, by), tags, done.today)
        idea = next(idea for idea in after if idea not in before)
        message = f"Add idea {idea.id}: {idea.text}"
        summary = f"Added idea {idea.id}: {idea.text}"
        vote = f"anyone can vote for it with `lunchlearn ideas vote {idea.id}`"
        outcome = commit_changes(git, ideas_changes(git, after), message, summary, dry_run, next_steps=(vote,))
    return replace(outcome, shared=done.shared)


def vote(repo: Path | None, prefix: str, name: str | None, undo: bool, dry_run: bool, share: bool) -> Outcome:
    """One vote per person for an idea; with `undo`, the person's vote taken back."""
    prefix = ideas.check_id(prefix)
    with transaction(repo, share=share and not dry_run) as done:
        git = done.git
        before = storage.read_ideas(git.root)
        idea = ideas.find(before, prefix)
        voter = presenter_name(git, name)
        changed = ideas.unvoted(idea, voter) if undo else ideas.voted(idea, voter)
        votes = f"{len(changed.votes)} vote{'' if len(changed.votes) == 1 else 's'}"
        if undo:
            message = f"Take back {voter}'s vote for idea {idea.id}: {idea.text}"
            summary = f"Took back {voter}'s vote for {idea.id}: {idea.text} ({votes})"
        else:
            message = f"Vote for idea {idea.id} ({voter}): {idea.text}"
            summary = f"{voter} voted for {idea.id}: {idea.text} ({votes})"
        changes = ideas_changes(git, ideas.with_idea(before, changed))
        outcome = commit_changes(git, changes, message, summary, dry_run)
    return replace(outcome, shared=done.shared)


def drop(repo: Path | None, prefix: str, dry_run: bool, share: bool) -> Outcome:
    """Remove an idea; one a talk in the rota took stays, as the record of where the talk came from."""
    prefix = ideas.check_id(prefix)
    with transaction(repo, share=share and not dry_run) as done:
        git = done.git
        before = storage.read_ideas(git.root)
        idea = ideas.find(before, prefix)
        ideas.check_free(idea, done.rota, "it stays as the record of that talk, free again if the talk is withdrawn")
        message = f"Drop idea {idea.id}: {idea.text}"
        summary = f"Dropped idea {idea.id}: {idea.text}"
        outcome = commit_changes(git, ideas_changes(git, ideas.without(before, idea)), message, summary, dry_run)
    return replace(outcome, shared=done.shared)


def ideas_changes(git: GitRepo, after: tuple[Idea, ...]) -> list[FileChange]:
    """ideas.yaml written as `after` says, and the .gitattributes merge lines an older rota lacks.

    Refuses uncommitted changes to either, which the commit would otherwise sweep in.
    """
    attributes = merge_attributes(git.root)
    refuse_uncommitted(git, [IDEAS, *(change.path for change in attributes)], untracked=True)
    return [FileChange(IDEAS, storage.read_text(git.root, IDEAS), ideas.dump_ideas(after)), *attributes]
