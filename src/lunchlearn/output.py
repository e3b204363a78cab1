"""Rendering: Rich tables in a terminal, plain aligned text when piped or NO_COLOR, JSON on request.

Data goes to stdout, messages to stderr. Rich is imported only when a terminal will show it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lunchlearn.actions import Outcome, SessionView
from lunchlearn.model import FileChange, SessionState, format_day

if TYPE_CHECKING:
    from lunchlearn.checks import Report
    from lunchlearn.merge import DriverResult
    from lunchlearn.publishing import Publication
    from lunchlearn.sync import SyncReport


def _styled() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def warning(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def claim_command(view: SessionView) -> str | None:
    session = view.session
    if session.state is not SessionState.OPEN or not session.claimable:
        return None
    command = f"lunchlearn signup --date {session.date.isoformat()}"
    return f"{command} --short-notice" if session.short_notice else command


def session_json(view: SessionView) -> dict[str, Any]:
    session = view.session
    data: dict[str, Any] = {
        "date": session.date.isoformat(),
        "state": session.state.value,
        "days_to_go": view.days_to_go,
    }
    if session.talk is not None:
        data |= {
            "presenter": session.talk.presenter,
            "topic": session.talk.topic,
            "article": session.talk.article,
            "article_status": view.article_status,
        }
    if session.skip is not None:
        data["reason"] = session.skip.reason
    if session.state is SessionState.OPEN:
        data |= {"short_notice": session.short_notice, "claim": claim_command(view)}
    return data


def print_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _when(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 0:
        return f"in {days} days"
    return "yesterday" if days == -1 else f"{-days} days ago"


def _row(view: SessionView) -> tuple[str, str, str, str, str]:
    session = view.session
    day, when = format_day(session.date), _when(view.days_to_go)
    if session.talk is not None:
        talk = session.talk
        return day, when, talk.presenter, talk.topic, view.article_status or ""
    if session.skip is not None:
        return day, when, "skipped", session.skip.reason, ""
    claim = claim_command(view)
    return day, when, "open", claim or "beyond the sign-up horizon", ""


_HEADINGS = ("Date", "When", "Presenter", "Topic", "Article")


def sessions_table(views: list[SessionView], title: str, empty: str) -> None:
    if not views:
        print(empty, file=sys.stderr)
        return
    rows = [_row(view) for view in views]
    if not _styled():
        _plain_table(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for heading in _HEADINGS:
        table.add_column(heading, overflow="fold")
    styles = {SessionState.OPEN: "green", SessionState.SKIPPED: "dim"}
    for view, row in zip(views, rows, strict=True):
        table.add_row(*row, style=styles.get(view.session.state))
    Console().print(table)


def _plain_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())


def outcome(result: Outcome) -> None:
    if not result.dry_run:
        print(result.summary)
        return
    print(f"Dry run, nothing written. Would commit: {result.message}")
    _planned_changes(result.changes)


def _planned_changes(changes: Sequence[FileChange]) -> None:
    """Each file a dry run would touch, then a unified diff of the text ones."""
    for change in changes:
        verb = "create" if change.before is None else "delete" if change.after is None else "modify"
        print(f"  {verb} {change.path}")
    import difflib

    for change in changes:
        if isinstance(change.before, bytes) or isinstance(change.after, bytes):
            print(f"Binary file {change.path} differs")
            continue
        diff = difflib.unified_diff(
            (change.before or "").splitlines(keepends=True),
            (change.after or "").splitlines(keepends=True),
            "/dev/null" if change.before is None else f"a/{change.path}",
            "/dev/null" if change.after is None else f"b/{change.path}",
        )
        sys.stdout.writelines(diff)


def publication(result: Publication) -> None:
    for message in result.warnings:
        warning(message)
    if not result.dry_run:
        print(result.summary)
        return
    if result.changes:
        print(f"Dry run, nothing written. Would commit in {result.site}: {result.message}")
    else:
        print(f"Dry run: {result.site} already has this version of the post; nothing would change")
    print(f"Post: {result.post_path}")
    print("Front matter:")
    sys.stdout.write(result.front_matter)
    _planned_changes(result.changes)


def outcomes(results: list[Outcome], empty: str) -> None:
    if not results:
        print(empty, file=sys.stderr)
    for result in results:
        outcome(result)


def check_report(report: Report, json_: bool) -> None:
    """Problems on stdout, one `file:line:col: message` each (or JSON); the verdict on stderr."""
    if json_:
        print_json(
            [
                {"file": p.file, "line": p.line, "column": p.column, "message": p.message}
                for p in report.problems
            ]
        )
    else:
        for problem in report.problems:
            print(problem)
    verdict = "no problems"
    if report.problems:
        files = len({p.file for p in report.problems})
        verdict = f"{len(report.problems)} problem(s) in {files} file(s)"
    checked = f"schedule.yaml and {report.articles_checked} article(s)"
    print(f"Checked {checked}: {verdict}", file=sys.stderr)


def synced_outcome(result: Outcome, report: SyncReport | None) -> None:
    outcome(result)
    shared(report)


def shared(report: SyncReport | None) -> None:
    """What the sync around a writing command did; nothing when it did not sync."""
    if report is None:
        return
    if report.published:
        print(f"Shared with {report.upstream}")
    sync_notes(report)


def sync_report(report: SyncReport) -> None:
    if report.dry_run:
        print(
            f"Dry run, nothing changed here: would bring in {report.pulled} commit(s) from "
            f"{report.upstream} and publish {report.published}"
        )
    elif report.pulled or report.published:
        print(
            f"Brought in {report.pulled} commit(s) from {report.upstream}; "
            f"published {report.published}"
        )
    elif report.unreachable is None:
        print(f"Up to date with {report.upstream}")
    sync_notes(report)


def sync_notes(report: SyncReport) -> None:
    if report.local_only is not None:
        warning(f"not shared yet: {report.local_only}")
    if report.created:
        print(f"{report.upstream} did not exist yet: {'the push would create' if report.dry_run else 'created'} it")
    for undone in report.undone:
        warning(undone.message)
    if report.unreachable is not None:
        later = "run `lunchlearn sync` when the remote is reachable"
        if report.waiting is None:
            waiting = (
                f"{report.upstream} has never been fetched into this clone, so which of your commits "
                f"it lacks is unknown: they are saved here; {later}"
            )
        elif report.waiting:
            waiting = f"{report.waiting} local commit(s) are saved here but not shared yet: {later}"
        else:
            waiting = "nothing of yours is waiting to be shared"
        warning(f"could not reach {report.upstream} ({report.unreachable}); {waiting}")


def merge_driver_result(result: DriverResult) -> None:
    if result.unreadable is not None:
        print(
            f"lunchlearn: {result.path} cannot be merged by meaning: {result.unreadable}; "
            "left our version in place",
            file=sys.stderr,
        )
    for conflict in result.conflicts:
        print(
            f"lunchlearn: {result.path}: {conflict.describe()}; kept ours (in a rebase, ours is "
            "the branch being rebased onto). Check the file, then `git add` it",
            file=sys.stderr,
        )
