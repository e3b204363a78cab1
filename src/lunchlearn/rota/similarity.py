"""When an upcoming topic looks like a talk already given: a rule simple enough to explain in a sentence.

Two talks resemble each other when at least half of their words are shared (Jaccard similarity
over content words: casefolded, punctuation (but a trailing + or #) and a few common words left out,
a plural `s` dropped), counting each talk's tags as words of its topic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lunchlearn.rota.model import Talk

THRESHOLD = 0.5
STOP_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "in",
        "into", "is", "it", "its", "of", "on", "or", "our", "the", "to", "using", "vs",
        "what", "when", "why", "with", "you", "your",
    }
)
_WORD = re.compile(r"[^\W_]+[+#]*")  # a trailing + or # is part of a name: C++ and C# are not C


def content_words(text: str) -> frozenset[str]:
    """The words that say what a text is about."""
    words = (_singular(word) for word in _WORD.findall(text.casefold()))
    return frozenset(word for word in words if word not in STOP_WORDS)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def talk_words(talk: Talk, tags: Iterable[str] = ()) -> frozenset[str]:
    """A talk's topic words and its tags' words."""
    return content_words(" ".join([talk.topic, *tags]))


@dataclass(frozen=True)
class Resemblance:
    earlier: Talk
    shared: tuple[str, ...]  # the words both have, sorted
    similarity: float


def resemblance(words: frozenset[str], earlier: Talk, earlier_words: frozenset[str]) -> Resemblance | None:
    """How `earlier` resembles a talk with `words`; None below THRESHOLD."""
    union = words | earlier_words
    if not union:
        return None
    shared = words & earlier_words
    similarity = len(shared) / len(union)
    return Resemblance(earlier, tuple(sorted(shared)), similarity) if similarity >= THRESHOLD else None


def most_like(words: frozenset[str], given: Iterable[tuple[Talk, frozenset[str]]]) -> Resemblance | None:
    """The talk already given that a talk with `words` resembles most (the latest among equals)."""
    found = [r for talk, talk_words in given if (r := resemblance(words, talk, talk_words)) is not None]
    return max(found, key=lambda r: (r.similarity, r.earlier.date), default=None)
