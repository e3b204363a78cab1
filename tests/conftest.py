from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import TODAY


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own HOME, git identity and fixed 'today'; nothing leaks in from the machine."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    import os

    for name in list(os.environ):
        if name.startswith(("GIT_", "LUNCHLEARN_")) or name in ("NO_COLOR", "VISUAL", "EDITOR"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("LUNCHLEARN_TODAY", TODAY.isoformat())
    return home


@pytest.fixture
def rota(tmp_path: Path) -> Path:
    """An empty, committed rota made by `lunchlearn init`."""
    from tests.helpers import lunchlearn

    root = tmp_path / "rota"
    result = lunchlearn("init", str(root), "--timezone", "Europe/London")
    assert result.exit_code == 0, result.stderr
    return root
