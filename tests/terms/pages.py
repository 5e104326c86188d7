"""The same terms text under two unrelated page layouts, and a long page, for the watcher."""

from __future__ import annotations

PARAGRAPHS = [
    "Terms of Service",
    "Last updated: 3 March 2025",
    "1. Acceptance",
    "By using Tunewave you agree to these terms. If you do not agree, do not use the service.",
    "2. Your uploads",
    "You keep ownership of your uploads. You grant us a licence to host and stream them.",
    "3. Conduct",
    "Do not upload music you have no right to share & do not harass other users.",
]


def semantic_layout(paragraphs: list[str]) -> str:
    body = "\n".join(
        f"<h2>{p}</h2>" if p[0].isdigit() else f"<p>{p}</p>" for p in paragraphs[1:])
    return f"""<!DOCTYPE html>
<html lang="en"><head><title>Terms | Tunewave</title>
<style>body {{ font-family: sans-serif }}</style>
<script>window.analytics = {{"page": "terms"}};</script></head>
<body>
<header class="site-header"><a href="/">Tunewave</a> <a href="/login">Log in</a></header>
<nav><ul><li><a href="/discover">Discover</a></li><li><a href="/upload">Upload</a></li></ul></nav>
<main>
  <article>
    <h1>{paragraphs[0]}</h1>
    {body}
  </article>
</main>
<aside>Related: Privacy policy, Cookie policy</aside>
<footer>&copy; 2025 Tunewave Ltd. <a href="/privacy">Privacy</a></footer>
<form action="/newsletter"><input name="email"><button>Subscribe</button></form>
</body></html>"""


def div_layout(paragraphs: list[str]) -> str:
    """A redesign: no semantic tags, new classes, a different menu, other whitespace."""
    blocks = "".join(
        f'<div class="tw-block tw-block--{i}"><span>{p.replace(" ", "  ")}</span></div>\n\n'
        for i, p in enumerate(paragraphs))
    return f"""<html><head><meta charset="utf-8"><link rel="stylesheet" href="/v2.css">
<script src="/bundle.js"></script><noscript>Enable JavaScript</noscript></head><body>
<div id="cookie-banner">We use cookies. <a>Accept all</a></div>
<div class="topbar"><div class="menu"><a href="/">Home</a><a href="/pricing">Pricing</a>
<a href="/artists">For artists</a></div></div>
<div role="main" class="layout__content">
{blocks}
</div>
<div class="footer-links"><a href="/jobs">Jobs</a> Tunewave Inc. 2025</div>
<script>track("terms-v2")</script>
</body></html>"""


def long_page(filler_paragraphs: int, buried: str = "") -> str:
    """A long terms page, with ``buried`` appended to one paragraph deep inside it."""
    parts = []
    for i in range(filler_paragraphs):
        text = (f"{i + 1}.{i % 7} The member agrees that section {i} applies to playlists, "
                f"payouts and support requests in region {i % 13}, as described in annex {i}.")
        if buried and i == filler_paragraphs * 2 // 3:
            text += " " + buried
        parts.append(f"<p>{text}</p>")
    return "<html><body><main>" + "\n".join(parts) + "</main></body></html>"
