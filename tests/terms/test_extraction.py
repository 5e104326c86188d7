"""HTML to terms text: the content only, identical across layouts."""

from __future__ import annotations

from consentry.terms import extract_paragraphs, extract_text, page_text_hash
from tests.terms.pages import PARAGRAPHS, div_layout, semantic_layout


def test_semantic_page_gives_the_terms_only() -> None:
    assert list(extract_paragraphs(semantic_layout(PARAGRAPHS))) == PARAGRAPHS


def test_redesigned_page_gives_the_same_text() -> None:
    old, new = semantic_layout(PARAGRAPHS), div_layout(PARAGRAPHS)
    assert old != new
    assert extract_text(old) == extract_text(new)
    assert page_text_hash(extract_text(old)) == page_text_hash(extract_text(new))


def test_entities_unicode_and_spacing_are_normalised() -> None:
    html = ("<main><p>Caf&eacute; &amp; caf\u0065\u0301\u00a0bar\u200b</p>"
            "<p>  two\n\t lines  </p><p> </p></main>")
    assert extract_paragraphs(html) == ("Café & café bar", "two lines")


def test_blocks_become_paragraphs_and_inline_elements_do_not() -> None:
    html = ("<body><div>We <b>may</b> use <a href='#'>your music</a>.</div>"
            "<ul><li>one<li>two</ul><p>a<br>b</p><table><tr><td>x<td>y</table></body>")
    assert extract_paragraphs(html) == ("We may use your music.", "one", "two", "a", "b", "x",
                                        "y")


def test_without_main_the_body_minus_chrome_is_used() -> None:
    html = ("<body><header>Brand</header><div class='nav-menu'>Menu</div>"
            "<div class='content'><p>Clause one.</p></div>"
            "<div role='contentinfo'>Footer</div><footer>More</footer></body>")
    assert extract_paragraphs(html) == ("Clause one.",)


def test_article_header_is_content_but_site_header_is_not() -> None:
    html = ("<body><header>Site</header><article><header><h1>Terms</h1></header>"
            "<p>Text.</p><footer>Version 4</footer></article></body>")
    assert extract_paragraphs(html) == ("Terms", "Text.", "Version 4")


def test_several_main_regions_are_joined_in_order() -> None:
    html = "<body><p>skip</p><main><p>A</p></main><div role='main'><p>B</p></div></body>"
    assert extract_paragraphs(html) == ("A", "B")


def test_hidden_clauses_are_kept() -> None:
    html = "<main><p>Visible.</p><p hidden>We may train AI on your uploads.</p></main>"
    assert extract_paragraphs(html)[-1] == "We may train AI on your uploads."


def test_broken_html_does_not_lose_text() -> None:
    html = "<main><p>One <b>two</p><p>three</i> four</div><p>five"
    assert extract_paragraphs(html) == ("One two", "three four", "five")
