"""`confirm`: a presenter says, in the week before, that their talk is on; the rota records the day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from lunchlearn.rota import model, reminders
from lunchlearn.usecases.sessions import Outcome, commit_changes, presenter_name, refuse_uncommitted, schedule_change
from lunchlearn.usecases.transaction import transaction


def confirm(repo: Path | None, day: date | None, name: str | None, dry_run: bool, share: bool) -> Outcome:
    """Record on the talk (`day`, or the presenter's next one) that its presenter confirmed it today."""
    with transaction(repo, share=share and not dry_run, looks_at=() if day is None else (day,)) as done:
        git, rota = done.git, done.rota
        presenter = presenter_name(git, name)
        if day is not None:
            done.booked(day)  # nobody's: refused, naming every booked date
        talk = reminders.talk_to_confirm(rota, day, presenter, name is not None, done.today)
        when = model.format_day(talk.date)
        if model.is_confirmed(talk):
            return Outcome(f"{talk.presenter}'s talk on {when} is already confirmed; nothing to commit", "")
        refuse_uncommitted(git, [model.SCHEDULE])
        confirmed = replace(talk, confirmed=done.today)
        message = f"Confirm {talk.presenter}'s talk on {when}: {talk.topic}"
        summary = f"Confirmed {talk.presenter}'s talk on {when}: {talk.topic}"
        changes = [schedule_change(git.root, rota, rota.without_talk(talk.date).with_talk(confirmed))]
        outcome = commit_changes(git, changes, message, summary, dry_run)
    return replace(outcome, shared=done.shared)
