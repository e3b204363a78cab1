"""The standby list: people willing to step in at short notice when a slot is freed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lunchlearn.rota import model
from lunchlearn.rota.model import same_person
from lunchlearn.usecases.sessions import Outcome, commit_changes, presenter_name, refuse_uncommitted, schedule_change
from lunchlearn.usecases.transaction import transaction


def join_or_leave(repo: Path | None, name: str | None, leave: bool, dry_run: bool, share: bool) -> Outcome:
    """Put a person on the standby list, or take them off it; nothing is committed when nothing changes."""
    with transaction(repo, share=share and not dry_run) as done:
        git, rota = done.git, done.rota
        person = presenter_name(git, name)
        listed = next((n for n in rota.standby if same_person(n, person)), None)
        if (listed is not None) != leave:
            where = "already on" if listed is not None else "not on"
            return Outcome(f"{listed or person} is {where} the standby list; nothing changed", "")
        if leave:
            after = replace(rota, standby=tuple(n for n in rota.standby if n is not listed))
            message, summary = f"Take {listed} off the standby list", f"Took {listed} off the standby list"
        else:
            after = replace(rota, standby=(*rota.standby, person))
            message = f"Add {person} to the standby list"
            summary = f"Added {person} to the standby list: you may be asked when a slot is freed"
        refuse_uncommitted(git, [model.SCHEDULE])
        outcome = commit_changes(git, [schedule_change(git.root, rota, after)], message, summary, dry_run)
    return replace(outcome, shared=done.shared)
