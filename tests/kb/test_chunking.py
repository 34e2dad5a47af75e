"""Chunking articles by heading: paths, sizes, merging, fences (pure)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from shopcoach.kb.chunking import chunk_article, sections
from shopcoach.kb.sources import read_markdown
from tests.kb.conftest import abcd_markdown


def test_heading_path_follows_nesting() -> None:
    body = "Intro text here.\n# Returns\n## Holiday\nGifts bought in December.\n# Shipping\nFree."
    got = [(path, lines) for path, lines in sections(body)]
    assert got == [
        ((), ["Intro text here."]),
        (("Returns", "Holiday"), ["Gifts bought in December."]),
        (("Shipping",), ["Free."]),
    ]


def test_heading_inside_code_fence_is_text() -> None:
    body = "# Setup\n```\n# not a heading\n```\nDone."
    assert [p for p, _ in sections(body)] == [("Setup",)]


def test_long_section_is_split_at_sentences_within_the_limit() -> None:
    sentence = "Refunds go back to the original payment method within ten days. "
    body = "# Refunds\n" + sentence * 40  # one 440-word line
    chunks = chunk_article(body, max_words=100, min_words=10)
    assert len(chunks) >= 5
    assert all(c.words <= 100 for c in chunks)
    assert all(c.heading_path == ("Refunds",) for c in chunks)
    assert sum(c.words for c in chunks) == 440
    assert [c.seq for c in chunks] == list(range(len(chunks)))


def test_small_sibling_sections_merge_and_keep_their_heading_as_text() -> None:
    body = "# FAQ\n## Hours\nWe open at nine.\n## Phone\nCall us on 555-0100."
    chunks = chunk_article(body, max_words=200, min_words=40)
    assert len(chunks) == 1
    assert chunks[0].heading_path == ("FAQ", "Hours")
    # The heading ends in a colon, so an answer built from the chunk never reads
    # "Phone Call us on 555-0100." (the composer joins hard-wrapped lines).
    assert chunks[0].text == "We open at nine.\nPhone:\nCall us on 555-0100."
    from shopcoach.agent.compose import best_sentences
    assert best_sentences("what number do I call", chunks[0].text) == ["Call us on 555-0100."]


def test_abcd_policies_chunk_with_paths(tmp_path: Path) -> None:
    read = read_markdown(abcd_markdown(tmp_path / "md"))
    assert len(read.records) == 10 and not read.errors
    refunds = next(r for r in read.records if r.title == "Product Defect")
    chunks = chunk_article(refunds.body)
    assert len(chunks) > 6
    assert all(c.words <= 200 for c in chunks)
    paths = {c.heading_path[0] for c in chunks if c.heading_path}
    assert {"Initiate Refund", "Return Due to Stain"} <= paths  # subflows are top sections
    assert all("Product Defect" not in c.heading_path for c in chunks)  # title H1 removed


words = st.text(alphabet="abcdefgh .", min_size=1, max_size=40)
lines = st.one_of(words, st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 4), words))


@settings(max_examples=200, deadline=None)
@given(st.lists(lines, max_size=30), st.integers(1, 60), st.integers(0, 30))
def test_chunks_keep_every_word_and_respect_max_words(
    body_lines: list[str], max_words: int, min_words: int
) -> None:
    body = "\n".join(body_lines)
    chunks = chunk_article(body, max_words=max_words, min_words=min_words)
    assert all(c.words <= max_words for c in chunks)
    text_words = [w for path, ls in sections(body) for line in ls for w in line.split()]
    chunk_words = " ".join(c.text for c in chunks).split()
    # every body word is kept in order; merged chunks may add their section heading
    it = iter(chunk_words)
    assert all(any(w == c for c in it) for w in text_words)
