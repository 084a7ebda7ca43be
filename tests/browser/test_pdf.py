"""The PDF edition, ``_build/pdf/backprop-live.pdf`` (``python -m bpcore.tools.pdf``; made here if missing).

It holds every page of the toc in order: one outline entry per page, titled with the page's heading
in the HTML book and pointing at a page after the previous one's; at least one PDF page per book page;
the printed text has every chapter's heading, no "Run live" link (paper cannot run anything) and no raw TeX
(MathJax typeset every formula) outside code (printed source may show docstrings with TeX, as the HTML book
does).
Kept with the browser tests: CI writes the PDF after the book build, before this stage.
"""
from __future__ import annotations

import html
import itertools
import re
import unicodedata
from pathlib import Path

import pytest

from bpcore.tools import pdf
from bpcore.tools.execute import toc_files

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES = toc_files(REPO_ROOT / "_toc.yml")
# TeX a reader should never see: $$, \( \[ delimiters, or a TeX command (code in the book uses none)
RAW_TEX = re.compile(r"\$\$|\\[(\[]|\\(?:frac|partial|sum|sigma|mathbf|mathrm|left|right|begin|end|cdot|"
                     r"times|nabla|delta|alpha|eta|theta|lVert|rVert|odot|top|hat|sqrt|ell|qquad|quad)\b")
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.DOTALL)


def code_text() -> str:
    """Everything the HTML book shows as code or printed output (``<pre>``), without whitespace.

    Printed source (``inspect.getsource``) legitimately shows docstrings with ``:math:`` TeX; a line of
    the PDF with TeX in it must come from there."""
    parts = [html.unescape(re.sub(r"<[^>]+>", "", block)) for doc in PAGES
             for block in PRE.findall((pdf.HTML_DIR / f"{doc}.html").read_text(encoding="utf-8"))]
    return re.sub(r"\s+", "", "".join(parts))


def html_heading(doc: str) -> str:
    """The page's ``<h1>`` in the HTML book, as text (without the ``#`` link)."""
    text = H1.search((pdf.HTML_DIR / f"{doc}.html").read_text(encoding="utf-8")).group(1)
    text = re.sub(r'<a class="headerlink".*?</a>', "", text, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


@pytest.fixture(scope="module")
def reader() -> object:
    """The PDF, opened with pypdf (written first if it does not exist yet)."""
    from pypdf import PdfReader

    if not pdf.PDF_PATH.is_file():
        assert pdf.main([]) == 0, "writing the PDF failed"
    return PdfReader(pdf.PDF_PATH)


def test_outline_has_every_chapter_in_order(reader: object) -> None:
    """One top-level outline entry per toc page, with the page's heading, in the book's order."""
    outline = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in outline] == [html_heading(doc) for doc in PAGES]
    starts = [reader.get_destination_page_number(item) for item in outline]
    assert starts[0] == 0
    assert all(a < b for a, b in itertools.pairwise(starts)), f"chapters out of order: {starts}"
    assert starts[-1] < len(reader.pages)


def test_pages_and_text(reader: object) -> None:
    """Enough pages, every chapter's heading in the text, and no raw TeX outside code."""
    assert len(reader.pages) >= 2 * len(PAGES), f"only {len(reader.pages)} pages for {len(PAGES)} chapters"
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    # NFKC for the headings: the printed text sets ligatures ("ﬀ" in "differentiation"); compare letters
    squashed = " ".join(unicodedata.normalize("NFKC", text).split())
    for doc in PAGES:
        heading = html_heading(doc)
        assert " ".join(heading.split()[-2:]) in squashed, f"{heading!r} is not in the PDF's text"
    # the link beside each static twin (bpcore.tools.build.twin_launch_html); the prose may name the button
    assert "figure shows precomputed positions" not in squashed, "the live book's launch links are printed"
    code = code_text()
    raw = [line for line in text.splitlines() if RAW_TEX.search(line) and re.sub(r"\s+", "", line) not in code]
    assert not raw, f"raw TeX in the PDF's prose: {raw[:10]}"
