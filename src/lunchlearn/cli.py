"""The command line: parse arguments, call one action, render. The single error boundary."""

from __future__ import annotations

import datetime
import errno
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from lunchlearn import __version__, actions, model, output
from lunchlearn.errors import ExitCode, LunchlearnError
from lunchlearn.model import Settings

if TYPE_CHECKING:
    from lunchlearn.sync import SyncReport


class _Group(TyperGroup):
    """The error boundary: every error becomes one line on stderr and its exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except NoArgsIsHelpError as error:
            error.show()
            sys.exit(int(ExitCode.BAD_INPUT))
        except UsageError as error:
            where = error.ctx.command_path if error.ctx else "lunchlearn"
            message = error.format_message()
            separator = " " if message.endswith((".", "?", "!")) else "; "
            output.error(f"{message}{separator}run `{where} --help` for usage.")
            sys.exit(int(ExitCode.BAD_INPUT))
        except ClickException as error:
            output.error(error.format_message())
            sys.exit(error.exit_code)
        except typer.Abort:  # Ctrl-C, or end of input at a prompt; an interrupted write was put back
            output.error("interrupted")
            sys.exit(130)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else 0)
        return result

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LunchlearnError as error:
            output.error(error.message)
            raise typer.Exit(int(error.exit_code)) from None
        except OSError as error:  # a file the system refused us: permissions, a full disk
            if error.errno == errno.EPIPE:
                raise  # Typer exits quietly when the reader of our output has gone (`| head`)
            output.error(f"{error.filename or 'a file'}: {error.strerror or error}")
            raise typer.Exit(int(ExitCode.REFUSED)) from None


app = typer.Typer(
    cls=_Group,
    help="Run the Friday lunch-and-learn programme: a rota and articles kept in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
NoSync = Annotated[
    bool, typer.Option("--no-sync", help="Keep the change in this clone; do not sync with the upstream.")
]
_Result = TypeVar("_Result")


def _synced(
    ctx: typer.Context, write: Callable[[], _Result], no_sync: bool, dry_run: bool
) -> tuple[_Result, SyncReport | None]:
    """Run a writing use case between syncs with the upstream when the rota says `sync: auto`."""
    from lunchlearn import sync

    return sync.synced_write(ctx.obj, write, no_sync=no_sync, dry_run=dry_run)


def _show_version(value: bool) -> None:
    if value:
        print(f"lunchlearn {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    repo: Annotated[
        Path | None,
        typer.Option(
            "--repo",
            envvar="LUNCHLEARN_REPO",
            help="The rota folder (default: the nearest folder with schedule.yaml above here).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    ctx.obj = repo


def _date(text: str | None, what: str = "--date") -> datetime.date | None:
    return None if text is None else model.parse_date(text, what)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new rota.")] = Path("."),
    title: Annotated[str, typer.Option(help="Name of the programme.")] = Settings.title,
    weekday: Annotated[str, typer.Option(help="Day of the talks.")] = Settings.weekday,
    time: Annotated[str, typer.Option(help="Start time, HH:MM.")] = Settings.time,
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/London.")] = Settings.timezone,
    room: Annotated[str, typer.Option(help="Where the talks happen.")] = Settings.room,
    lead_weeks: Annotated[int, typer.Option(help="Minimum notice for a sign-up, in weeks.")] = Settings.lead_weeks,
    horizon_weeks: Annotated[
        int, typer.Option(help="How far ahead slots are offered, in weeks.")
    ] = Settings.horizon_weeks,
    dry_run: DryRun = False,
) -> None:
    """Create a new rota: schedule.yaml, talks/ and a first commit (git init when needed).

    Example: lunchlearn init team-talks --timezone Europe/London --room "Canteen"
    """
    settings = Settings(
        title=model.check_text(title, "title"),
        weekday=model.parse_weekday(weekday),
        time=model.check_time(time),
        timezone=model.check_timezone(timezone),
        room=model.check_text(room, "room"),
        lead_weeks=lead_weeks,
        horizon_weeks=horizon_weeks,
    )
    output.outcome(actions.init(directory, settings, dry_run))


@app.command()
def signup(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Option(help="The date, YYYY-MM-DD (default: first open slot).")] = None,
    name: Annotated[str | None, typer.Option(help="Presenter (default: git user.name).")] = None,
    topic: Annotated[str | None, typer.Option(help="What the talk is about.")] = None,
    email: Annotated[str | None, typer.Option(help="Presenter's e-mail address.")] = None,
    short_notice: Annotated[
        bool, typer.Option("--short-notice", help="Allow a date closer than the notice period.")
    ] = False,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Claim a slot: adds you to the rota, creates your article and commits both.

    With an upstream and `sync: auto`, the rota is synced first and the sign-up published.

    Example: lunchlearn signup --date 2026-12-04 --topic "Marketing opportunities using RSS feeds"
    """
    day = _date(date)
    output.synced_outcome(
        *_synced(
            ctx, lambda: actions.signup(ctx.obj, day, name, topic, email, short_notice, dry_run), no_sync, dry_run
        )
    )


@app.command()
def withdraw(
    ctx: typer.Context,
    date: Annotated[str, typer.Option(help="The date to free, YYYY-MM-DD.")],
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Free a slot; an article with real content is kept, marked withdrawn.

    Example: lunchlearn withdraw --date 2026-12-04
    """
    day = model.parse_date(date, "--date")
    output.synced_outcome(*_synced(ctx, lambda: actions.withdraw(ctx.obj, day, dry_run), no_sync, dry_run))


@app.command("next")
def next_(
    ctx: typer.Context,
    count: Annotated[int, typer.Option(min=1, max=520, help="How many sessions to show.")] = 4,
    json_: Json = False,
) -> None:
    """Show the next sessions: who presents what, and which dates are open.

    Example: lunchlearn next --count 6
    """
    views = actions.next_sessions(ctx.obj, count)
    if json_:
        output.print_json([output.session_json(v) for v in views])
    else:
        output.sessions_table(views, "Next sessions", "no sessions")


@app.command()
def schedule(
    ctx: typer.Context,
    past: Annotated[bool, typer.Option("--past", help="Show past talks instead, latest first.")] = False,
    json_: Json = False,
) -> None:
    """Show the whole rota: booked and skipped dates (upcoming, or --past for history).

    Example: lunchlearn schedule --past
    """
    views = actions.schedule(ctx.obj, past)
    if json_:
        output.print_json([output.session_json(v) for v in views])
    else:
        empty = "no past talks" if past else "nothing booked yet; claim a date with `lunchlearn signup`"
        output.sessions_table(views, "Past talks" if past else "Upcoming talks", empty)


@app.command()
def slots(ctx: typer.Context, json_: Json = False) -> None:
    """List the open dates within the sign-up horizon.

    Example: lunchlearn slots --json
    """
    views = actions.open_slots(ctx.obj)
    if json_:
        output.print_json([output.session_json(v) for v in views])
    else:
        output.sessions_table(views, "Open dates", "no open dates within the horizon")


TalkDate = Annotated[
    str | None,
    typer.Argument(metavar="[DATE]", help="The talk's date, YYYY-MM-DD (default: your next talk)."),
]


@app.command()
def write(ctx: typer.Context, date: TalkDate = None, dry_run: DryRun = False, no_sync: NoSync = False) -> None:
    """Open a talk's article in $VISUAL or $EDITOR; commit it when you saved a change.

    Example: lunchlearn write 2026-12-18
    """
    from lunchlearn import articles, sync

    # The editor may stay open for hours, so it runs outside the write lock; the commit is shared after.
    result = articles.write(ctx.obj, _date(date, "DATE"), dry_run)
    output.synced_outcome(result, None if dry_run or not result.message else sync.share(ctx.obj, no_sync=no_sync))


@app.command()
def save(
    ctx: typer.Context,
    date: Annotated[
        str | None,
        typer.Argument(metavar="[DATE]", help="Only this talk's article (default: every article)."),
    ] = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Commit articles changed outside lunchlearn (any editor, a git GUI), one commit each.

    Example: lunchlearn save
    """
    from lunchlearn import articles, sync

    # Commit first: the edits being saved would otherwise stop a sync from bringing in the remote's.
    results = articles.save(ctx.obj, _date(date, "DATE"), dry_run)
    output.outcomes(results, "nothing to save: no article has uncommitted changes")
    output.shared(None if dry_run or not results else sync.share(ctx.obj, no_sync=no_sync))


@app.command()
def ready(ctx: typer.Context, date: TalkDate = None, dry_run: DryRun = False, no_sync: NoSync = False) -> None:
    """Mark an article ready to publish, once it has a title, a summary and enough words.

    Example: lunchlearn ready 2026-12-18
    """
    from lunchlearn import articles

    day = _date(date, "DATE")
    output.synced_outcome(*_synced(ctx, lambda: articles.ready(ctx.obj, day, dry_run), no_sync, dry_run))


@app.command()
def check(ctx: typer.Context, json_: Json = False) -> None:
    """Validate the rota and every article; list each problem as file:line:col (exit 1 if any).

    Example: lunchlearn check --json
    """
    from lunchlearn import articles

    report = articles.check(ctx.obj)
    output.check_report(report, json_)
    if report.problems:
        raise typer.Exit(int(ExitCode.REFUSED))


@app.command()
def publish(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Argument(metavar="DATE", help="The talk's date, YYYY-MM-DD (default: the ready one).")
    ] = None,
    site: Annotated[Path | None, typer.Option(help="The site's folder (default: settings.site).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Publish a draft, or replace edits made in the site.")] = False,
    push: Annotated[bool, typer.Option("--push", help="Push the site repository afterwards.")] = False,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Copy a ready article into the company site (Hugo or Jekyll), commit it there and record it.

    Example: lunchlearn publish 2026-12-04 --site ../company-site --dry-run
    """
    from lunchlearn import publishing  # only here: reading commands need not load the publishing code

    day = _date(date, "DATE")
    result, report = _synced(
        ctx, lambda: publishing.publish_article(ctx.obj, day, site, force, push, dry_run), no_sync, dry_run
    )
    output.publication(result)
    output.shared(report)


@app.command("sync")
def sync_(ctx: typer.Context, dry_run: DryRun = False) -> None:
    """Bring this clone up to date with its upstream and publish its lunchlearn commits.

    A date booked on the remote first stays booked; your sign-up for it is undone (exit 1).

    Example: lunchlearn sync
    """
    from lunchlearn import sync

    report = sync.sync(ctx.obj, dry_run)
    output.sync_report(report)
    if report.undone or report.unreachable is not None:
        raise typer.Exit(int(ExitCode.REFUSED))


@app.command("merge-driver", hidden=True)
def merge_driver(
    ancestor: Path, current: Path, other: Path, path: str
) -> None:
    """git's merge driver for schedule.yaml (git runs it; registered by lunchlearn)."""
    from lunchlearn import merge

    result = merge.merge_files(ancestor, current, other, path)
    output.merge_driver_result(result)
    if not result.clean:
        raise typer.Exit(int(ExitCode.REFUSED))


def main() -> None:
    app(prog_name="lunchlearn")
