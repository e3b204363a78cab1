"""The command line: parse arguments, call one action, render. The single error boundary."""

from __future__ import annotations

import datetime
import errno
import inspect
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer
from typer._click import Context, HelpFormatter, Parameter
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer._click.types import ParamType
from typer.core import TyperCommand, TyperGroup, TyperOption

from lunchlearn import __version__, output, progress
from lunchlearn.errors import BadInput, ExitCode, LunchlearnError
from lunchlearn.rota import model
from lunchlearn.rota.model import Settings
from lunchlearn.rota.public_holidays import parse_region

if TYPE_CHECKING:
    from typer._click.shell_completion import CompletionItem

    from lunchlearn.usecases.sessions import Outcome
    from lunchlearn.usecases.sync import SyncReport



def _rich_help() -> bool:
    """Rich on a terminal, plain text when piped, as for every listing: plain help loads no Rich (importing
    it was half the time of `--help`)."""
    return sys.stdout.isatty()


_EXAMPLES = "\n\nExamples:\n"


def _format_help(
    command: TyperCommand | TyperGroup,
    ctx: Context,
    formatter: HelpFormatter,
    rich_format: Callable[[Context, HelpFormatter], None],
) -> None:
    """Usage, prose and options (Rich panels in a terminal, click's plain layout when piped), then the
    examples, last and never wrapped by us: a terminal wraps a long one itself, and it copies as one line."""
    full_help = command.help or ""
    prose, _, examples = inspect.cleandoc(full_help).partition(_EXAMPLES)
    command.help = prose
    try:
        if _rich_help():
            rich_format(ctx, formatter)
        else:
            _format_plain_help(command, ctx, formatter)
    finally:
        command.help = full_help
    if not examples:
        return
    if _rich_help():
        from rich.console import Console

        console = Console(markup=False, highlight=False)
        console.print(" Examples:", style="bold")
        console.print("\n".join(f"   {line.strip()}" for line in examples.splitlines()), soft_wrap=True)
    else:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(f"\b\nExamples:\n{examples}")  # click's `\\b` keeps the lines as they are


def _format_plain_help(command: TyperCommand | TyperGroup, ctx: Context, formatter: HelpFormatter) -> None:
    """click's plain layout, with indented paragraphs kept line by line (click's `\\b` keeps a paragraph)."""
    command.format_usage(ctx, formatter)
    text = inspect.cleandoc(command.help or "")
    if text:
        paragraphs = [f"\b\n{paragraph}" if "\n " in paragraph else paragraph for paragraph in text.split("\n\n")]
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text("\n\n".join(paragraphs))
    command.format_options(ctx, formatter)
    command.format_epilog(ctx, formatter)


class _HelpGroup(TyperGroup):
    """A group of commands whose plain help lists them under their panels, as Rich's help does, and
    that suggests a close name for a mistyped command."""

    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            import difflib

            close = difflib.get_close_matches(args[0], self.typable_names()) if args else []
            if close:
                error.message = f"{error.message.rstrip('.')}. Did you mean {', '.join(map(repr, close))}?"
            raise

    def typable_names(self) -> list[str]:
        return [name for name, command in self.commands.items() if not command.hidden]

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        _format_help(self, ctx, formatter, super().format_help)

    def summaries(self, ctx: Context) -> list[tuple[str | None, str, str]]:
        """Each command's help panel, name and help, in the order the help lists them."""
        found = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        return [
            (getattr(command, "rich_help_panel", None), name, command.help or "")
            for name, command in found
            if command is not None and not command.hidden
        ]

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        from typer._click.utils import make_default_short_help

        panels: dict[str, list[tuple[str, str]]] = {}
        for panel, name, text in self.summaries(ctx):
            panels.setdefault(panel or "Commands", []).append((name, make_default_short_help(text, sys.maxsize)))
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl(rows)


class _Group(_HelpGroup):
    """The error boundary: every error becomes one line on stderr and its exit code."""

    def typable_names(self) -> list[str]:
        """Every command, built or not: a mistyped command builds none (_build_only_commands_named)."""
        commands = [_command_name(info) for info in _EVERY_COMMAND if not info.hidden]
        return commands + [str(info.name) for info in _EVERY_GROUP if not info.hidden]

    def summaries(self, ctx: Context) -> list[tuple[str | None, str, str]]:
        """From the commands' registrations, built or not: the plain help of the program builds none."""
        from typer.main import solve_typer_info_help

        commands = [(info.rich_help_panel, _command_name(info), info.help or inspect.getdoc(info.callback) or "")
                    for info in _EVERY_COMMAND if not info.hidden]
        return commands + [(info.rich_help_panel, str(info.name), solve_typer_info_help(info))
                           for info in _EVERY_GROUP if not info.hidden]

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
        except NoArgsIsHelpError as error:  # a bare `lunchlearn` asks what there is to do
            if error.format_message():  # Rich has printed the help already
                print(error.format_message())
            sys.exit(int(ExitCode.OK))
        except UsageError as error:
            where = error.ctx.command_path if error.ctx else "lunchlearn"
            message = error.format_message()
            new_sentence = message.endswith((".", "?", "!"))
            advice = f"{'Run' if new_sentence else 'run'} `{where} --help` for usage."
            output.error(f"{message} {advice}" if new_sentence else f"{message}; {advice}")
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
            what_to_do = _WHAT_TO_DO.get(error.errno or 0, "fix that and try again")
            output.error(f"{error.filename or 'a file'}: {error.strerror or error}; {what_to_do}")
            raise typer.Exit(int(ExitCode.REFUSED)) from None
        except Exception as error:
            gitpython = sys.modules.get("git")  # loaded by the commands that run git, and only by them
            if gitpython is None or not isinstance(error, gitpython.GitCommandError):
                raise
            from lunchlearn.git.failures import reason

            output.error(f"git failed: {reason(error)}")
            raise typer.Exit(int(ExitCode.REFUSED)) from None


_WHAT_TO_DO = {  # for an OSError no use case turned into a message of its own
    errno.ESPIPE: "lunchlearn reads only files there: put the file itself in its place",
    errno.EISDIR: "lunchlearn expects a file there: rename or remove that folder",
    errno.ENOTDIR: "a part of that path is a file where lunchlearn expects a folder",
    errno.EACCES: "check its permissions",
    errno.EPERM: "check its permissions",
    errno.ENOSPC: "free some disk space and try again",
    errno.EROFS: "the file system is read-only; run lunchlearn in a writable clone",
}


def _use_repo(ctx: Context, _: Parameter, value: Path | None) -> Path | None:
    """`--repo` given before or after the command name: the later one wins, as a person reads it."""
    if value is not None:
        ctx.obj = value
    return value


STANDARD_OUTPUT = Path("-")  # as a FILE option's value, as most tools take it
_REPO_HELP = "The rota folder (default: the nearest folder with schedule.yaml above here)."


class _Command(TyperCommand):
    """A command that also takes `--repo`/`-R` after its name, and whose examples use live dates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            TyperOption(
                param_decls=["--repo", "-R"],
                type=A_PATH,
                callback=_use_repo,
                expose_value=False,
                metavar="PATH",
                help=_REPO_HELP,
            )
        )
        self.help_template = self.help
        if self.help_template:
            self.help = self.help_template.format(**_example_dates(Settings().weekday_number))

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        if self.help_template:
            from lunchlearn.usecases.workspace import programme_weekday

            self.help = self.help_template.format(**_example_dates(programme_weekday(ctx.obj)))
        _format_help(self, ctx, formatter, super().format_help)


def _example_dates(weekday: int) -> dict[str, str]:
    """Programme days (`weekday`, Monday is 0) around today, so that every example in `--help` names a date
    it works on: `day` and `later` a few weeks ahead (to sign up for), `coming` in the week ahead (to
    confirm) and `last` on or before today (to give feedback on)."""
    from lunchlearn.usecases.workspace import TODAY_VARIABLE

    override = model.iso_date(os.environ.get(TODAY_VARIABLE, ""))
    today = override or datetime.date.today()
    coming = today + datetime.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    first = today + datetime.timedelta(days=(weekday - today.weekday()) % 7 + 35)
    return {
        "last": (coming - datetime.timedelta(weeks=1)).isoformat(),
        "coming": coming.isoformat(),
        "day": first.isoformat(),
        "later": (first + datetime.timedelta(weeks=1)).isoformat(),
    }


class _PathType(ParamType):
    """A file or folder name; an empty one is a mistake (a variable that was not set), never `.`."""

    name = "path"

    def convert(self, value: Any, param: Parameter | None, ctx: Context | None) -> Path:
        if isinstance(value, Path):
            return value
        if not str(value):
            self.fail("is empty: give a file or folder name (`.` for this folder)", param, ctx)
        return Path(str(value))


A_PATH = _PathType()


class _DateType(ParamType):
    """A YYYY-MM-DD date; the shell completes the rota's open or booked dates."""

    name = "YYYY-MM-DD"

    def __init__(self, offers: Literal["open", "booked"]) -> None:
        self.offers = offers

    def convert(self, value: Any, param: Parameter | None, ctx: Context | None) -> datetime.date:
        if isinstance(value, datetime.date):
            return value
        try:
            return model.parse_date(str(value), "the date")
        except BadInput as error:
            self.fail(error.message, param, ctx)

    def shell_complete(self, ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
        from typer._click.shell_completion import CompletionItem

        from lunchlearn.usecases import listings

        try:
            listing = listings.open_slots(ctx.obj) if self.offers == "open" else listings.schedule(ctx.obj, past=False)
        except LunchlearnError:
            return []
        return [
            CompletionItem(day, help=view.session.talk.topic if view.session.talk else "open")
            for view in listing.views
            if view.session.skip is None and (day := view.session.date.isoformat()).startswith(incomplete)
        ]


def _date_argument(help: str, offers: Literal["open", "booked"] = "booked") -> Any:
    return typer.Argument(click_type=_DateType(offers), metavar="[DATE]", show_default=False, help=help)


def _date_option(offers: Literal["open", "booked"] = "booked") -> Any:
    return typer.Option("--date", click_type=_DateType(offers), show_default=False, help="The same as DATE.")


def _one_date(
    positional: datetime.date | None, option: datetime.date | None, flag: str = "--date"
) -> datetime.date | None:
    """DATE and --date (or another `flag`) are one parameter spelt two ways; two different dates is a mistake."""
    if positional is not None and option is not None and positional != option:
        raise BadInput(
            f"two dates given ({positional.isoformat()} and {flag} {option.isoformat()}); give one"
        )
    return positional or option


def _required_date(ctx: Context, day: datetime.date | None, name: str, flag: str) -> datetime.date:
    if day is None:
        raise UsageError(f"Missing argument '{name}' (or {flag} {name}).", ctx)
    return day


app = typer.Typer(
    cls=_Group,
    help="Run the Friday lunch-and-learn programme: a rota and articles kept in git.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    suggest_commands=False,  # _HelpGroup suggests from the names, without building every command
)

DateOption = Annotated[datetime.date | None, _date_option()]

_ROTA = "The rota"
_TALK = "Your talk and article"
_SITE = "The site"
_TEAM = "The team"


def _command(panel: str, name: str | None = None, **settings: Any) -> Callable[[_Function], _Function]:
    return app.command(name, cls=_Command, rich_help_panel=panel, **settings)


def _show(outcome: Outcome, json_: bool = False) -> None:
    output.outcome(outcome, json_)
    _fail_unless_shared(outcome.shared)


def _fail_unless_shared(report: SyncReport | None) -> None:
    """A write whose commits could not be shared stands here, and the command has said what it did; it
    fails all the same (exit 1), as the error it printed last says."""
    if report is not None and report.not_shared is not None:
        raise typer.Exit(int(ExitCode.REFUSED))


DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
NoSync = Annotated[
    bool, typer.Option("--no-sync", help="Keep the change in this clone; do not sync with the upstream.")
]
_Result = TypeVar("_Result")
_Function = TypeVar("_Function", bound=Callable[..., Any])


def _show_version(value: bool) -> None:
    if value:
        print(f"lunchlearn {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    repo: Annotated[
        Path | None,
        typer.Option("--repo", "-R", envvar="LUNCHLEARN_REPO", callback=_use_repo, click_type=A_PATH,
                     help=_REPO_HELP),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Run the Friday lunch-and-learn programme: a rota and articles kept in git."""


@_command(_ROTA, "next")
def next_(
    ctx: typer.Context,
    count: Annotated[int, typer.Option(min=1, max=520, help="How many sessions to show.")] = 4,
    json_: Json = False,
) -> None:
    """Show the next sessions: who presents what, and which dates are open.

    Examples:
      lunchlearn next
      lunchlearn next --count 8
      lunchlearn next --json
    """
    from lunchlearn.usecases import listings

    output.sessions(listings.next_sessions(ctx.obj, count), "Next sessions", "no sessions", json_)


@_command(_ROTA)
def schedule(
    ctx: typer.Context,
    past: Annotated[bool, typer.Option("--past", help="Show past talks instead, latest first.")] = False,
    json_: Json = False,
) -> None:
    """Show the whole rota: booked and skipped dates (upcoming, or --past for history).

    Examples:
      lunchlearn schedule
      lunchlearn schedule --past
      lunchlearn schedule --json
    """
    from lunchlearn.usecases import listings

    empty = "no past talks" if past else "nothing booked yet; claim a date with `lunchlearn signup`"
    output.sessions(listings.schedule(ctx.obj, past), "Past talks" if past else "Upcoming talks", empty, json_)


@_command(_ROTA)
def slots(ctx: typer.Context, json_: Json = False) -> None:
    """List the open dates within the sign-up horizon.

    Examples:
      lunchlearn slots
      lunchlearn slots --json
    """
    from lunchlearn.usecases import listings

    output.sessions(listings.open_slots(ctx.obj), "Open dates", "no open dates within the horizon", json_)


@_command(_TALK)
def signup(
    ctx: typer.Context,
    date: Annotated[
        datetime.date | None, _date_argument("The date to claim (default: the first open date).", "open")
    ] = None,
    date_option: Annotated[datetime.date | None, _date_option("open")] = None,
    name: Annotated[str | None, typer.Option(help="Presenter (default: git user.name).")] = None,
    topic: Annotated[str | None, typer.Option(help="What the talk is about.")] = None,
    email: Annotated[str | None, typer.Option(help="Presenter's e-mail address.")] = None,
    short_notice: Annotated[
        bool, typer.Option("--short-notice", help="Allow a date closer than the notice period.")
    ] = False,
    idea: Annotated[
        str | None, typer.Option(metavar="ID", help="Give a listed idea's talk: its text is the topic.")
    ] = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Claim a slot: adds you to the rota, creates your article and commits both.

    With an upstream and `sync: auto`, the rota is synced first and the sign-up pushed. With --idea,
    the idea (see `lunchlearn ideas list`) becomes the topic, its tags the article's, and it is marked
    taken in the same commit.

    Examples:
      lunchlearn signup --date {day} --topic "RSS feeds for marketing"
      lunchlearn signup {later} --name "Ray Patel" --topic "Colour"
      lunchlearn signup {later} --idea 3fa2c1
      lunchlearn signup --dry-run
    """
    from lunchlearn.usecases import sessions

    day = _one_date(date, date_option)
    _show(
        sessions.signup(ctx.obj, day, name, topic, email, short_notice, dry_run, share=not no_sync, idea=idea)
    )


@_command(_TALK)
def withdraw(
    ctx: typer.Context,
    date: Annotated[datetime.date | None, _date_argument("The talk's date.")] = None,
    date_option: DateOption = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
    json_: Json = False,
) -> None:
    """Free a slot; an article with real content is kept, marked withdrawn.

    The output names the people on the standby list to ask to take the date.

    Examples:
      lunchlearn withdraw {day}
      lunchlearn withdraw --date {day} --dry-run
      lunchlearn withdraw {day} --json
    """
    from lunchlearn.usecases import sessions

    day = _one_date(date, date_option)
    if day is None:
        raise UsageError("Missing argument 'DATE' (or --date DATE).", ctx)
    _show(sessions.withdraw(ctx.obj, day, dry_run, share=not no_sync), json_)


@_command(_TALK)
def move(
    ctx: typer.Context,
    date: Annotated[datetime.date | None, _date_argument("The talk's date.")] = None,
    to: Annotated[
        datetime.date | None,
        typer.Argument(
            click_type=_DateType("open"), metavar="[TO]", show_default=False, help="The open date to move it to."
        ),
    ] = None,
    from_option: Annotated[
        datetime.date | None, typer.Option("--from", click_type=_DateType("booked"), help="The same as DATE.")
    ] = None,
    to_option: Annotated[
        datetime.date | None, typer.Option("--to", click_type=_DateType("open"), help="The same as TO.")
    ] = None,
    short_notice: Annotated[
        bool, typer.Option("--short-notice", help="Allow a move inside the notice period.")
    ] = False,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
    json_: Json = False,
) -> None:
    """Move a talk to an open date; its article is renamed with it, every word kept.

    The output names the people on the standby list to ask to take the date left open.

    Examples:
      lunchlearn move {day} {later}
      lunchlearn move --from {day} --to {later} --dry-run
      lunchlearn move {day} {later} --json
    """
    from lunchlearn.usecases import changes

    day = _required_date(ctx, _one_date(date, from_option, "--from"), "DATE", "--from")
    target = _required_date(ctx, _one_date(to, to_option, "--to"), "TO", "--to")
    _show(changes.move(ctx.obj, day, target, short_notice, dry_run, share=not no_sync), json_)


@_command(_TALK)
def swap(
    ctx: typer.Context,
    first: Annotated[
        datetime.date, typer.Argument(click_type=_DateType("booked"), metavar="DATE", help="One talk's date.")
    ],
    second: Annotated[
        datetime.date, typer.Argument(click_type=_DateType("booked"), metavar="DATE", help="The other talk's date.")
    ],
    short_notice: Annotated[
        bool, typer.Option("--short-notice", help="Allow a swap inside the notice period.")
    ] = False,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Exchange two talks' dates; their articles are renamed with them.

    Examples:
      lunchlearn swap {day} {later}
      lunchlearn swap {day} {later} --dry-run
    """
    from lunchlearn.usecases import changes

    _show(changes.swap(ctx.obj, first, second, short_notice, dry_run, share=not no_sync))


@_command(_TALK)
def topic(
    ctx: typer.Context,
    date: Annotated[datetime.date | None, _date_argument("The talk's date.")] = None,
    new_topic: Annotated[str | None, typer.Argument(metavar="[TOPIC]", help="The new topic.")] = None,
    date_option: DateOption = None,
    topic_option: Annotated[str | None, typer.Option("--topic", help="The same as TOPIC.")] = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Change a talk's topic: the rota, the article's title and, until it is published, its file name.

    Examples:
      lunchlearn topic {day} "Colour in web design"
      lunchlearn topic --date {day} --topic "RSS feeds" --dry-run
    """
    from lunchlearn.usecases import changes

    day = _required_date(ctx, _one_date(date, date_option), "DATE", "--date")
    if new_topic is not None and topic_option is not None and new_topic != topic_option:
        raise BadInput(f"two topics given ({new_topic!r} and --topic {topic_option!r}); give one")
    title = new_topic if new_topic is not None else topic_option
    if title is None:
        raise UsageError("Missing argument 'TOPIC' (or --topic TOPIC).", ctx)
    _show(changes.topic(ctx.obj, day, title, dry_run, share=not no_sync))


YourTalk = Annotated[datetime.date | None, _date_argument("The talk's date (default: your next talk).")]


@_command(_TALK)
def write(
    ctx: typer.Context,
    date: YourTalk = None,
    date_option: DateOption = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Open a talk's article in $VISUAL or $EDITOR; commit it when you saved a change.

    Examples:
      lunchlearn write
      lunchlearn write {day}
      VISUAL="code --wait" lunchlearn write --date {day}
    """
    from lunchlearn.usecases import articles

    _show(articles.write(ctx.obj, _one_date(date, date_option), dry_run, share=not no_sync))


@_command(_TALK)
def save(
    ctx: typer.Context,
    date: Annotated[
        datetime.date | None, _date_argument("Only this talk's article (default: every article).")
    ] = None,
    date_option: DateOption = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Commit articles changed outside lunchlearn (any editor, a git GUI), one commit each.

    Examples:
      lunchlearn save
      lunchlearn save {day}
      lunchlearn save --dry-run
    """
    from lunchlearn.usecases import articles

    results, shared = articles.save(ctx.obj, _one_date(date, date_option), dry_run, share=not no_sync)
    output.outcomes(results, "nothing to save: no article has uncommitted changes")
    output.shared(shared)
    _fail_unless_shared(shared)


@_command(_TALK)
def ready(
    ctx: typer.Context,
    date: YourTalk = None,
    date_option: DateOption = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Mark an article ready to publish, once it has a title, a summary and enough words.

    Examples:
      lunchlearn ready
      lunchlearn ready {day}
      lunchlearn ready --date {day} --dry-run
    """
    from lunchlearn.usecases import articles

    _show(articles.ready(ctx.obj, _one_date(date, date_option), dry_run, share=not no_sync))


@_command(_ROTA)
def check(ctx: typer.Context, json_: Json = False) -> None:
    """Validate the rota and every article; list each problem as file:line:col (exit 1 if any).

    Examples:
      lunchlearn check
      lunchlearn check --json
      lunchlearn -R ../team-rota check
    """
    from lunchlearn.usecases import checking

    report = checking.check(ctx.obj)
    output.check_report(report, json_)
    if report.problems:
        raise typer.Exit(int(ExitCode.REFUSED))


@_command(_ROTA)
def skip(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why there is no talk, e.g. the company event.")],
    date: Annotated[datetime.date | None, _date_argument("The date to skip.", "open")] = None,
    date_option: Annotated[datetime.date | None, _date_option("open")] = None,
    move_to: Annotated[
        datetime.date | None,
        typer.Option("--move-to", click_type=_DateType("open"), help="Move the date's talk to this open date."),
    ] = None,
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Withdraw the date's talk.")] = False,
    short_notice: Annotated[
        bool, typer.Option("--short-notice", help="Allow moving the talk inside the notice period.")
    ] = False,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Skip a date for a company event; a talk on it needs --move-to DATE or --withdraw.

    Examples:
      lunchlearn skip {day} --reason "All-hands meeting"
      lunchlearn skip --date {day} --reason "Office move" --move-to {later}
      lunchlearn skip {day} --reason "All-hands meeting" --withdraw --dry-run
    """
    from lunchlearn.usecases import changes

    day = _required_date(ctx, _one_date(date, date_option), "DATE", "--date")
    outcome = changes.skip(ctx.obj, day, reason, move_to, withdraw, short_notice, dry_run, share=not no_sync)
    _show(outcome)


@_command(_ROTA)
def unskip(
    ctx: typer.Context,
    date: Annotated[datetime.date | None, _date_argument("The skipped date.")] = None,
    date_option: DateOption = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Hold a skipped date again, open to sign up for.

    Examples:
      lunchlearn unskip {day}
      lunchlearn unskip --date {day} --dry-run
    """
    from lunchlearn.usecases import changes

    day = _required_date(ctx, _one_date(date, date_option), "DATE", "--date")
    _show(changes.unskip(ctx.obj, day, dry_run, share=not no_sync))


@_command(_SITE)
def publish(
    ctx: typer.Context,
    date: Annotated[
        datetime.date | None, _date_argument("The talk's date (default: the one article marked ready).")
    ] = None,
    date_option: DateOption = None,
    site: Annotated[
        Path | None, typer.Option(click_type=A_PATH, help="The site's folder (default: settings.site).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Publish a draft, or replace edits made in the site.")] = False,
    push: Annotated[bool, typer.Option("--push", help="Push the site repository afterwards.")] = False,
    schedule: Annotated[
        bool,
        typer.Option("--schedule", help="Write the site's Upcoming talks page and calendar feed instead."),
    ] = False,
    stats: Annotated[
        bool, typer.Option("--stats", help="Put the programme's stats page (as `stats --html` writes it) on the site.")
    ] = False,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Copy a ready article into the company site (Hugo or Jekyll), commit it there and record it.

    With --schedule, write the site's "Upcoming talks" page and its calendar feed (lunchlearn.ics) instead;
    with --stats, the programme's stats page (lunchlearn-stats.html).

    Examples:
      lunchlearn publish --site ../company-site
      lunchlearn publish {day} --site ../company-site --dry-run
      lunchlearn publish --date {day} --push
      lunchlearn publish --schedule --site ../company-site
      lunchlearn publish --stats --push
    """
    from lunchlearn.usecases import publishing  # only here: reading commands need not load the publishing code

    day = _one_date(date, date_option)
    if schedule or stats:
        if day is not None or force or (schedule and stats):
            raise BadInput("--schedule and --stats each write one page for the whole programme; give one of them, "
                           "with no DATE and no --force")
        write_page = publishing.publish_schedule if schedule else publishing.publish_stats
        _show(write_page(ctx.obj, site, push, dry_run))
        return
    publication = publishing.publish_article(ctx.obj, day, site, force, push, dry_run, share=not no_sync)
    output.publication(publication)
    _fail_unless_shared(publication.shared)


@_command(_ROTA)
def stats(
    ctx: typer.Context,
    since: Annotated[
        datetime.date | None,
        typer.Option(click_type=_DateType("booked"), help="Count from this date (default: the first talk or skip)."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(metavar="FILE", click_type=A_PATH,
                     help="Write the figures as a self-contained HTML page to FILE (-: the output)."),
    ] = None,
    json_: Json = False,
) -> None:
    """Show the programme's figures: sessions held, skipped and open; talks per person and per tag; articles.

    Examples:
      lunchlearn stats
      lunchlearn stats --json
      lunchlearn stats --html stats.html
    """
    from lunchlearn.usecases import stats as figures

    if html is not None and json_:
        raise BadInput("--html writes the page and --json prints the figures; give one of them")
    settings, report = figures.programme_stats(ctx.obj, since)
    if html is None:
        output.stats_report(settings, report, json_)
        return
    from lunchlearn.site.stats_page import stats_page

    page = stats_page(settings.title, report)
    if html == STANDARD_OUTPUT:
        sys.stdout.write(page)
        return
    figures.write_page(page, html)
    print(f"Wrote {html}", file=sys.stderr)


@_command(_TEAM)
def suggest(
    ctx: typer.Context,
    count: Annotated[int, typer.Option(min=1, max=520, help="How many open dates to fill.")] = 3,
    json_: Json = False,
) -> None:
    """Whom to ask for the next open dates: a fair order, each with the reason in words.

    Examples:
      lunchlearn suggest
      lunchlearn suggest --count 5
      lunchlearn suggest --json
    """
    from lunchlearn.usecases import stats as figures

    output.suggestions_report(figures.suggestions(ctx.obj, count), json_)


@_command(_SITE)
def calendar(
    ctx: typer.Context,
    output_file: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", click_type=A_PATH,
                     help="Write the feed to FILE (default, or -: standard output)."),
    ] = None,
    person: Annotated[str | None, typer.Option(metavar="NAME", help="Only this presenter's talks.")] = None,
) -> None:
    """Write the programme as an iCalendar feed (.ics) to subscribe to from a calendar app.

    Each talk keeps its event (UID) from sign-up on, through moves; a withdrawn talk shows as cancelled.

    Examples:
      lunchlearn calendar -o lunchlearn.ics
      lunchlearn calendar --person "Ann Lee" -o ann.ics
      lunchlearn calendar > lunchlearn.ics
    """
    from lunchlearn.usecases import calendar as feeds

    with feeds.calendar_feed(ctx.obj, person) as feed:
        if output_file in (None, STANDARD_OUTPUT):
            shutil.copyfileobj(feed, sys.stdout.buffer)
            sys.stdout.flush()
        elif feeds.write_feed(feed, output_file):
            print(f"Wrote {output_file}", file=sys.stderr)
        else:
            print(f"{output_file} is up to date", file=sys.stderr)


@_command(_TEAM)
def init(
    directory: Annotated[Path, typer.Argument(click_type=A_PATH, help="Folder for the new rota.")] = Path("."),
    title: Annotated[str, typer.Option(help="Name of the programme.")] = Settings.title,
    weekday: Annotated[str, typer.Option(help="Day of the talks.")] = Settings.weekday,
    time: Annotated[str, typer.Option(metavar="HH:MM", help="Start time.")] = Settings.time,
    timezone: Annotated[
        str, typer.Option(metavar="ZONE", help="IANA time zone, e.g. Europe/London.")
    ] = Settings.timezone,
    room: Annotated[str, typer.Option(help="Where the talks happen.")] = Settings.room,
    lead_weeks: Annotated[int, typer.Option(help="Minimum notice for a sign-up, in weeks.")] = Settings.lead_weeks,
    horizon_weeks: Annotated[
        int, typer.Option(help="How far ahead slots are offered, in weeks.")
    ] = Settings.horizon_weeks,
    holidays: Annotated[
        str,
        typer.Option(
            metavar="COUNTRY[-SUBDIV]",
            help="Skip the region's public holidays, e.g. GB-ENG, DE-BY or US (ISO 3166 codes).",
        ),
    ] = "",
    dry_run: DryRun = False,
) -> None:
    """Create a new rota: schedule.yaml, talks/ and a first commit (git init when needed).

    Examples:
      lunchlearn init team-rota --timezone Europe/London --room Canteen --holidays GB-ENG
      lunchlearn init --title "Friday lunch and learn" --time 13:30
      lunchlearn init team-rota --weekday thursday --dry-run
    """
    from lunchlearn.usecases import sessions

    settings = Settings(
        title=model.check_text(title, "title"),
        weekday=model.parse_weekday(weekday),
        time=model.check_time(time),
        timezone=model.check_timezone(timezone),
        room=model.check_text(room, "room"),
        lead_weeks=lead_weeks,
        horizon_weeks=horizon_weeks,
    )
    region = parse_region(holidays) if holidays.strip() else None
    _show(sessions.init(directory, settings, region, dry_run))


@_command(_TEAM, "sync")
def sync_(ctx: typer.Context, dry_run: DryRun = False) -> None:
    """Bring this clone up to date with its upstream and push its lunchlearn commits.

    A date booked on the remote first stays booked; your sign-up for it is undone (exit 1).

    Examples:
      lunchlearn sync
      lunchlearn sync --dry-run
    """
    from lunchlearn.usecases import sync

    report = sync.sync(ctx.obj, dry_run)
    output.sync_report(report)
    if report.undone or report.unreachable is not None:
        raise typer.Exit(int(ExitCode.REFUSED))


@_command(_TEAM)
def standby(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option(help="Who joins or leaves (default: git user.name).")] = None,
    leave: Annotated[bool, typer.Option("--leave", help="Leave the standby list.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="Show who is on the standby list.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="With --list, print JSON.")] = False,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Join the standby list: people willing to step in when a slot is freed at short notice.

    `withdraw`, `move` and `remind` name the people on it to ask for a free date.

    Examples:
      lunchlearn standby
      lunchlearn standby --name "Ray Patel"
      lunchlearn standby --leave
      lunchlearn standby --list --json
    """
    if list_:
        from lunchlearn.usecases import listings

        if leave or name is not None or dry_run:
            raise BadInput("--list only shows the standby list; give it no --name, --leave or --dry-run")
        output.standby(listings.standby_list(ctx.obj), json_)
        return
    if json_:
        raise BadInput("--json goes with --list")
    from lunchlearn.usecases import standby as standby_actions

    _show(standby_actions.join_or_leave(ctx.obj, name, leave, dry_run, share=not no_sync))


@_command(_TEAM)
def feedback(
    ctx: typer.Context,
    date: Annotated[datetime.date | None, _date_argument("The talk's date.")] = None,
    date_option: DateOption = None,
    rating: Annotated[
        int | None, typer.Option(metavar="1-5", help="How good the talk was, 1 (poor) to 5 (excellent).")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="What you liked, or what would make it better.")] = None,
    name: Annotated[str | None, typer.Option(help="Who gives the feedback (default: git user.name).")] = None,
    show: Annotated[bool, typer.Option("--show", help="Summarise the talk's feedback instead.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="With --show, print JSON.")] = False,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Give feedback on a talk that has happened (one entry per person), or --show a summary of it.

    The feedback is committed beside the talk's article; git records who gave it.

    Examples:
      lunchlearn feedback {last} --rating 5 --comment "Loved the worked examples"
      lunchlearn feedback --date {last} --rating 4 --name "Ray Patel"
      lunchlearn feedback {last} --show
      lunchlearn feedback {last} --show --json
    """
    from lunchlearn.usecases import feedback as talk_feedback

    day = _required_date(ctx, _one_date(date, date_option), "DATE", "--date")
    if show:
        if rating is not None or comment is not None or name is not None or dry_run:
            raise BadInput("--show only summarises; give it no --rating, --comment, --name or --dry-run")
        output.feedback_summary(talk_feedback.summary(ctx.obj, day), json_)
        return
    if json_:
        raise BadInput("--json goes with --show")
    if rating is None:
        raise UsageError("Missing option '--rating' (1 to 5), or --show to see the feedback.", ctx)
    _show(talk_feedback.give(ctx.obj, day, rating, comment, name, dry_run, share=not no_sync))


@_command(_TALK)
def confirm(
    ctx: typer.Context,
    date: YourTalk = None,
    date_option: DateOption = None,
    name: Annotated[str | None, typer.Option(help="Presenter (default: git user.name).")] = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Say your talk is on: in the week before it, records in the rota that you confirmed.

    Examples:
      lunchlearn confirm
      lunchlearn confirm {coming}
      lunchlearn confirm --date {coming} --name "Ray Patel"
    """
    from lunchlearn.usecases import confirming

    day = _one_date(date, date_option)
    _show(confirming.confirm(ctx.obj, day, name, dry_run, share=not no_sync))


class ReminderFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    EMAIL = "email"


class AnnouncementFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    EMAIL = "email"
    JSON = "json"


@_command(_ROTA)
def remind(
    ctx: typer.Context,
    days: Annotated[
        int | None, typer.Option(min=1, max=366, help="How far ahead to look (default: settings.remind_days).")
    ] = None,
    format_: Annotated[
        ReminderFormat, typer.Option("--format", help="Plain text, Markdown, or e-mails (mbox) to presenters.")
    ] = ReminderFormat.TEXT,
    json_: Json = False,
) -> None:
    """Print what needs doing (exit 1 when something does); it sends nothing, pipe it where you like.

    Unconfirmed talks in the coming week, open dates and draft articles in the next days, and articles
    still unpublished after their talk.

    Examples:
      lunchlearn remind
      lunchlearn remind --days 28 --format markdown
      lunchlearn remind --format email | formail -s sendmail -t
      lunchlearn remind --json
    """
    from lunchlearn.usecases import notices

    report = notices.remind(ctx.obj, days)
    output.reminder_report(report, "json" if json_ else format_.value)
    if report.due:
        raise typer.Exit(int(ExitCode.REFUSED))


@_command(_ROTA)
def announce(
    ctx: typer.Context,
    date: Annotated[
        datetime.date | None, _date_argument("The session's date (default: the next session).")
    ] = None,
    date_option: DateOption = None,
    format_: Annotated[
        AnnouncementFormat,
        typer.Option("--format", help="Plain text, Markdown, an e-mail to settings.announce_to, or JSON."),
    ] = AnnouncementFormat.TEXT,
) -> None:
    """Write the week's announcement for everyone; it sends nothing, pipe it where you like.

    Examples:
      lunchlearn announce
      lunchlearn announce {day} --format markdown
      lunchlearn announce --format email | sendmail -t
    """
    from lunchlearn.usecases import notices

    output.announcement(notices.announce(ctx.obj, _one_date(date, date_option)), format_.value)


ideas_app = typer.Typer(
    cls=_HelpGroup,
    no_args_is_help=True,
    help="""Topic ideas: a shared backlog anyone can add to and vote on, most wanted first.

    Examples:
      lunchlearn ideas add "Rust for Python developers" --tags rust,languages
      lunchlearn ideas list
      lunchlearn ideas vote 3fa2c1
    """,
)
app.add_typer(ideas_app, name="ideas", rich_help_panel=_TEAM)


def _ideas_command(name: str) -> Callable[[_Function], _Function]:
    return ideas_app.command(name, cls=_Command)


IdeaId = Annotated[str, typer.Argument(metavar="ID", help="The idea's ID, or 4 or more of its first digits.")]


@_ideas_command("add")
def ideas_add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The topic, in a line.")],
    by: Annotated[
        str | None, typer.Option("--by", "--name", help="Who suggests it (default: git user.name).")
    ] = None,
    tags: Annotated[str | None, typer.Option(help="Comma-separated tags, e.g. rust,languages.")] = None,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Add a topic idea; the same text (case and spacing aside) is refused, naming the idea to vote for.

    Examples:
      lunchlearn ideas add "Rust for Python developers"
      lunchlearn ideas add "Accessible forms" --by "Ray Patel" --tags web,a11y
    """
    from lunchlearn.rota.ideas import check_tags
    from lunchlearn.usecases import ideas

    tag_list = () if tags is None else check_tags(tags)
    _show(ideas.add(ctx.obj, text, by, tag_list, dry_run, share=not no_sync))


@_ideas_command("list")
def ideas_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Also show ideas a talk has taken, with its date.")] = False,
    json_: Json = False,
) -> None:
    """List the open ideas, most votes first, then the oldest.

    Examples:
      lunchlearn ideas list
      lunchlearn ideas list --all
      lunchlearn ideas list --json
    """
    from lunchlearn.usecases import ideas

    output.ideas_listing(ideas.listing(ctx.obj, all_), json_)


@_ideas_command("vote")
def ideas_vote(
    ctx: typer.Context,
    idea: IdeaId,
    name: Annotated[str | None, typer.Option(help="Who votes (default: git user.name).")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Take your vote back.")] = False,
    dry_run: DryRun = False,
    no_sync: NoSync = False,
) -> None:
    """Vote for an idea: one vote per person; --undo takes your vote back.

    Examples:
      lunchlearn ideas vote 3fa2c1
      lunchlearn ideas vote 3fa2 --name "Ray Patel"
      lunchlearn ideas vote 3fa2c1 --undo
    """
    from lunchlearn.usecases import ideas

    _show(ideas.vote(ctx.obj, idea, name, undo, dry_run, share=not no_sync))


@_ideas_command("drop")
def ideas_drop(ctx: typer.Context, idea: IdeaId, dry_run: DryRun = False, no_sync: NoSync = False) -> None:
    """Remove an idea; one a talk in the rota has taken stays (withdrawing the talk frees it).

    Examples:
      lunchlearn ideas drop 3fa2c1
      lunchlearn ideas drop 3fa2 --dry-run
    """
    from lunchlearn.usecases import ideas

    _show(ideas.drop(ctx.obj, idea, dry_run, share=not no_sync))


@app.command("merge-driver", hidden=True)
def merge_driver(
    ancestor: Path, current: Path, other: Path, path: str
) -> None:
    """git's merge driver for the rota's shared files (git runs it; registered by lunchlearn)."""
    from lunchlearn.git.statedir import rebasing
    from lunchlearn.rota import shared_files

    result = shared_files.merge_files(ancestor, current, other, path)
    output.merge_driver_result(result, rebasing(Path.cwd()))
    if not result.clean:
        raise typer.Exit(int(ExitCode.REFUSED))


_EVERY_COMMAND = tuple(app.registered_commands)
_EVERY_GROUP = tuple(app.registered_groups)


def main() -> None:
    if sys.stderr.isatty():
        progress.show_with(output.spinner)
    _build_only_commands_named(sys.argv[1:])
    app(prog_name="lunchlearn")


def _command_name(info: Any) -> str:
    from typer.main import get_command_name

    return str(info.name or get_command_name(info.callback.__name__))


def _build_only_commands_named(args: list[str]) -> None:
    """Typer works out every command's parameters before it runs one, a third of a quick command's time:
    only the commands the command line names are built (none for a mistyped one, nor for the program's
    plain help, which lists them from their registrations). The program's help in a terminal (Rich), or
    completing in a shell, builds them all.
    """
    names = {_command_name(info) for info in _EVERY_COMMAND} | {str(info.name) for info in _EVERY_GROUP}
    named = [arg for arg in args if arg in names]
    before_command = args[: args.index(named[0])] if named else args
    asks_help = not args or any(arg in ("-h", "--help") for arg in before_command)
    if asks_help and _rich_help():
        return
    if any(key.endswith("_COMPLETE") for key in os.environ):
        return
    app.registered_commands = [] if asks_help else [info for info in _EVERY_COMMAND if _command_name(info) in named]
    app.registered_groups = [] if asks_help else [info for info in _EVERY_GROUP if info.name in named]
