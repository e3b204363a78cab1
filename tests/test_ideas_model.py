"""The pure rules of ideas.yaml and of topic similarity: IDs, the file, the merge (property-based)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunchlearn.errors import BadInput, Refused
from lunchlearn.rota import ideas, similarity
from lunchlearn.rota.ideas import Idea, dump_ideas, merge_ideas, parse_ideas
from lunchlearn.rota.model import Rota, Talk, person_key
from lunchlearn.rota.shared_files import SHARED_FILES, shared_file

DAY = date(2026, 11, 28)


def idea(text: str, *, votes: tuple[str, ...] = (), tags: tuple[str, ...] = (), taken: date | None = None) -> Idea:
    return Idea(ideas.new_id(text, ()), text, "Ann", DAY, tags, votes, taken)


def test_the_id_is_the_digest_of_the_normalised_text() -> None:
    assert ideas.new_id("Rust  for PYTHON", ()) == ideas.new_id(" rust for python ", ()) != ideas.new_id("Rust", ())
    assert len(ideas.new_id("Rust", ())) == ideas.ID_LENGTH


def test_an_id_another_idea_has_is_lengthened() -> None:
    full = ideas.new_id("Rust", ())
    other = Idea(full, "Something else entirely", "Bob", DAY)
    assert ideas.new_id("Rust", [other]) == hashlib.sha1(b"rust", usedforsecurity=False).hexdigest()[:7]


def test_a_prefix_finds_one_idea_and_ambiguity_is_refused() -> None:
    one, two = Idea("abcd12", "One", "A", DAY), Idea("abcd34", "Two", "A", DAY)
    assert ideas.find([one, two], "abcd1") == one
    with pytest.raises(Refused, match="abcd12, abcd34"):
        ideas.find([one, two], "abcd")
    with pytest.raises(BadInput):
        ideas.check_id("abc")


def test_an_idea_is_taken_only_while_the_rota_has_its_talk() -> None:
    taken = idea("Rust", taken=date(2026, 12, 18))
    talk = Talk(date(2026, 12, 18), "Ann", "rust", "talks/2026-12-18-rust.md")
    assert ideas.taken_by(taken, Rota(talks=(talk,))) == talk
    assert ideas.taken_by(taken, Rota()) is None
    other_topic = Talk(date(2026, 12, 18), "Bob", "Colour", "talks/2026-12-18-colour.md")
    assert ideas.taken_by(taken, Rota(talks=(other_topic,))) is None  # a sync gave the date to someone else


def test_the_file_round_trips_canonically() -> None:
    listed = (idea("Rust", votes=("Bob", "Ann"), tags=("rust",), taken=date(2026, 12, 18)), idea("1234"))
    text = dump_ideas(listed)
    parsed, problems = parse_ideas(text)
    assert problems == [] and parsed == ideas.sorted_ideas(listed)
    assert dump_ideas(parsed) == text


def test_an_empty_or_absent_list_is_no_ideas() -> None:
    assert parse_ideas("") == ((), [])
    assert parse_ideas("ideas:\n") == ((), [])


def test_problems_are_located() -> None:
    _, problems = parse_ideas("ideas:\n- id: ABC!\n  text: x\n  by: y\n  added: 2026-13-01\n  colour: red\n")
    messages = [str(problem) for problem in problems]
    assert any(m.startswith("ideas.yaml:2:7: id 'ABC!'") for m in messages)
    assert any(m.startswith("ideas.yaml:5:10:") for m in messages)
    assert any(m.startswith("ideas.yaml:6:11: unknown key 'colour'") for m in messages)


def test_shared_files_are_found_by_pattern() -> None:
    assert shared_file("schedule.yaml") is SHARED_FILES[0]
    assert shared_file("team/ideas.yaml") is SHARED_FILES[1]
    assert shared_file("talks/2026-12-18-rust.md") is None


# The merge -------------------------------------------------------------------------------------------

NAMES = st.sampled_from(["Ann", "ann", "Bob", "BOB ", "Cy", "Dee"])
TEXTS = st.sampled_from(["Rust", "rust", "Colour", "Indexes", "Forms"])


@st.composite
def an_idea(draw: st.DrawFn, text: str) -> Idea:
    votes = {person_key(name): name.strip() for name in draw(st.lists(NAMES, max_size=4))}
    return Idea(
        ideas.new_id(text, ()),
        draw(st.sampled_from([text, text.upper()])),
        draw(NAMES).strip(),
        draw(st.sampled_from([DAY, date(2026, 11, 1)])),
        tuple(draw(st.lists(st.sampled_from(["rust", "web", "db"]), max_size=2, unique=True))),
        tuple(votes.values()),
        draw(st.sampled_from([None, date(2026, 12, 18), date(2027, 1, 8)])),
    )


@st.composite
def a_list(draw: st.DrawFn) -> tuple[Idea, ...]:
    texts = draw(st.lists(TEXTS, unique_by=str.casefold, max_size=4))
    return ideas.sorted_ideas(draw(an_idea(text)) for text in texts)


def _votes(listed: tuple[Idea, ...]) -> dict[str, set[str]]:
    return {i.id: {person_key(v) for v in i.votes} for i in listed}


@settings(max_examples=300, deadline=None)
@given(a_list(), a_list(), a_list())
def test_the_merge_is_symmetric(base: tuple[Idea, ...], ours: tuple[Idea, ...], theirs: tuple[Idea, ...]) -> None:
    assert merge_ideas(base, ours, theirs) == merge_ideas(base, theirs, ours)


@settings(max_examples=300, deadline=None)
@given(a_list(), a_list(), a_list())
def test_the_merge_keeps_every_sides_additions(
    base: tuple[Idea, ...], ours: tuple[Idea, ...], theirs: tuple[Idea, ...]
) -> None:
    merged = merge_ideas(base, ours, theirs)
    merged_votes, base_votes = _votes(merged), _votes(base)
    base_ids = {i.id for i in base}
    for side in (ours, theirs):
        for added in side:
            if added.id not in base_ids:
                assert added.id in merged_votes  # a new idea is never lost
            if added.id in merged_votes:
                new_votes = {person_key(v) for v in added.votes} - base_votes.get(added.id, set())
                assert new_votes <= merged_votes[added.id]  # nor a new vote
    for merged_idea in merged:  # one vote per person, whatever the spellings
        assert len({person_key(v) for v in merged_idea.votes}) == len(merged_idea.votes)


@settings(max_examples=200, deadline=None)
@given(a_list(), a_list())
def test_a_side_that_changed_nothing_takes_the_other(base: tuple[Idea, ...], other: tuple[Idea, ...]) -> None:
    assert merge_ideas(base, base, other) == other
    assert merge_ideas(base, other, other) == other


@settings(max_examples=150, deadline=None)
@given(a_list(), a_list(), a_list())
def test_the_file_merges_to_the_same_canonical_text_whichever_side_merges(
    base: tuple[Idea, ...], ours: tuple[Idea, ...], theirs: tuple[Idea, ...]
) -> None:
    shared = shared_file(ideas.IDEAS)
    assert shared is not None
    base_text, ours_text, theirs_text = (dump_ideas(side) for side in (base, ours, theirs))
    one = shared.merge(base_text, ours_text, theirs_text, lambda: None, ideas.IDEAS).text
    two = shared.merge(base_text, theirs_text, ours_text, lambda: None, ideas.IDEAS).text
    assert one is not None and one == two
    assert "<<<<<<<" not in one
    assert parse_ideas(one) == (merge_ideas(base, ours, theirs), [])


def test_an_idea_dropped_on_one_side_and_voted_on_the_other_is_dropped() -> None:
    base = (idea("Rust"),)
    voted = (idea("Rust", votes=("Bob",)),)
    assert merge_ideas(base, (), voted) == merge_ideas(base, voted, ()) == ()


def test_a_vote_taken_back_on_one_side_stays_taken_back() -> None:
    base = (idea("Rust", votes=("Ann", "Bob")),)
    ours = (idea("Rust", votes=("Bob",)),)
    theirs = (idea("Rust", votes=("Ann", "Bob", "Cy")),)
    assert merge_ideas(base, ours, theirs)[0].votes == ("Bob", "Cy")


# Similarity ------------------------------------------------------------------------------------------


def test_content_words_drop_case_punctuation_stop_words_and_plural_s() -> None:
    assert similarity.content_words("The Rust, for Python developers!") == {"rust", "python", "developer"}
    assert similarity.content_words("Class access") == {"class", "access"}  # `ss` is not a plural


def _talk(topic: str, day: date = date(2026, 10, 2)) -> Talk:
    return Talk(day, "Ann", topic, "talks/x.md")


def test_half_the_words_in_common_is_a_resemblance() -> None:
    earlier = _talk("Rust for Python developers")
    found = similarity.most_like(similarity.content_words("Python developers learning Rust"), [
        (earlier, similarity.talk_words(earlier))
    ])
    assert found is not None and found.shared == ("developer", "python", "rust")
    assert found.similarity == pytest.approx(3 / 4)


def test_fewer_words_in_common_is_not() -> None:
    earlier = _talk("Rust for Python developers")
    words = similarity.content_words("Go for Java developers")
    assert similarity.most_like(words, [(earlier, similarity.talk_words(earlier))]) is None


def test_tags_count_as_words() -> None:
    earlier = _talk("Ownership and borrowing")
    words = similarity.talk_words(_talk("Borrowing explained"), ["rust", "ownership"])
    assert similarity.most_like(words, [(earlier, similarity.talk_words(earlier, ["rust"]))]) is not None
