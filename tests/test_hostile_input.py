"""Hand-edited and hostile files through the real CLI: odd but valid YAML, alias bombs, deep nesting,
huge files, control characters and dates at the edge of the calendar."""

from __future__ import annotations

import itertools
import json
import os
import re
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lunchlearn.errors import BadInput, RotaFileError
from lunchlearn.rota import article_file, checks, safeyaml, schedule_file, yamltext
from lunchlearn.site import generators, posts
from tests.helpers import commits, git, lunchlearn, lunchlearn_process, make_rota, write_files
from tests.test_articles import ARTICLE, PROSE, front_matter
from tests.test_publish import ARTICLE as POST_SOURCE
from tests.test_publish import article as post_article
from tests.test_publish import make_hugo, make_rota_with_article, make_site, published

BODY = f"\n## In one paragraph\n\n{PROSE}\n"
# Aliases that multiply: six levels of nine make half a million values from a few hundred bytes.
BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
        for previous, name in zip("abcde", "bcdef", strict=True)
    )
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Test User (the git identity) presents on 18 Dec 2026."""
    return make_rota(tmp_path / "rota", talks=[{"date": "2026-12-18", "presenter": "Test User"}])


def committed_article(repo: Path, text: str) -> None:
    write_files(repo, {ARTICLE: text})
    git(repo, "commit", "-q", "-am", "Write the article")


def read(root: Path, path: str) -> str:
    return (root / path).read_bytes().decode("utf-8")


def assert_check_is_clean(repo: Path) -> None:
    checked = lunchlearn("check", cwd=repo)
    assert checked.exit_code == 0, checked.stdout + checked.stderr


# Front matter is edited where the YAML parser says the value is, whatever the style.


def test_ready_changes_the_value_of_a_quoted_status_key(repo: Path) -> None:
    committed_article(repo, front_matter().replace("status: draft", '"status": draft') + BODY)

    result = lunchlearn("ready", cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert read(repo, ARTICLE) == front_matter().replace("status: draft", '"status": ready') + BODY
    assert_check_is_clean(repo)


def test_ready_changes_the_status_in_flow_style_front_matter(repo: Path) -> None:
    flow = (
        "---\n{title: Caching without tears, presenter: Test User, date: 2026-12-18,\n"
        "  status: draft, summary: Where caches help}\n---\n"
    )
    committed_article(repo, flow + BODY)

    result = lunchlearn("ready", cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert read(repo, ARTICLE) == flow.replace("status: draft", "status: ready") + BODY
    assert_check_is_clean(repo)


def test_ready_keeps_a_multi_line_value_that_has_a_line_starting_with_status(repo: Path) -> None:
    text = (
        '---\ntitle: Caching without tears\npresenter: Test User\ndate: 2026-12-18\n'
        'summary: "Where caches help.\nstatus: a word the summary uses\n  and more"\nstatus: draft\n---\n'
    )
    committed_article(repo, text + BODY)

    result = lunchlearn("ready", cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert read(repo, ARTICLE) == text.replace("status: draft", "status: ready") + BODY
    assert_check_is_clean(repo)


def test_withdraw_marks_a_quoted_status_key_withdrawn(repo: Path) -> None:
    committed_article(repo, front_matter().replace("status: draft", "'status': draft  # mine") + BODY)

    result = lunchlearn("withdraw", "--date", "2026-12-18", cwd=repo)

    assert result.exit_code == 0, result.stderr
    assert "'status': withdrawn  # mine\n" in read(repo, ARTICLE)
    assert_check_is_clean(repo)


def test_a_status_that_is_not_one_value_is_refused_with_its_place_and_nothing_written(repo: Path) -> None:
    text = front_matter().replace("status: draft\n", "status:\n- draft\n") + BODY
    committed_article(repo, text)

    result = lunchlearn("withdraw", "--date", "2026-12-18", cwd=repo)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {ARTICLE}:5:1: ")
    assert "status" in result.stderr and "nothing was written" in result.stderr
    assert read(repo, ARTICLE) == text
    assert commits(repo) == ["Write the article", "Test rota"]
    assert git(repo, "status", "--porcelain") == ""


def test_publish_records_itself_in_flow_style_front_matter(tmp_path: Path) -> None:
    flow = (
        "---\n{title: RSS, presenter: Cole Jensen, date: 2026-11-27, status: ready,\n"
        "  summary: Why feeds still matter}\n---\n\nFeeds never went away.\n"
    )
    rota = make_rota_with_article(tmp_path, flow)
    make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    recorded = read(rota, POST_SOURCE)
    assert recorded.startswith("---\n{title: RSS, presenter: Cole Jensen, date: 2026-11-27, status: published,\n")
    assert "  summary: Why feeds still matter, published_path: content/posts/rss-feeds.md, published_commit: " in (
        recorded
    )
    assert_check_is_clean(rota)


def test_publish_refuses_a_record_it_cannot_write_before_it_touches_the_site(tmp_path: Path) -> None:
    text = post_article(body="\nText.\n").replace("status: ready\n", "status: ready\npublished_path:\n- old.md\n")
    rota = make_rota_with_article(tmp_path, text)
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 2
    assert f"{POST_SOURCE}:6:1: published_path holds a list" in stderr
    assert commits(site) == ["Site"] and commits(rota) == ["Test rota"]
    assert read(rota, POST_SOURCE) == text


def test_check_locates_keys_by_the_parser_not_by_the_line(repo: Path) -> None:
    text = front_matter().replace("status: draft", '"status": drafty').replace(
        "summary: Where", 'summary: "Where\nstatus: x\n  '
    ).replace("tell.\n", 'tell."\n')
    committed_article(repo, text + BODY)

    result = lunchlearn("check", cwd=repo)

    assert f"{ARTICLE}:5:11: status 'drafty' is not one of" in result.stdout


def test_check_locates_a_talks_values_by_the_parser_in_flow_style_too(repo: Path) -> None:
    text = read(repo, "schedule.yaml")
    entry = text[text.index("- date: 2026-12-18") :]
    flow = '- {"date": 2026-12-19, presenter: Test User, topic: A topic, article: talks/2026-12-18-test-user.md}\n'
    write_files(repo, {"schedule.yaml": text.replace(entry, flow)})
    line = text[: text.index(entry)].count("\n") + 1

    result = lunchlearn("check", cwd=repo)

    assert f"schedule.yaml:{line}:12: talk on 2026-12-19 is on a Saturday" in result.stdout


# Aliases, nesting and size are bounded in every reader.


def test_an_alias_bomb_in_an_article_is_refused_at_its_place_by_every_reader(repo: Path) -> None:
    committed_article(repo, front_matter().replace("---\n", "---\n" + BOMB, 1) + BODY)

    checked = lunchlearn("check", cwd=repo)
    shown = lunchlearn("next", "--json", cwd=repo)
    readied = lunchlearn("ready", cwd=repo)

    assert checked.exit_code == 1
    assert f"{ARTICLE}:6:8: aliases here" in checked.stdout
    assert '"article_status": "unreadable"' in shown.stdout
    assert readied.exit_code == 2 and f"{ARTICLE}:6:8: aliases here" in readied.stderr


def test_an_alias_to_the_value_that_holds_it_is_refused(repo: Path) -> None:
    committed_article(repo, front_matter(tags="&t [a, *t]") + BODY)

    checked = lunchlearn("check", cwd=repo)

    assert checked.exit_code == 1
    assert f"{ARTICLE}:7:14: the alias *t is inside the value it names" in checked.stdout


@pytest.mark.parametrize("where", ["schedule.yaml", ARTICLE])
def test_deep_nesting_is_refused_without_crashing(repo: Path, where: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    if where == "schedule.yaml":
        write_files(repo, {where: f"talks: {deep}\n"})
    else:
        write_files(repo, {where: front_matter(tags=deep) + BODY})

    run = lunchlearn_process("check", cwd=repo)

    assert run.returncode == 1, run.stderr
    assert f"{where}:" in run.stdout + run.stderr and "nested more than 50 levels deep" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_a_schedule_beyond_the_size_bound_is_refused(repo: Path) -> None:
    padding = "# a comment that makes the file big\n" * 300_000
    write_files(repo, {"schedule.yaml": read(repo, "schedule.yaml") + padding})

    result = lunchlearn("next", cwd=repo)

    assert result.exit_code == 2
    assert "schedule.yaml: is 10.8 MB; lunchlearn reads files of up to 10 MB" in result.stderr


def test_an_alias_bomb_in_the_site_configuration_is_refused_at_its_place(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path)
    make_hugo(tmp_path, {"hugo.yaml": "title: Company\n" + BOMB})
    git(tmp_path / "site", "rm", "-q", "hugo.toml")
    git(tmp_path / "site", "commit", "-q", "-m", "YAML configuration")

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 2
    assert "hugo.yaml:6:8: aliases here" in stderr


@pytest.mark.parametrize(
    ("name", "config"),
    [("hugo.json", "[" * 100_000 + "]" * 100_000), ("hugo.toml", "a = " + "[" * 100_000 + "]" * 100_000)],
    ids=["json", "toml"],
)
def test_a_deeply_nested_json_or_toml_configuration_is_refused(tmp_path: Path, name: str, config: str) -> None:
    rota = make_rota_with_article(tmp_path)
    make_site(tmp_path / "site", {name: config})

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 2
    assert f"{name}: nested too deeply" in stderr


def test_a_site_post_whose_alias_holds_itself_is_not_taken_for_ours(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, post_article(body="\nText.\n"))
    make_hugo(tmp_path, {"content/posts/rss-feeds.md": f"---\nlunchlearn_source: {POST_SOURCE}\nx: &x [*x]\n---\n"})

    code, _, stderr = published(rota, "2026-11-27", "--force")

    assert code == 1
    assert "content/posts/rss-feeds.md already exists in the site" in stderr


def test_a_value_its_tag_refuses_is_published_as_the_text_written(tmp_path: Path) -> None:
    tagged = "status: ready\nweight: !!int\nlastmod: !!timestamp soon\n"
    rota = make_rota_with_article(tmp_path, post_article(body="\nText.\n").replace("status: ready\n", tagged))
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert "\nlastmod = \"soon\"\n" in read(site, "content/posts/rss-feeds.md")


# One-line text from a hand-edited schedule.yaml is one line, as on the command line.


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("presenter", '"Ann\\nLee"'),
        ("topic", '"Caching\\u2028without tears"'),
        ("email", '"ann@example.com\\tx"'),
        ("article", '"talks/a\\x85b.md"'),
    ],
)
def test_a_line_break_or_control_character_in_a_talk_is_refused_with_its_place(
    repo: Path, field: str, value: str
) -> None:
    lines = read(repo, "schedule.yaml").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines) if line.startswith("- date:"))
    lines.insert(number + 1, f"  {field}: {value}\n")
    lines = [line for n, line in enumerate(lines) if not (n > number + 1 and line.startswith(f"  {field}:"))]
    write_files(repo, {"schedule.yaml": "".join(lines)})

    result = lunchlearn("next", cwd=repo)

    assert result.exit_code == 2
    assert f"schedule.yaml:{number + 2}:{len(field) + 5}: " in result.stderr
    assert "line break or control character" in result.stderr


@pytest.mark.parametrize(
    ("section", "line"),
    [("skipped", '- date: 2026-12-25\n  reason: "Holiday\\nparty"\n'), ("settings", '  site: "../si\\rte"\n')],
)
def test_a_control_character_in_a_reason_or_setting_is_refused_with_its_place(
    repo: Path, section: str, line: str
) -> None:
    text = read(repo, "schedule.yaml").replace(f"{section}:\n" if section == "settings" else "skipped: []\n",
                                                  f"{section}:\n{line}")
    write_files(repo, {"schedule.yaml": text})

    result = lunchlearn("schedule", cwd=repo)

    assert result.exit_code == 2
    located = r"schedule\.yaml:\d+:\d+: (reason|settings: site) '.*' contains a line break or control character"
    assert re.search(located, result.stderr)


def test_a_title_with_a_line_break_is_refused_before_it_reaches_a_commit_message(repo: Path) -> None:
    committed_article(repo, front_matter(title='"Caching\\nwithout tears"') + BODY)

    result = lunchlearn("ready", cwd=repo)

    assert result.exit_code == 2
    assert f"{ARTICLE}:2:8: front matter: title" in result.stderr and "line break or control character" in result.stderr
    assert commits(repo) == ["Write the article", "Test rota"]


# Dates stay inside the range lunchlearn reads back.


def test_a_today_too_late_for_the_horizon_is_refused_before_anything_is_written(repo: Path) -> None:
    result = lunchlearn("signup", "--name", "Ann Lee", env={"LUNCHLEARN_TODAY": "8999-12-20"}, cwd=repo)

    assert result.exit_code == 2
    assert "LUNCHLEARN_TODAY 8999-12-20 is too late" in result.stderr
    assert commits(repo) == ["Test rota"]
    assert lunchlearn("next", cwd=repo).exit_code == 0


def test_on_the_latest_today_every_date_written_reads_back(tmp_path: Path) -> None:
    latest = {"LUNCHLEARN_TODAY": "8990-01-05"}
    root = make_rota(tmp_path / "rota", settings={"horizon_weeks": 520, "lead_weeks": 519})

    signed_up = lunchlearn("signup", "--name", "Ann Lee", env=latest, cwd=root)
    shown = lunchlearn("next", "--count", "520", env=latest, cwd=root)

    assert signed_up.exit_code == 0, signed_up.stderr
    assert shown.exit_code == 0, shown.stderr
    assert lunchlearn("check", cwd=root).exit_code == 0


def test_a_date_beyond_the_range_says_so_rather_than_that_it_is_not_a_date(repo: Path) -> None:
    result = lunchlearn("signup", "--date", "9999-12-24", cwd=repo)

    assert result.exit_code == 2
    assert "the date '9999-12-24' is outside the dates lunchlearn handles (1900-01-01 to 8999-12-31)" in result.stderr


# Fuzzing: random YAML, valid or not, to every reader. Each gives a result or located problems, never an
# exception, and within a memory bound whatever the aliases.

_WORDS = ["status", "draft", "title", "2026-12-04", "9999-12-31", "null", "~", "yes", "1.10", "", "a: b", "- c",
          "#x", "talks/a.md", "Cole Jensen", "<<"]  # fmt: skip
_STRANGE = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6)
_TAGS = ["", "!!str ", "!!int ", "!!binary ", "!!timestamp ", "!!set ", "!!omap ", "!local ",
         "!!python/name:os.system "]  # fmt: skip


@st.composite
def _scalar(draw: st.DrawFn) -> str:
    text = draw(st.one_of(st.sampled_from(_WORDS), _STRANGE))
    style = draw(st.sampled_from(["plain", "single", "double", "alias"]))
    if style == "alias":
        return "*" + draw(st.sampled_from("abc"))
    written = {
        "plain": text,
        "single": "'" + text.replace("'", "''") + "'",
        "double": json.dumps(text, ensure_ascii=draw(st.booleans())),
    }[style]
    return draw(st.sampled_from(_TAGS)) + written


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    items = st.lists(children, max_size=4)
    return st.one_of(
        items.map(lambda values: "[" + ", ".join(values) + "]"),
        st.lists(st.tuples(_scalar(), children), max_size=4).map(
            lambda pairs: "{" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"
        ),
    )


_FLOW_VALUE = st.recursive(_scalar(), _flow, max_leaves=12)


@st.composite
def _anchored(draw: st.DrawFn) -> str:
    anchor = draw(st.sampled_from(["", "&a ", "&b ", "&c "]))
    return anchor + draw(_FLOW_VALUE)


@st.composite
def _block_mapping(draw: st.DrawFn, indent: int = 0) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        key = draw(st.one_of(st.sampled_from(["status", '"status"', "'title'", "? x", "presenter", "date"]), _scalar()))
        if indent < 4 and draw(st.booleans()):
            nested = draw(st.one_of(_block_mapping(indent + 2), _block_sequence(indent + 2)))
            lines.append(f"{' ' * indent}{key}:\n{nested}")
        else:
            lines.append(f"{' ' * indent}{key}: {draw(_anchored())}\n")
    return "".join(lines)


@st.composite
def _block_sequence(draw: st.DrawFn, indent: int) -> str:
    return "".join(f"{' ' * indent}- {draw(_anchored())}\n" for _ in range(draw(st.integers(1, 3))))


@st.composite
def _bomb(draw: st.DrawFn) -> str:
    width, levels = draw(st.integers(2, 12)), draw(st.integers(1, 9))
    names = [f"l{n}" for n in range(levels + 1)]
    lines = [f'{names[0]}: &{names[0]} ["lol"]\n']
    lines += [f"{name}: &{name} [{', '.join([f'*{before}'] * width)}]\n" for before, name in itertools.pairwise(names)]
    return "".join(lines)


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    """YAML as people and attackers write it: block and flow styles, quoted keys, tags, anchors and
    aliases (bombs among them), deep nesting, and stray characters anywhere."""
    depth = draw(st.integers(0, 3000))
    text = draw(
        st.one_of(
            _block_mapping(),
            _anchored(),
            _bomb(),
            st.just(f"x: {'[' * depth}{']' * depth}\n"),
        )
    )
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(_STRANGE) + text[at:]
    return text.replace("\n", draw(st.sampled_from(["\n", "\r\n"])))


def _located(problems: list[yamltext.Problem]) -> bool:
    return bool(problems) and all(problem.line is not None and problem.column is not None for problem in problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_documents())
def test_every_reader_gives_a_result_or_located_problems_within_bounded_memory(document: str) -> None:
    article = f"---\n{document}\n---\nBody\n"
    tracemalloc.start()
    try:
        rota, problems = schedule_file.parse_rota(document)
        assert (rota is not None and problems == []) or (rota is None and _located(problems))

        front = article_file.parse_front_matter(article, "a.md")
        assert (front.meta is not None and front.problems == []) or (front.meta is None and _located(front.problems))
        checks.parse_article(article, "a.md")
        assert isinstance(article_file.front_matter_values(article), dict)
        try:
            marked = article_file.set_front_matter_field(article, "status", "ready", "a.md")
            assert article_file.parse_front_matter(marked, "a.md").meta == {**(front.meta or {}), "status": "ready"}
        except RotaFileError as error:
            assert error.message.startswith("a.md:")

        posts.read_post(article)
        posts.read_post(f"+++\n{document}\n+++\n")
        posts.read_post(f"{{{document}}}\n")
        with tempfile.TemporaryDirectory() as folder:
            for name in ("hugo.yaml", "hugo.toml", "hugo.json"):
                config = Path(folder) / name
                config.write_text(document, encoding="utf-8")
                try:
                    assert isinstance(generators._read_config(config), dict)
                except BadInput as error:
                    assert error.message.startswith(str(config))
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 50_000_000


def _shape(node: yaml.Node) -> object:
    """A node tree as plain tuples: tags, values, styles and places, to compare two composers."""
    marks = (node.start_mark.index, node.end_mark.index, node.tag)
    if isinstance(node, yaml.ScalarNode):
        return (*marks, node.value, node.style)
    if isinstance(node, yaml.SequenceNode):
        return (*marks, node.flow_style, [_shape(item) for item in node.value])
    return (*marks, node.flow_style, [(_shape(key), _shape(value)) for key, value in node.value])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_documents())
def test_the_bounded_composer_gives_pyyamls_tree_for_documents_within_bounds(document: str) -> None:
    try:
        composed = safeyaml.compose(document)
        ours: object = None if composed is None else _shape(composed)
    except safeyaml.BeyondBounds:
        return
    except yaml.YAMLError as error:
        ours = type(error)
    try:
        pyyaml = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        expected = yaml.compose(document, Loader=pyyaml)
        theirs: object = None if expected is None else _shape(expected)
    except yaml.YAMLError as error:
        theirs = type(error)
    assert ours == theirs


def _outcome(compose: Callable[[str], yaml.Node | None], document: str) -> object:
    try:
        composed = compose(document)
    except yaml.YAMLError as error:
        return type(error), str(error)
    return None if composed is None else _shape(composed)


def _event_by_event(document: str) -> yaml.Node | None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(document)
    try:
        return safeyaml._Composer(loader).document()
    finally:
        loader.dispose()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(yaml_documents(), st.text(st.sampled_from("ab: -[]{},'\"\n#!?|>%@`...\t1"), max_size=60)))
@example("---\n---\n").via("a second document, placed as PyYAML places it")
@example("--- a\n--- b\n").via("a second document, placed as PyYAML places it")
@example("%YAML 1.1\n--- a\n...\n--- b\n").via("a second document, placed as PyYAML places it")
def test_front_matter_composed_by_libyaml_reads_as_the_bounded_composer_reads_it(document: str) -> None:
    """Text with no anchor and few indicators is composed by libyaml in one call: the same tree, or the
    same error at the same place, as event by event."""
    assert _outcome(safeyaml.compose, document) == _outcome(_event_by_event, document)


@pytest.mark.parametrize("args", [
    ["init", ""], ["--repo", "", "next"], ["next", "-R", ""], ["publish", "--site", ""], ["stats", "--html", ""],
    ["calendar", "-o", ""],
], ids=" ".join)
def test_an_empty_path_is_a_mistake_not_this_folder(tmp_path: Path, args: list[str]) -> None:
    """`lunchlearn init "$DIR"` with DIR unset must not make a rota of the folder the user stands in."""
    root = make_rota(tmp_path / "rota", talks=[{"date": "2026-12-18", "presenter": "Ann"}])
    before = sorted(p.name for p in root.iterdir()), commits(root)
    here = tmp_path / "work"  # where the user stands: not a rota, and must not become one
    here.mkdir()

    result = lunchlearn(*args, cwd=here if args[0] == "init" else root)

    assert result.exit_code == 2
    assert "is empty: give a file or folder name" in result.stderr and len(result.stderr.splitlines()) == 1
    assert (sorted(p.name for p in root.iterdir()), commits(root)) == before
    assert list(here.iterdir()) == []


@pytest.mark.parametrize(("tail", "column", "opened"), [
    ("people: [Ann, Bob\n", 9, "a flow sequence"),
    ("people: {Ann: 1\n", 9, "a flow mapping"),
    ('standby: ["Ann\n', 11, "a quoted scalar"),
], ids=["sequence", "mapping", "quoted"])
def test_something_left_open_at_the_end_of_the_file_is_reported_where_it_opens(
    tmp_path: Path, tail: str, column: int, opened: str
) -> None:
    root = make_rota(tmp_path / "rota")
    schedule = root / "schedule.yaml"
    lines = schedule.read_text(encoding="utf-8").count("\n")
    schedule.write_text(schedule.read_text(encoding="utf-8") + tail, encoding="utf-8")

    result = lunchlearn("next", cwd=root)

    assert result.exit_code == 2
    assert f"schedule.yaml:{lines + 1}:{column}: not valid YAML: {opened} that starts here never ends" in result.stderr


@pytest.mark.parametrize("fifo", ["talks/2026-12-18.feedback.yaml", ARTICLE], ids=["feedback", "article"])
def test_a_pipe_where_a_file_should_be_is_reported_not_waited_on(repo: Path, fifo: str) -> None:
    """A named pipe never ends until something writes to it: reading it would hang the command for ever."""
    (repo / fifo).unlink(missing_ok=True)
    os.mkfifo(repo / fifo)

    checked = lunchlearn_process("check", cwd=repo, timeout=30)
    stats = lunchlearn_process("stats", cwd=repo, timeout=30)

    assert checked.returncode == 1
    assert f"{fifo}:1:1: cannot be read: a pipe or device, not a file" in checked.stdout, checked.stdout
    assert stats.returncode in (0, 1) and "Traceback" not in stats.stderr, stats.stderr
    assert len(stats.stderr.splitlines()) <= 1, stats.stderr
