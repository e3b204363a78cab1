"""Errors with messages written for people; the CLI turns each into one line on stderr."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REFUSED = 1  # a valid request the rota or repository refuses
    BAD_INPUT = 2  # a wrong command line, option value or data file


class LunchlearnError(Exception):
    """Base class: the message says what happened and what to do about it."""

    exit_code = ExitCode.REFUSED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(LunchlearnError):
    """An option value or environment variable that cannot be used."""

    exit_code = ExitCode.BAD_INPUT


class RotaFileError(LunchlearnError):
    """A data file that does not parse or is not a rota; the message starts with file:line:col."""

    exit_code = ExitCode.BAD_INPUT


class NotARota(LunchlearnError):
    """No schedule.yaml was found where one was expected."""


class Refused(LunchlearnError):
    """The rota's rules refuse the request (taken date, too late, ...)."""


class UnsafePath(Refused):
    """A path that resolves outside its repository (`..`, an absolute path, a symlink)."""


class RepositoryError(LunchlearnError):
    """Git refused or failed; the working tree was put back as it was."""
