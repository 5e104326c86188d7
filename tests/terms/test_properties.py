"""Property tests: a version compared with itself or a re-wrapped copy has no change; the
extracted text does not depend on markup or whitespace; answers never bring a material version
in before its notice ends."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.terms import (
    TermsResponse,
    TermsVersion,
    classify_texts,
    diff_terms,
    extract_paragraphs,
    parse_terms,
    state_for_user,
    word_diff,
)

WORD = st.text("abcdefghijklmnopqrstuvwxyzéAIK", min_size=1, max_size=8)
SENTENCE = st.lists(WORD, min_size=1, max_size=12).map(" ".join)
CLAUSE = st.tuples(st.lists(WORD, min_size=1, max_size=4).map(" ".join),
                   st.lists(SENTENCE, min_size=1, max_size=3))
FAST = settings(max_examples=60, deadline=None)


def _markdown(clauses: list[tuple[str, list[str]]], numbered: bool, width: int) -> str:
    parts = []
    for i, (heading, paragraphs) in enumerate(clauses, 1):
        parts.append(f"## {f'{i}. ' if numbered else ''}{heading}")
        for paragraph in paragraphs:
            words = paragraph.split(" ")
            lines = [" ".join(words[j:j + width]) for j in range(0, len(words), width)]
            parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


@FAST
@given(st.lists(CLAUSE, min_size=1, max_size=6), st.booleans())
def test_a_version_compared_with_itself_has_no_change(
        clauses: list[tuple[str, list[str]]], numbered: bool) -> None:
    doc = parse_terms(_markdown(clauses, numbered, 5))
    assert diff_terms(doc, doc).changes == ()


@FAST
@given(st.lists(CLAUSE, min_size=1, max_size=6), st.integers(1, 6), st.integers(1, 6))
def test_rewrapping_lines_changes_the_hash_but_no_clause(
        clauses: list[tuple[str, list[str]]], width_a: int, width_b: int) -> None:
    a = parse_terms(_markdown(clauses, True, width_a))
    b = parse_terms(_markdown(clauses, True, width_b))
    assert diff_terms(a, b).changes == ()


@FAST
@given(SENTENCE, SENTENCE)
def test_word_diff_gives_back_both_texts(old: str, new: str) -> None:
    segments = word_diff(old, new)
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert "".join(s.text for s in segments if s.op != "delete") == new
    assert classify_texts(old, old).reasons == ()


_BLOCK_TAGS = ["p", "div", "section", "li", "h2", "blockquote"]
_WRAPPERS = ["div", "section", "main", "article", "span", "custom-box"]
PARAGRAPH = st.lists(st.text("abcxyz&<>'\"é", min_size=1, max_size=6), min_size=1,
                     max_size=6).map(" ".join)


@st.composite
def layouts(draw: st.DrawFn, paragraphs: list[str]) -> str:
    """The paragraphs in random block tags, random nesting, classes and whitespace, with
    random site chrome around them."""
    space = st.sampled_from([" ", "\n", "\t", "  ", "\n  ", ""])
    blocks = []
    for text in paragraphs:
        tag = draw(st.sampled_from(_BLOCK_TAGS))
        words = html.escape(text).split(" ")
        inner = "".join(f"{w}{draw(space) or ' '}" for w in words)
        cls = draw(st.sampled_from(["", ' class="x"', ' class="clause c-2"', ' id="p"']))
        blocks.append(f"<{tag}{cls}>{draw(space)}{inner}</{tag}>{draw(space)}")
    content = "".join(blocks)
    for _ in range(draw(st.integers(0, 3))):
        wrapper = draw(st.sampled_from([w for w in _WRAPPERS if w != "span"]))
        content = f"<{wrapper}>{content}</{wrapper}>"
    chrome = draw(st.lists(st.sampled_from([
        "<nav>Home Upload</nav>", "<script>var x = 1 < 2;</script>", "<style>p{}</style>",
        "<aside>Related</aside>", "<form><button>Go</button></form>"]), max_size=3))
    outside = draw(st.sampled_from(["", "<header>Site</header>", '<div class="footer">x</div>']))
    return f"<html><body>{outside}{''.join(chrome)}<main>{content}</main>{outside}</body></html>"


@pytest.mark.slow
@FAST
@given(st.lists(PARAGRAPH, min_size=1, max_size=6), st.data())
def test_extraction_ignores_layout_and_is_idempotent(paragraphs: list[str],
                                                     data: st.DataObject) -> None:
    expected = tuple(" ".join(p.split()) for p in paragraphs)
    first = extract_paragraphs(data.draw(layouts(paragraphs)))
    second = extract_paragraphs(data.draw(layouts(paragraphs)))
    assert first == second == expected
    assert extract_paragraphs(data.draw(layouts(list(first)))) == first


DAY = 86_400_000_000
RESPONSE = st.tuples(st.sampled_from(["1", "2", "3", "4"]), st.booleans(),
                     st.integers(0, 400 * DAY))


@FAST
@given(st.lists(st.booleans(), min_size=4, max_size=4), st.lists(RESPONSE, max_size=6),
       st.integers(0, 500 * DAY))
def test_material_version_never_applies_before_notice_and_acceptance(
        material: list[bool], answers: list[tuple[str, bool, int]], at: int) -> None:
    versions = [TermsVersion(str(i + 1), f"h{i + 1}", i * 40 * DAY, m and i > 0)
                for i, m in enumerate(material)]
    responses = [TermsResponse("ana", v, f"h{v}", ok, t) for v, ok, t in answers]
    state = state_for_user(versions, responses, "ana", at)
    if state.in_force is not None and state.in_force.material:
        assert at >= state.in_force.notice_ends_at
        index = versions.index(state.in_force)
        assert any(r.accepted and r.at <= at and int(r.version) >= index + 1
                   for r in responses)
