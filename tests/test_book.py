"""The book builds (quick mode, warnings as errors, every notebook executed) and every page is there."""

from __future__ import annotations

import re

import pytest

from test_notebooks import toc_files

pytestmark = pytest.mark.slow


def test_index_exists(built_book):
    assert (built_book / "index.html").exists()


def test_a_page_for_every_toc_entry(built_book):
    for entry in toc_files():
        assert (built_book / (entry + ".html")).exists(), f"no page for {entry}"


def test_no_page_shows_a_traceback(built_book):
    for page in built_book.rglob("*.html"):
        text = page.read_text(errors="replace")
        assert "Traceback (most recent call last)" not in text, f"{page.name} shows a traceback"
        assert not re.search(r"\w+Error: ", re.sub(r"<[^>]+>", "", text)) or "ansi-red" not in text, page.name
