"""Slow steps say what they are doing; the command line decides how a person sees it.

The git layer wraps each network operation in `step("Fetching origin/main")`. Nothing is shown
unless the CLI installed a display (a spinner, when stderr is a terminal), so the layers below the
CLI never print.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

_display: Callable[[str], AbstractContextManager[object]] = nullcontext


def show_with(display: Callable[[str], AbstractContextManager[object]]) -> None:
    global _display
    _display = display


@contextmanager
def step(description: str) -> Iterator[None]:
    with _display(description):
        yield
