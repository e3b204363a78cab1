"""Rendering: Rich tables in a terminal, plain aligned text when piped or NO_COLOR, JSON on request.

Data goes to stdout, messages to stderr. Rich is imported only when a terminal will show it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lunchlearn.rota.model import SessionState, claim_command, end_time, format_day, is_confirmed, plural

if TYPE_CHECKING:
    from email.message import EmailMessage

    from lunchlearn.rota.checks import Report
    from lunchlearn.rota.fairness import Suggestions
    from lunchlearn.rota.model import FileChange, Settings
    from lunchlearn.rota.reminders import Announcement, Reminder, Reminders
    from lunchlearn.rota.shared_files import DriverResult
    from lunchlearn.rota.stats import Section, Stats
    from lunchlearn.usecases.feedback import FeedbackSummary
    from lunchlearn.usecases.ideas import IdeaView
    from lunchlearn.usecases.listings import Listing, SessionView
    from lunchlearn.usecases.publishing import Publication
    from lunchlearn.usecases.sessions import Outcome
    from lunchlearn.usecases.sync import SyncReport


SPINNER_DELAY_SECONDS = 0.5


def _styled() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _label(name: str, colour: int) -> str:
    """`error:` or `warning:`, coloured as git colours them when a person reads stderr."""
    if sys.stderr.isatty() and "NO_COLOR" not in os.environ:
        return f"\x1b[1;{colour}m{name}:\x1b[0m"
    return f"{name}:"


def error(message: str) -> None:
    print(f"{_label('error', 31)} {message}", file=sys.stderr)


def warning(message: str) -> None:
    print(f"{_label('warning', 33)} {message}", file=sys.stderr)


def session_json(view: SessionView, settings: Settings) -> dict[str, Any]:
    session = view.session
    data: dict[str, Any] = {
        "date": session.date.isoformat(),
        "time": settings.time,
        "timezone": settings.timezone,
        "room": settings.room,
        "state": session.state.value,
        "days_to_go": view.days_to_go,
    }
    if session.talk is not None:
        data |= {
            "presenter": session.talk.presenter,
            "topic": session.talk.topic,
            "article": session.talk.article,
            "article_status": view.article_status,
            "needs_attention": view.needs_attention,
            "confirmed": is_confirmed(session.talk),
        }
    if session.skip is not None:
        data["reason"] = session.skip.reason
    if session.state is SessionState.OPEN:
        data |= {"short_notice": session.short_notice, "claim": claim_command(view.session)}
    return data


@contextmanager
def spinner(description: str) -> Iterator[None]:
    """A spinner on stderr once a step has taken half a second; quick steps show nothing."""
    import threading

    from rich.console import Console

    status = Console(stderr=True, markup=False).status(f"{description}…")  # a folder name is shown as it is
    lock, finished = threading.Lock(), False

    def start() -> None:
        with lock:
            if not finished:
                status.start()

    timer = threading.Timer(SPINNER_DELAY_SECONDS, start)
    timer.start()
    try:
        yield
    finally:
        with lock:
            finished = True
            timer.cancel()
            status.stop()


def print_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def programme_line(settings: Settings) -> str:
    """`Lunch and learn · Fridays 13:00–13:45 (Europe/London) · Main meeting room`."""
    when = f"{settings.weekday.capitalize()}s {settings.time}–{end_time(settings)} ({settings.timezone})"
    return f"{settings.title} · {when} · {settings.room}"


def _when(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 0:
        return f"in {days} days"
    return "yesterday" if days == -1 else f"{-days} days ago"


def _row(view: SessionView, claim_inline: bool) -> tuple[str, str, str, str, str]:
    session = view.session
    day, when = format_day(session.date), _when(view.days_to_go)
    if session.talk is not None:
        talk = session.talk
        presenter = f"{talk.presenter} (unconfirmed)" if view.unconfirmed else talk.presenter
        return day, when, presenter, talk.topic, view.article_status or ""
    if session.skip is not None:
        return day, when, "skipped", session.skip.reason, ""
    claim = claim_command(view.session)
    if claim is None:
        return day, when, "open", "beyond the sign-up horizon", ""
    return day, when, "open", claim if claim_inline else "claim: see below", ""


_HEADINGS = ("Date", "When", "Presenter", "Topic", "Article")
_NARROW = 80  # below this many columns the table leaves out "When"


def sessions(listing: Listing, title: str, empty: str, json_: bool) -> None:
    """A listing of sessions: JSON, an aligned plain table when piped, or a Rich table in a terminal."""
    if json_:
        print_json([session_json(view, listing.settings) for view in listing.views])
        return
    if not listing.views:
        print(empty, file=sys.stderr)
        return
    if not _styled():
        print(programme_line(listing.settings))
        _plain_table([_row(view, claim_inline=True) for view in listing.views])
        return
    _rich_table(listing, title)


def _rich_table(listing: Listing, title: str) -> None:
    """Cells never wrap: a long name or topic ends in "…", and claim commands too wide to sit in the
    table get a line each below it."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(markup=False)  # names and topics are shown as typed, "[b]" and all
    shown = [0, 1, 2, 3, 4] if console.width >= _NARROW else [0, 2, 3, 4]
    widths = [max(len(row[i]) for row in [_HEADINGS, *(_row(v, True) for v in listing.views)]) for i in range(5)]
    fixed = sum(widths[i] for i in shown if i not in (2, 3)) + 3 * (len(shown) - 1)  # with the gaps between
    room = max(console.width - fixed, 16)
    presenter = min(widths[2], max(room // 3, 8))
    claims = [claim for view in listing.views if (claim := claim_command(view.session))]
    claim_inline = all(len(claim) <= room - presenter for claim in claims)
    table = Table(
        title=f"{title}: {programme_line(listing.settings)}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for i in shown:
        squeezed = {2: presenter, 3: room - presenter}.get(i)
        table.add_column(
            _HEADINGS[i], no_wrap=True, overflow="ellipsis", min_width=squeezed or widths[i], max_width=squeezed
        )
    styles = {SessionState.OPEN: "green", SessionState.SKIPPED: "dim"}
    for view in listing.views:
        style = "bold yellow" if view.needs_attention or view.unconfirmed else styles.get(view.session.state)
        row = _row(view, claim_inline)
        table.add_row(*(row[i] for i in shown), style=style)
    console.print(table)
    if claims and not claim_inline:
        console.print("To claim an open date:")
        for claim in claims:
            console.print(f"  {claim}", style="green", soft_wrap=True)


def _fitted_table(rows: Sequence[Sequence[str]], shrinking: Sequence[int]) -> None:
    """A table that fits the terminal: its `shrinking` columns end in "…" instead of wrapping (the first
    of them keeps the most room), the others keep their width. `rows[0]` holds the headings."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(markup=False)  # ideas and names are shown as typed, "[b]" and all
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    fixed = sum(width for i, width in enumerate(widths) if i not in shrinking) + 3 * (len(widths) - 1)
    room = max(console.width - fixed, 8 * len(shrinking))
    caps = {i: min(widths[i], max(room // (len(shrinking) + 1), 8)) for i in shrinking[1:]}
    caps[shrinking[0]] = min(widths[shrinking[0]], room - sum(caps.values()))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i, heading in enumerate(rows[0]):
        width = caps.get(i, widths[i])
        table.add_column(heading, no_wrap=True, overflow="ellipsis", min_width=width, max_width=width)
    for row in rows[1:]:
        table.add_row(*row)
    console.print(table)


def _plain_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(_columns(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell + " " * (width - _columns(cell)) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())


def _columns(text: str) -> int:
    """The terminal columns `text` takes, which aligns names as typed: a wide character (CJK, most emoji)
    takes two, a combining accent (a name typed decomposed) or a zero-width character none."""
    import unicodedata

    return sum(
        0 if unicodedata.category(char) in ("Mn", "Me", "Cf") else 2 if unicodedata.east_asian_width(char) in "WF"
        else 1
        for char in text
    )


def outcome(result: Outcome, json_: bool = False) -> None:
    if json_:
        print_json(_outcome_json(result))
        if result.shared is not None:
            from contextlib import redirect_stdout

            with redirect_stdout(sys.stderr):  # stdout holds only the JSON
                sync_notes(result.shared, warning)
        return
    if not (result.dry_run and result.changes):  # a dry run that would change nothing says so, as a run does
        print(result.summary)
        if result.freed is not None and result.ask:
            print(f"Ask someone on standby to take {format_day(result.freed)}: {', '.join(result.ask)}")
        for step in result.next_steps:
            print(f"Next: {step}")
        shared(result.shared)
        return
    print(f"Dry run, nothing written. Would commit: {result.message}")
    _planned_changes(result.changes)


def _outcome_json(result: Outcome) -> dict[str, Any]:
    return {
        "summary": result.summary,
        "commit_message": result.message,
        "dry_run": result.dry_run,
        "changes": [{"path": c.path, "action": _action(c)} for c in result.changes],
        "freed": None if result.freed is None else result.freed.isoformat(),
        "standby_to_ask": list(result.ask),
        "pushed_to": result.shared.upstream if result.shared is not None and result.shared.pushed else None,
    }


def _action(change: FileChange) -> str:
    return "create" if change.before is None else "delete" if change.after is None else "modify"


def _planned_changes(changes: Sequence[FileChange]) -> None:
    """Each file a dry run would touch, then a unified diff of the text ones."""
    for change in changes:
        print(f"  {_action(change)} {change.path}")
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
        for step in result.next_steps:
            print(f"Next: {step}")
        shared(result.shared)
        return
    if result.changes:
        print(f"Dry run, nothing written. Would commit in {result.site}: {result.message}")
    else:
        print(f"Dry run: {result.site} already has this version of the post; nothing would change")
    print(f"Post: {result.post_path}")
    print("Front matter:")
    sys.stdout.write(result.front_matter)
    _planned_changes(result.changes)


def standby(names: Sequence[str], json_: bool) -> None:
    if json_:
        print_json([{"name": name} for name in names])
    elif not names:
        print("nobody is on standby; join with `lunchlearn standby`", file=sys.stderr)
    else:
        print("\n".join(names))


def feedback_summary(summary: FeedbackSummary, json_: bool) -> None:
    """The presenter's view of a talk's feedback: count, average, each rating's count, the comments."""
    talk = summary.talk
    if json_:
        print_json(
            {
                "date": talk.date.isoformat(),
                "presenter": talk.presenter,
                "topic": talk.topic,
                "count": len(summary.entries),
                "average": summary.average,
                "ratings": {str(rating): count for rating, count in summary.counts.items()},
                "feedback": [
                    {"by": e.by, "rating": e.rating, "comment": e.comment or None, "given": e.given or None}
                    for e in summary.entries
                ],
            }
        )
        return
    print(f"Feedback on {talk.presenter}'s talk of {format_day(talk.date)}: {talk.topic}")
    if summary.average is None:
        print("No feedback yet.")
        return
    print(f"{plural(len(summary.entries), 'rating')}, average {summary.average:.1f} out of 5")
    for rating, count in sorted(summary.counts.items(), reverse=True):
        print(f"  {rating}: {'#' * count}{' ' if count else ''}{count}")
    comments = [e for e in summary.entries if e.comment]
    if comments:
        print("Comments:")
        for entry in comments:
            print(f"  - {entry.comment} ({entry.by}, {entry.rating})")


def outcomes(results: list[Outcome], empty: str) -> None:
    if not results:
        print(empty, file=sys.stderr)
    for result in results:
        outcome(result)


def ideas_listing(views: list[IdeaView], json_: bool) -> None:
    """Ideas, most wanted first: JSON, or an aligned table (ID, votes, idea, tags, who, taken)."""
    if json_:
        print_json([_idea_json(view) for view in views])
        return
    if not views:
        print("no ideas yet; add one with `lunchlearn ideas add \"TEXT\"`", file=sys.stderr)
        return
    rows = [["ID", "Votes", "Idea", "Tags", "By", "Taken"]]
    for view in views:
        idea = view.idea
        taken = format_day(view.talk.date) if view.talk is not None else ""
        rows.append([idea.id, str(len(idea.votes)), idea.text, ", ".join(idea.tags), idea.by, taken])
    shown = 6 if any(view.talk is not None for view in views) else 5
    rows = [row[:shown] for row in rows]
    if _styled():
        _fitted_table(rows, shrinking=(2, 3, 4))  # the text, tags and name give way; ID, votes and date stay
    else:
        _plain_table(rows)


def _idea_json(view: IdeaView) -> dict[str, Any]:
    idea = view.idea
    return {
        "id": idea.id,
        "text": idea.text,
        "by": idea.by,
        "added": idea.added.isoformat(),
        "tags": list(idea.tags),
        "votes": list(idea.votes),
        "taken": None if view.talk is None else view.talk.date.isoformat(),
    }


def check_report(report: Report, json_: bool) -> None:
    """Problems on stdout, one `file:line:col: message` each (or JSON); the verdict on stderr."""
    found = [("error", p) for p in report.problems] + [("warning", w) for w in report.warnings]
    if json_:
        print_json(
            [
                {"file": p.file, "line": p.line, "column": p.column, "message": p.message, "severity": severity}
                for severity, p in found
            ]
        )
    else:
        for severity, problem in found:
            print(problem if severity == "error" else replace(problem, message=f"warning: {problem.message}"))
    checked = f"Checked schedule.yaml and {plural(report.articles_checked, 'article')}"
    warned = f"; {plural(len(report.warnings), 'warning')}" if report.warnings else ""
    if not report.problems:
        print(f"{checked}: no problems{warned}", file=sys.stderr)
        return
    files = len({p.file for p in report.problems})
    error(f"{checked}: {plural(len(report.problems), 'problem')} in {plural(files, 'file')}")


def shared(report: SyncReport | None) -> None:
    """What the sync around a writing command did; nothing when it did not sync."""
    if report is None:
        return
    if report.pushed:
        print(f"Pushed to {report.upstream}")
    sync_notes(report, warning)


def sync_report(report: SyncReport) -> None:
    """The report of `lunchlearn sync`, which fails when a sign-up was undone or the remote unreachable."""
    brought_in = f"{plural(report.pulled, 'commit')} from {report.upstream}"
    if report.dry_run:
        print(f"Dry run, nothing changed here: would bring in {brought_in} and push {report.pushed}")
    elif report.pulled or report.pushed:
        print(f"Brought in {brought_in}; pushed {report.pushed}")
    elif report.unreachable is None:
        print(f"Up to date with {report.upstream}")
    sync_notes(report, error)


def sync_notes(report: SyncReport, failure: Callable[[str], None]) -> None:
    """Notes on a sync; `failure` labels what makes the command fail (`error`) or merely warns (`warning`)."""
    if report.local_only is not None:
        warning(f"not shared yet: {report.local_only}")
    if report.created:
        print(f"{report.upstream} did not exist yet: {'the push would create' if report.dry_run else 'created'} it")
    if report.upstream_set:
        print(f"This branch now tracks {report.upstream}: writing commands share their commits by themselves")
    for undone in report.undone:
        failure(undone.message)
    if report.unreachable is not None:
        later = "run `lunchlearn sync` when the remote is reachable"
        if report.waiting is None:
            waiting = (
                f"{report.upstream} has never been fetched into this clone, so which of your commits "
                f"it lacks is unknown: they are saved here; {later}"
            )
        elif report.waiting:
            waiting = f"{plural(report.waiting, 'local commit')} saved here but not shared yet: {later}"
        else:
            waiting = "nothing of yours is waiting to be shared"
        failure(f"could not reach {report.upstream} ({report.unreachable}); {waiting}")
    if report.not_shared is not None:
        error(report.not_shared)


def merge_driver_result(result: DriverResult, rebasing: bool) -> None:
    """What the merge driver did, naming the sides as git's job does: a rebase replays a commit on the branch
    rebased onto, which is then "ours"."""
    ours, theirs = ("the branch rebased onto", "the commit being rebased") if rebasing else (
        "this branch", "the branch merged in")
    if result.unreadable is not None:
        print(
            f"lunchlearn: {result.path} cannot be merged by meaning: {result.unreadable}; "
            f"left {ours}'s version in place",
            file=sys.stderr,
        )
    for conflict in result.conflicts:
        print(
            f"lunchlearn: {result.path}: {conflict.describe(ours, theirs)}; kept {ours}'s version. Check the "
            "file, then `git add` it",
            file=sys.stderr,
        )


# Reminders and announcements -----------------------------------------------------------------


def reminder_report(report: Reminders, format_: str) -> None:
    """What `remind` found: text or Markdown for a person or a chat, JSON, or e-mails to presenters."""
    if format_ == "json":
        print_json(_reminders_json(report))
    elif format_ == "email":
        _write_mbox(_reminder_emails(report))
    else:
        markdown = format_ == "markdown"
        print("\n".join(_reminder_lines(report, markdown)))


def _reminders_json(report: Reminders) -> dict[str, Any]:
    session = report.next_session
    upcoming: dict[str, Any] | None = None
    if session is not None:
        upcoming = {"date": session.date.isoformat(), "state": session.state.value}
        if session.talk is not None:
            upcoming |= {"presenter": session.talk.presenter, "topic": session.talk.topic,
                         "confirmed": is_confirmed(session.talk)}
    return {
        "today": report.today.isoformat(),
        "days": report.days,
        "needs_attention": bool(report.due),
        "next": upcoming,
        "due": [_reminder_json(reminder) for reminder in report.due],
        "standby": [{"date": call.date.isoformat(), "ask": list(call.ask)} for call in report.standby],
    }


def _reminder_json(reminder: Reminder) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": reminder.kind.value,
        "date": reminder.date.isoformat(),
        "message": reminder.message,
        "command": reminder.command,
    }
    if reminder.talk is not None:
        data |= {"presenter": reminder.talk.presenter, "email": reminder.talk.email or None,
                 "topic": reminder.talk.topic, "article": reminder.talk.article,
                 "article_status": reminder.article_status}
    return data


def _next_session_line(report: Reminders) -> str:
    session = report.next_session
    if session is None:
        return "Next session: none within the sign-up horizon"
    when = f"{format_day(session.date)} {report.settings.time} ({report.settings.timezone})"
    if session.talk is None:
        return f"Next session: {when}: open, nobody presents yet"
    confirmed = "confirmed" if is_confirmed(session.talk) else "not confirmed yet"
    return f"Next session: {when}: {session.talk.presenter}, {session.talk.topic} ({confirmed})"


def _reminder_lines(report: Reminders, markdown: bool) -> list[str]:
    heading = f"{report.settings.title}: what needs doing ({format_day(report.today)}, next {report.days} days)"
    text = _markdown_text if markdown else str
    lines = [f"## {text(heading)}" if markdown else heading, "", text(_next_session_line(report)), ""]
    if not report.due:
        lines.append("Nothing needs doing.")
    for reminder in report.due:
        if markdown:
            lines.append(f"- {text(reminder.message)}: `{reminder.command}`")
        else:
            lines += [f"- {reminder.message}", f"  {reminder.command}"]
    return lines + [text(line) for line in _standby_lines(report)]


def _standby_lines(report: Reminders) -> list[str]:
    """Whom on the standby list to ask for each open date of the next two weeks."""
    from lunchlearn.rota.reminders import STANDBY_WINDOW_DAYS

    if not report.standby:
        return []
    lines = ["", f"On standby for the open dates in the next {STANDBY_WINDOW_DAYS} days:"]
    return lines + [f"- {format_day(call.date)}: ask {', '.join(call.ask)}" for call in report.standby]


def _markdown_text(text: str) -> str:
    """Text that Markdown shows as typed: its punctuation escaped."""
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)


def _reminder_emails(report: Reminders) -> list[EmailMessage]:
    """One message per address: each presenter's reminders, and open dates to the announcement list."""
    from lunchlearn.rota import reminders

    settings = report.settings
    if report.due or (report.standby and settings.announce_to):
        reminders.email_sender(settings)  # before any warning: without a sender no message is written
    by_address: dict[str, tuple[str, list[Reminder]]] = {}
    for reminder in report.due:
        talk = reminder.talk
        if talk is not None and talk.email:
            by_address.setdefault(talk.email.casefold(), (talk.email, []))[1].append(reminder)
        elif talk is None and settings.announce_to:
            by_address.setdefault(settings.announce_to.casefold(), (settings.announce_to, []))[1].append(reminder)
        else:
            who = f"{talk.presenter} has no e-mail in the rota" if talk else "settings.announce_to is not set"
            warning(f"not sent by e-mail ({who}): {reminder.message}")
    if report.standby and settings.announce_to:  # the list hears whom to ask, open dates or not
        by_address.setdefault(settings.announce_to.casefold(), (settings.announce_to, []))
    messages = []
    for address, due in by_address.values():
        name = next((r.talk.presenter for r in due if r.talk is not None), "")
        subject = due[0].message if len(due) == 1 else plural(len(due), "reminder") if due else "who is on standby"
        body = [f"{settings.title}: {'this needs' if len(due) == 1 else 'these need'} doing.", ""] if due else []
        for reminder in due:
            body += [f"- {reminder.message}", f"  {reminder.command}", ""]
        body.append(_next_session_line(report))
        if address == settings.announce_to:
            body += _standby_lines(report)
        messages.append(_email(settings, (name, address), f"{settings.title}: {subject}", "\n".join(body)))
    return messages


def _email(settings: Settings, to: tuple[str, str], subject: str, body: str) -> EmailMessage:
    """An RFC 5322 message dated now in the rota's time zone; lunchlearn writes it and sends nothing."""
    from datetime import datetime as clock
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid
    from zoneinfo import ZoneInfo

    from lunchlearn.rota import reminders

    sender = reminders.email_sender(settings)
    message = EmailMessage()
    message["From"] = Address(settings.title, addr_spec=sender)
    message["To"] = Address(to[0], addr_spec=to[1])
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now(ZoneInfo(settings.timezone)))
    message["Message-ID"] = make_msgid("lunchlearn", domain=sender.rpartition("@")[2])
    message.set_content(body + "\n", cte="quoted-printable")
    return message


def _write_mbox(messages: list[EmailMessage]) -> None:
    """Messages one after another in mbox form, each opened by a `From ` line, as `formail -s` splits them."""
    from email.generator import Generator

    for message in messages:
        message.set_unixfrom(f"From lunchlearn {message['Date'].datetime:%a %b %d %H:%M:%S %Y}")
        Generator(sys.stdout, mangle_from_=True).flatten(message, unixfrom=True)
        print()


def announcement(notice: Announcement, format_: str) -> None:
    """The week's announcement as text, Markdown, JSON or one e-mail to settings.announce_to."""
    from lunchlearn.rota import reminders

    if format_ == "json":
        print_json(_announcement_json(notice))
        return
    if format_ == "email":
        to = reminders.announce_address(notice.settings)
        message = _email(notice.settings, (notice.settings.title, to), _announcement_subject(notice),
                         "\n".join(_announcement_lines(notice, markdown=False)))
        sys.stdout.write(message.as_string())
        return
    print("\n".join(_announcement_lines(notice, format_ == "markdown")))


def _announcement_json(notice: Announcement) -> dict[str, Any]:
    settings, session = notice.settings, notice.session
    data: dict[str, Any] = {
        "title": settings.title,
        "date": session.date.isoformat(),
        "time": settings.time,
        "end_time": notice.end_time,
        "timezone": settings.timezone,
        "room": settings.room,
        "state": session.state.value,
        "link": notice.link or None,
    }
    if session.talk is not None:
        data |= {"presenter": session.talk.presenter, "topic": session.talk.topic,
                 "summary": notice.summary or None, "confirmed": is_confirmed(session.talk),
                 "article_url": notice.article_url or None}
    if session.skip is not None:
        data["reason"] = session.skip.reason
    if session.state is SessionState.OPEN:
        data["claim"] = notice.claim
    return data


def _announcement_subject(notice: Announcement) -> str:
    session, day = notice.session, format_day(notice.session.date)
    if session.talk is not None:
        return f"{notice.settings.title}, {day}: {session.talk.topic} ({session.talk.presenter})"
    if session.skip is not None:
        return f"No {notice.settings.title} on {day}"
    return f"{notice.settings.title}, {day}: volunteer wanted"


def _announcement_lines(notice: Announcement, markdown: bool) -> list[str]:
    settings, session, day = notice.settings, notice.session, format_day(notice.session.date)
    text = _markdown_text if markdown else str
    code = (lambda command: f"`{command}`") if markdown else str
    heading = f"{settings.title}: {day}"
    lines = [f"## {text(heading)}" if markdown else heading, ""]
    when = f"{settings.time}–{notice.end_time} ({settings.timezone}), {settings.room}"
    if session.talk is not None:
        lines += [text(f"{session.talk.presenter}: {session.talk.topic}"), text(when)]
        if notice.summary:
            lines += ["", text(notice.summary)]
        if notice.article_url:
            lines += ["", f"Article: {notice.article_url}"]
    elif session.skip is not None:
        lines.append(text(f"There is no session this week: {session.skip.reason}."))
    else:
        lines += ["Nobody is presenting yet.", text(when), ""]
        if notice.claim is not None:
            lines.append(f"Would you like to? Claim the date with {code(notice.claim)}")
        else:
            lines.append("Sign-ups for this date are closed.")
    if notice.link:
        lines += ["", f"Calendar: {notice.link}"]
    return lines


# Stats and suggestions -----------------------------------------------------------------------


_BAR = "█"


def stats_json(settings: Settings, figures: Stats) -> dict[str, Any]:
    """The figures of `stats --json`; the terminal, the plain text and the HTML page show the same."""
    from lunchlearn.rota.stats import percent, session_rows

    total = figures.sessions.total
    return {
        "title": settings.title,
        "since": figures.since.isoformat(),
        "today": figures.today.isoformat(),
        "sessions": {
            "total": total,
            **{key: {"count": count, "percent": percent(count, total)} for key, _, count in session_rows(figures)},
        },
        "people": [
            {
                "name": p.name,
                "talks_given": p.talks_given,
                "last_talk": p.last_talk.isoformat() if p.last_talk else None,
                "weeks_since": p.weeks_since,
                "feedback_average": p.feedback_average,
                "ratings": p.ratings,
                "upcoming": p.upcoming,
            }
            for p in figures.people
        ],
        "tags": [{"tag": tag, "talks": count} for tag, count in figures.tags],
        "articles": {
            "held_talks": figures.articles.held_talks,
            "published": figures.articles.published,
            "delay_unknown": figures.articles.delay_unknown,
            "median_days": figures.articles.median_days,
            "longest_days": figures.articles.longest_days,
        },
    }


def stats_report(settings: Settings, figures: Stats, json_: bool) -> None:
    """`stats`: JSON, plain text when piped, or bar charts in a terminal."""
    from lunchlearn.rota.stats import report_sections

    if json_:
        print_json(stats_json(settings, figures))
        return
    sections = report_sections(figures)
    heading = f"{settings.title} · {format_day(figures.since)} to {format_day(figures.today)}"
    if not _styled():
        print(heading)
        for title, rows, _ in sections:
            print(f"\n{title}")
            _plain_table([[f"  {row[0]}", *row[1:]] for row in rows] or [["  none yet"]])
        return
    _rich_stats(heading, sections)


_GAP = 3  # the columns' padding and divider in a SIMPLE table
_SHORTEST_BAR = 8  # a narrower terminal leaves out columns on the right instead


def _rich_stats(heading: str, sections: list[Section]) -> None:
    """Each section a table whose second column is a bar as long as its figure. Cells never wrap: the
    right-most columns that do not fit are left out (as `next` leaves out "When"), and a name too long
    ends in "…"; sentences wrap at words."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(markup=False)  # names and topics are shown as typed, "[b]" and all
    console.print(heading, style="bold")
    for title, rows, bars in sections:
        if not bars:
            console.print(title, style="bold")
            for row in rows or [["none yet"]]:
                console.print(*row)
            continue
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else [8]
        name = min(widths[0], max(console.width // 4, 8))
        shown = len(widths)
        while shown > 2 and console.width - name - sum(widths[1:shown]) - _GAP * shown < _SHORTEST_BAR:
            shown -= 1
        bar_width = max(4, min(30, console.width - name - sum(widths[1:shown]) - _GAP * shown))
        table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE, show_header=False,
                      show_edge=False, pad_edge=False)
        table.add_column(no_wrap=True, overflow="ellipsis", min_width=name, max_width=name)
        table.add_column(no_wrap=True, style="green", width=bar_width)
        for _ in range(1, shown):
            table.add_column(no_wrap=True, overflow="ellipsis")
        top = max(bars, default=0) or 1
        for row, figure in zip(rows, bars, strict=True):
            table.add_row(row[0], _BAR * round(figure * bar_width / top), *row[1:shown])
        console.print(table if rows else f"{title}\nnone yet")


def suggestions_report(result: Suggestions, json_: bool) -> None:
    """`suggest`: the open dates, then whom to ask in order with the reason for each."""
    count = len(result.at_limit)
    left_out = (
        f"Left out, {count} {'person' if count == 1 else 'people'}: {', '.join(result.at_limit)}; each already "
        f"holds {plural(result.max_upcoming, 'upcoming talk')}, the limit (max_upcoming)"
    ) if result.at_limit else ""
    if json_:
        print_json({
            "slots": [{"date": s.date.isoformat(), "short_notice": s.short_notice} for s in result.slots],
            "suggestions": [
                {"rank": rank, "name": c.name, "talks_given": c.talks_given,
                 "last_talk": c.last_given.isoformat() if c.last_given else None,
                 "on_standby": c.on_standby, "reason": c.reason}
                for rank, c in enumerate(result.ranked, 1)
            ],
            "left_out": list(result.at_limit),
            "max_upcoming": result.max_upcoming,
        })
        return
    dates = [format_day(s.date) + (" (short notice)" if s.short_notice else "") for s in result.slots]
    print("Open dates: " + (", ".join(dates) or "none within the horizon"))
    if result.ranked:
        print("Whom to ask, in order:")
    for rank, candidate in enumerate(result.ranked, 1):
        print(f"  {rank}. {candidate.name}: {candidate.reason}")
    if not result.ranked:
        print("nobody to ask: add names under `people:` in schedule.yaml", file=sys.stderr)
    if left_out:
        print(left_out)
