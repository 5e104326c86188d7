"""The text of a terms page, without the page around it, for the watcher.

The same terms under a new layout (divs renamed, classes changed, a new menu, other
whitespace) must give the same text, or every redesign would raise an alarm. So only the
content is kept: the main region when the page marks one (``<main>``, ``role=main``,
``<article>``), never scripts, styles, menus, site headers and footers, sidebars or forms;
every block element becomes a paragraph break, and spacing and Unicode are normalised.
Elements marked ``hidden`` are kept: a clause hidden from view is still in the terms.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from consentry.terms.normalisation import normalise_text

# Never content, wherever they are.
_SKIP = frozenset({
    "script", "style", "noscript", "template", "nav", "aside", "form", "button", "select",
    "textarea", "svg", "iframe", "object", "canvas", "head", "dialog", "menu"})
_SKIP_ROLES = frozenset({"navigation", "complementary", "search", "form", "menu", "menubar",
                         "dialog", "alertdialog"})
# Page chrome: dropped outside the main region, kept inside it (an article's own header).
_CHROME = frozenset({"header", "footer"})
_CHROME_ROLES = frozenset({"banner", "contentinfo"})
_CHROME_WORDS = frozenset({
    "nav", "navbar", "navigation", "menu", "header", "footer", "sidebar", "breadcrumb",
    "breadcrumbs", "cookie", "cookies", "banner", "masthead", "topbar", "skip"})
_BLOCKS = frozenset({
    "address", "article", "blockquote", "body", "br", "caption", "center", "dd", "details",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "html", "li", "main", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr"})
# Start tags that close an open element of these kinds first (the HTML parsing rules for the
# elements that are usually left unclosed).
_CLOSED_BY = {"p": _BLOCKS - {"br"}, "li": frozenset({"li"}), "dt": frozenset({"dt", "dd"}),
              "dd": frozenset({"dt", "dd"}), "td": frozenset({"td", "th", "tr"}),
              "th": frozenset({"td", "th", "tr"}), "tr": frozenset({"tr"})}
_SPLIT_WORDS = re.compile(r"[^a-z0-9]+")


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    children: list[_Element | str] = field(default_factory=list)

    def is_main(self) -> bool:
        return self.tag == "main" or self.attrs.get("role") == "main"


class _TreeBuilder(HTMLParser):
    """Just enough of the HTML tree rules to survive real pages: void elements, unclosed
    paragraphs and list items, stray end tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        while len(self.stack) > 1 and tag in _CLOSED_BY.get(self.stack[-1].tag, ()):
            self.stack.pop()
        element = _Element(tag, {k: (v or "") for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Element(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def extract_paragraphs(html: str) -> tuple[str, ...]:
    """The paragraphs of the terms on a page, in order, each normalised."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    roots = _find_main(builder.root) or _find_tag(builder.root, "article") or [builder.root]
    inside_main = roots[0] is not builder.root
    parts: list[str] = []
    for root in roots:
        parts.append("\n")
        _render(root, parts, inside_main)
    text = "".join(parts)
    return tuple(p for p in (normalise_text(chunk) for chunk in text.split("\n")) if p)


def extract_text(html: str) -> str:
    """The terms text of a page: its paragraphs separated by blank lines."""
    return "\n\n".join(extract_paragraphs(html))


def page_text_hash(text: str) -> str:
    """The sha256 (hex) of extracted text as UTF-8; equal hashes mean no change to report."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _find_main(element: _Element) -> list[_Element]:
    found: list[_Element] = []
    for child in element.children:
        if isinstance(child, _Element) and not _skipped(child, inside_main=False):
            found.extend([child] if child.is_main() else _find_main(child))
    return found


def _find_tag(element: _Element, tag: str) -> list[_Element]:
    found: list[_Element] = []
    for child in element.children:
        if isinstance(child, _Element) and not _skipped(child, inside_main=False):
            found.extend([child] if child.tag == tag else _find_tag(child, tag))
    return found


def _skipped(element: _Element, inside_main: bool) -> bool:
    role = element.attrs.get("role", "")
    if element.tag in _SKIP or role in _SKIP_ROLES:
        return True
    if inside_main:
        return False
    if element.tag in _CHROME or role in _CHROME_ROLES:
        return True
    names = f"{element.attrs.get('id', '')} {element.attrs.get('class', '')}".lower()
    return bool(_CHROME_WORDS & set(_SPLIT_WORDS.split(names)))


def _render(element: _Element, parts: list[str], inside_main: bool) -> None:
    inside_main = inside_main or element.is_main() or element.tag == "article"
    block = element.tag in _BLOCKS
    if block:
        parts.append("\n")
    for child in element.children:
        if isinstance(child, str):
            parts.append(child.replace("\n", " "))
        elif not _skipped(child, inside_main):
            _render(child, parts, inside_main)
    if block:
        parts.append("\n")
