"""The README's quick tour, followed step by step on today's real date, as a new user would."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.helpers import git
from tests.test_publish import HUGO_CONFIG, TOML_ARCHETYPE, make_site

README = Path(__file__).resolve().parent.parent / "README.md"
WORDS = " ".join(["Feeds still carry news to people who choose what they read."] * 40)
EDITOR = f"""import pathlib, re, sys
path = pathlib.Path(sys.argv[1])
text = path.read_text(encoding="utf-8")
front, body = text.split("---", 2)[1:]
front = re.sub(r"(?m)^summary:.*$", "summary: Why feeds still matter.", front)
if "summary:" not in front:
    front += "summary: Why feeds still matter.\\n"
path.write_text("---" + front + "---\\n{WORDS}\\n", encoding="utf-8")
"""


def quick_tour() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## Quick tour", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line.split("   #")[0].split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_quick_tour_works_on_todays_date(tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR, encoding="utf-8")
    make_site(tmp_path / "company-site", {"hugo.toml": HUGO_CONFIG, "archetypes/default.md": TOML_ARCHETYPE})
    env = {k: v for k, v in os.environ.items() if k != "LUNCHLEARN_TODAY"}
    env["VISUAL"] = f"{sys.executable} {editor}"
    cwd = tmp_path
    for line in quick_tour():
        words = shlex.split(line)
        if words[0] == "cd":
            cwd = (cwd / words[1]).resolve()
            continue
        command = [sys.executable, "-m", "lunchlearn", *words[1:]] if words[0] == "lunchlearn" else words
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    rota = tmp_path / "team-rota"
    assert git(rota, "status", "--porcelain") == ""
    assert git(rota, "rev-parse", "HEAD") == git(tmp_path / "team-rota.git", "rev-parse", "main")
    assert "Publish" in git(tmp_path / "company-site", "log", "-1", "--format=%s")
