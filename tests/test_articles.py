"""write, save and ready through the real CLI in real repositories, with a scripted editor."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunchlearn.rota import article_file, checks, yamltext
from tests.helpers import changed_paths, commits, git, lunchlearn, make_rota, write_files

ARTICLE = "talks/2026-12-18-test-user.md"
OTHER = "talks/2026-12-11-ray-moreno.md"
# Replaces the edited file (the last argument) with a given file, or fails like a crashed editor.
EDITOR_SCRIPT = """\
import pathlib, sys
action, target = sys.argv[1], pathlib.Path(sys.argv[-1])
if action == "replace":
    target.write_bytes(pathlib.Path(sys.argv[2]).read_bytes())
elif action == "fail":
    sys.exit(3)
"""
PROSE = " ".join(["Plain words about the talk that a reader can follow."] * 35)


def front_matter(**overrides: str) -> str:
    fields = {
        "title": "Caching without tears",
        "presenter": "Test User",
        "date": "2026-12-18",
        "status": "draft",
        "summary": "Where caches help, where they hurt, and how to tell.",
    } | overrides
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in fields.items()) + "---\n"


WRITTEN = front_matter() + f"\n## In one paragraph\n\n{PROSE}\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Test User (the git identity) presents on 18 Dec; Ray Moreno on 11 Dec."""
    root = make_rota(
        tmp_path / "rota",
        talks=[
            {"date": "2026-12-11", "presenter": "Ray Moreno"},
            {"date": "2026-12-18", "presenter": "Test User", "topic": "Caching without tears"},
        ],
        files={"notes.txt": "team notes\n"},
    )
    return root


def editor(tmp_path: Path, action: str, new_text: str = "") -> str:
    """A VISUAL value: this Python running a script with arguments, as a user's editor command."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    source = tmp_path / "new-text.md"
    source.write_bytes(new_text.encode("utf-8"))
    return shlex.join([sys.executable, str(script), action, str(source)])


def read(root: Path, path: str) -> str:
    return (root / path).read_bytes().decode("utf-8")


def test_write_commits_only_the_article_of_the_users_next_talk(repo: Path, tmp_path: Path) -> None:
    (repo / "notes.txt").write_text("my unsaved notes\n", encoding="utf-8")
    write_files(repo, {"staged.txt": "staged work\n"})
    git(repo, "add", "staged.txt")
    new_text = WRITTEN.replace("\n", "\r\n")  # an editor that writes CRLF keeps its line endings

    result = lunchlearn("write", env={"VISUAL": editor(tmp_path, "replace", new_text)}, cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert commits(repo)[0] == "Update article for Fri 18 Dec 2026: Caching without tears"
    assert changed_paths(repo) == [ARTICLE]
    assert read(repo, ARTICLE) == new_text
    assert git(repo, "status", "--porcelain", "--", ARTICLE) == ""  # committed as on disk
    assert git(repo, "diff", "--name-only") == "notes.txt"
    assert git(repo, "diff", "--cached", "--name-only") == "staged.txt"


@pytest.mark.parametrize(
    ("broken", "complaint"),
    [
        (WRITTEN.replace("status: draft", "status: [draft"), f"{ARTICLE}:"),
        (WRITTEN.replace("title: Caching without tears\n", ""), "title is missing"),
        (WRITTEN.replace("status: draft", "status: finished"), f"{ARTICLE}:5:9: status 'finished'"),
        (WRITTEN.replace("2026-12-18", "2026-12-25"), "disagrees with the rota"),
        (WRITTEN.replace("---\ntitle", "title"), "no front matter"),
    ],
    ids=["bad-yaml", "no-title", "bad-status", "wrong-date", "no-front-matter"],
)
def test_write_with_broken_front_matter_keeps_the_text_and_commits_nothing(
    repo: Path, tmp_path: Path, broken: str, complaint: str
) -> None:
    before = commits(repo)
    visual = editor(tmp_path, "replace", broken)

    result = lunchlearn("write", "2026-12-18", env={"VISUAL": visual}, cwd=repo)

    assert result.exit_code == 2
    assert complaint in result.stderr
    assert "Nothing was committed" in result.stderr
    assert read(repo, ARTICLE) == broken
    assert commits(repo) == before


def test_write_without_a_change_commits_nothing(repo: Path, tmp_path: Path) -> None:
    stub = read(repo, ARTICLE)

    result = lunchlearn("write", env={"VISUAL": editor(tmp_path, "keep")}, cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert "unchanged; nothing to commit" in result.stdout
    assert commits(repo) == ["Test rota"]
    assert read(repo, ARTICLE) == stub


def test_write_when_the_editor_fails_commits_nothing(repo: Path, tmp_path: Path) -> None:
    result = lunchlearn("write", env={"VISUAL": editor(tmp_path, "fail")}, cwd=repo)

    assert result.exit_code == 1
    assert "exited with status 3" in result.stderr
    assert commits(repo) == ["Test rota"]


def test_write_prefers_visual_then_editor(repo: Path, tmp_path: Path) -> None:
    result = lunchlearn("write", env={"EDITOR": editor(tmp_path, "replace", WRITTEN)}, cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert read(repo, ARTICLE) == WRITTEN

    both = {"VISUAL": editor(tmp_path, "fail"), "EDITOR": editor(tmp_path, "keep")}
    assert lunchlearn("write", env=both, cwd=repo).exit_code == 1


def test_write_falls_back_to_an_editor_on_path(repo: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fallback = bin_dir / "editor"
    fallback.write_text(
        f"#!{sys.executable}\nimport pathlib, sys\n"
        f"pathlib.Path(sys.argv[1]).write_text({WRITTEN!r}, encoding='utf-8')\n",
        encoding="utf-8",
    )
    fallback.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"

    result = lunchlearn("write", env={"PATH": path}, cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert read(repo, ARTICLE) == WRITTEN


def test_write_names_a_missing_editor(repo: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "only-git"
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git") or "git")

    no_editor = lunchlearn("write", env={"PATH": str(bin_dir)}, cwd=repo)
    not_installed = lunchlearn("write", env={"VISUAL": "no-such-editor --wait"}, cwd=repo)

    assert no_editor.exit_code == 2
    assert "no editor found: set VISUAL or EDITOR" in no_editor.stderr
    assert not_installed.exit_code == 2
    assert "cannot run the editor 'no-such-editor'" in not_installed.stderr
    assert commits(repo) == ["Test rota"]


def test_write_without_an_upcoming_talk_asks_for_the_date(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota", talks=[{"date": "2026-11-27", "presenter": "Ray Moreno"}])

    result = lunchlearn("write", env={"VISUAL": editor(tmp_path, "keep")}, cwd=root)

    assert result.exit_code == 1
    assert "Test User has no upcoming talk" in result.stderr
    assert "lunchlearn write YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize("command", ["write", "ready"])
def test_without_a_talk_of_your_own_the_refusal_names_the_upcoming_dates(tmp_path: Path, command: str) -> None:
    """Someone writing or readying a colleague's article learns which dates there are, not only a pattern."""
    talks = [{"date": "2026-11-27", "presenter": "Ann Lee"}, {"date": "2026-12-11", "presenter": "Ray Moreno"}]
    root = make_rota(tmp_path / "rota", talks=talks)

    result = lunchlearn(command, env={"VISUAL": editor(tmp_path, "keep")}, cwd=root)

    assert result.exit_code == 1
    assert f"`lunchlearn {command} 2026-12-11`" in result.stderr and "2026-11-27" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_write_creates_the_missing_article_of_a_hand_added_talk(repo: Path, tmp_path: Path) -> None:
    git(repo, "rm", "-q", ARTICLE)
    git(repo, "commit", "-q", "-m", "Lose the article")

    result = lunchlearn("write", env={"VISUAL": editor(tmp_path, "replace", WRITTEN)}, cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert commits(repo)[0] == "Update article for Fri 18 Dec 2026: Caching without tears"
    assert git(repo, "show", "--format=", "--name-status", "HEAD").split() == ["A", ARTICLE]


def test_write_dry_run_shows_the_diff_and_changes_nothing(repo: Path, tmp_path: Path) -> None:
    stub = read(repo, ARTICLE)

    result = lunchlearn(
        "write", "--dry-run", env={"VISUAL": editor(tmp_path, "replace", WRITTEN)}, cwd=repo
    )

    assert result.exit_code == 0, result.stderr
    assert "Would commit: Update article for Fri 18 Dec 2026: Caching" in result.stdout
    assert "+summary: Where caches help" in result.stdout
    assert read(repo, ARTICLE) == stub
    assert commits(repo) == ["Test rota"]
    assert git(repo, "status", "--porcelain") == ""


def test_save_commits_each_changed_article_separately(repo: Path) -> None:
    write_files(repo, {ARTICLE: WRITTEN, OTHER: read(repo, OTHER) + "\nA new paragraph.\n"})
    write_files(repo, {"notes.txt": "my unsaved notes\n", "staged.txt": "staged work\n"})
    git(repo, "add", "staged.txt")

    result = lunchlearn("save", cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert commits(repo)[:2] == [
        "Update article for Fri 18 Dec 2026: Caching without tears",
        "Update article for Fri 11 Dec 2026: A topic",
    ]
    assert changed_paths(repo, "HEAD") == [ARTICLE]
    assert changed_paths(repo, "HEAD~1") == [OTHER]
    assert git(repo, "diff", "--name-only") == "notes.txt"
    assert git(repo, "diff", "--cached", "--name-only") == "staged.txt"


def test_save_with_a_date_commits_only_that_article(repo: Path) -> None:
    write_files(repo, {ARTICLE: WRITTEN, OTHER: read(repo, OTHER) + "\nA new paragraph.\n"})

    result = lunchlearn("save", "2026-12-11", cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert commits(repo)[0] == "Update article for Fri 11 Dec 2026: A topic"
    assert git(repo, "diff", "--name-only") == ARTICLE


def test_save_with_nothing_to_save_is_not_an_error(repo: Path) -> None:
    result = lunchlearn("save", cwd=repo)

    assert result.exit_code == 0
    assert "nothing to save" in result.stderr
    assert commits(repo) == ["Test rota"]


def test_save_refuses_every_article_while_one_is_broken(repo: Path) -> None:
    broken = WRITTEN.replace("status: draft", "status: [draft")
    write_files(repo, {ARTICLE: broken, OTHER: read(repo, OTHER) + "\nA new paragraph.\n"})

    result = lunchlearn("save", cwd=repo)

    assert result.exit_code == 2
    assert f"{ARTICLE}:" in result.stderr
    assert commits(repo) == ["Test rota"]
    assert read(repo, ARTICLE) == broken


def test_ready_lists_what_is_missing_and_commits_nothing(repo: Path) -> None:
    result = lunchlearn("ready", cwd=repo)

    assert result.exit_code == 1
    assert "not ready to publish" in result.stderr
    assert "a summary" in result.stderr
    assert "4 outline placeholders (TODO: at line 12, 16, 20, 24)" in result.stderr
    assert "at least 300 words (the body has 0)" in result.stderr
    assert commits(repo) == ["Test rota"]


def test_ready_lists_an_empty_title_with_the_rest_of_what_is_missing(repo: Path) -> None:
    text = read(repo, ARTICLE)
    write_files(repo, {ARTICLE: text.replace(text.splitlines()[1], "title: ''", 1)})
    git(repo, "commit", "-q", "-am", "Clear the title")

    result = lunchlearn("ready", cwd=repo)

    assert result.exit_code == 1
    assert "missing: a title (in the front matter); a summary" in result.stderr


def test_ready_marks_a_written_article_changing_only_its_status_line(repo: Path) -> None:
    article = front_matter(tags="[caching]  # added by hand", zeta="unknown key") + (
        f"\n## In one paragraph\n\n{PROSE}\n\n\n"
    )
    write_files(repo, {ARTICLE: article})
    git(repo, "commit", "-q", "-am", "Write the article")

    result = lunchlearn("ready", "2026-12-18", cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert commits(repo)[0] == "Mark article ready for Fri 18 Dec 2026: Caching without tears"
    assert read(repo, ARTICLE) == article.replace("status: draft", "status: ready")
    diff = git(repo, "diff", "--unified=0", "HEAD~1", "HEAD").splitlines()
    assert [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-status: draft",
        "+status: ready",
    ]


def test_ready_honours_the_configured_minimum_length(tmp_path: Path) -> None:
    short = front_matter() + "\nA short but complete article of just twelve words, and no more.\n"
    root = make_rota(
        tmp_path / "rota",
        talks=[{"date": "2026-12-18", "presenter": "Test User"}],
        settings={"min_words": 12},
        files={ARTICLE: short},
    )

    assert lunchlearn("ready", cwd=root).exit_code == 0
    assert "status: ready" in read(root, ARTICLE)


def test_ready_refuses_uncommitted_changes_and_is_idempotent(repo: Path) -> None:
    write_files(repo, {ARTICLE: WRITTEN})

    refused = lunchlearn("ready", cwd=repo)
    assert refused.exit_code == 1
    assert "lunchlearn save 2026-12-18" in refused.stderr

    assert lunchlearn("save", cwd=repo).exit_code == 0
    assert lunchlearn("ready", cwd=repo).exit_code == 0
    again = lunchlearn("ready", cwd=repo)
    assert again.exit_code == 0
    assert "already marked ready" in again.stdout
    assert commits(repo)[0].startswith("Mark article ready")


_any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
# Keys that start like `status` (`status:x`, `status_2`, ...) must not be mistaken for it.
_key = st.one_of(
    _any_text, st.builds("status{}{}".format, st.sampled_from([":", "_", " ", "\t", ""]), _any_text)
).filter(
    lambda key: key not in checks.REQUIRED_KEYS
)
_value = st.one_of(
    st.text(max_size=30),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), st.text(max_size=10), max_size=2),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    extra=st.dictionaries(_key, _value, max_size=5),
    before_status=st.integers(min_value=0, max_value=4),
    body=st.text(st.characters(exclude_categories=["Cs"]), max_size=200),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_changing_status_keeps_everything_else_of_the_article(
    extra: dict[str, object], before_status: int, body: str, newline: str
) -> None:
    required = {"title": "No", "presenter": "1.10", "date": "2026-12-18", "status": "draft"}
    items = list(required.items())
    items[before_status:before_status] = list(extra.items())  # extra keys anywhere, status too
    meta = dict(items)
    text = f"---\n{yamltext.dump_yaml(meta)}---\n{body}".replace("\n", newline)

    changed = article_file.set_front_matter_field(text, "status", "ready", ARTICLE)

    article = checks.parse_article(changed, ARTICLE)
    assert article.problems == []
    assert article.meta == {**(checks.parse_article(text, ARTICLE).meta or {}), "status": "ready"}
    assert list(article.meta or {}) == list(meta)
    assert article.body == body.replace("\n", newline)
    assert changed.replace("status: ready", "status: draft", 1) == text
