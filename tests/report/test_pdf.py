"""The PDF brief: A4 pages with the report's headline, nothing outside the page, nothing fetched."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from materiel.assessment import assess
from materiel.report.html import render_report
from materiel.report.pdf import pdf_bytes, render_document
from materiel.scenario.loader import load
from tests.builders import line, scenario, solve, target, write

TINY = Path(__file__).parents[1] / "fixtures" / "tiny.yaml"
A4 = (595.28, 841.89)  # points


@pytest.fixture(scope="module")
def long_words_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small plan's report whose sources have long web addresses and titles with no spaces."""
    address = "https://example.org/" + "/".join(["a" * 30, "6d463eaf336be89ff34629b5f8e70b"] * 3)
    sources = [
        {"id": f"s{n}", "publisher": "p" * 40, "title": "t" * 60, "date": "2025", "url": address} for n in range(3)
    ]
    plan = solve(
        tmp_path_factory.mktemp("pdf"), scenario(sources=sources, lines=[line("a")], requirements=[target(100)])
    )
    return render_report(plan, assess(plan), {})


def test_report_pdf_writes_a4_pages_with_the_headline(tmp_path: Path, run) -> None:
    code, out, err = run("report", str(TINY), "-o", str(tmp_path / "brief.html"), "--pdf")
    assert code == 0, err
    pdf = tmp_path / "brief.pdf"
    assert f"Wrote {pdf}" in out.replace("\n", "")
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.1)
    first = reader.pages[0].extract_text()
    title, _ = load(TINY)
    assert title.title in first.replace("\n", " ")
    assert "All money spent" in first and "The plan" in first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.html", "brief.pdf"]  # no temporary file left


def test_pdf_needs_an_html_name_for_the_report(tmp_path: Path, run) -> None:
    code, _, err = run("report", str(TINY), "-o", str(tmp_path / "brief.pdf"), "--pdf")
    assert code == 2 and "-o names the HTML file" in err
    assert not any(tmp_path.iterdir())


def test_the_pdf_never_writes_over_the_scenario_and_is_refused_before_planning(tmp_path: Path, run) -> None:
    path = write(tmp_path, scenario(lines=[line("a")], requirements=[target(100)]), "s.pdf")
    text = path.read_text()
    code, _, err = run("report", str(path), "-o", str(tmp_path / "s.html"), "--pdf")
    assert code == 2 and "would write over" in err
    assert path.read_text() == text and not (tmp_path / "s.html").exists()


def _overflowing(box, right: float, found: list[str]) -> list[str]:
    """Boxes whose right edge is past ``right`` (the page's content edge), by element."""
    for child in getattr(box, "children", None) or []:
        if hasattr(child, "margin_width") and child.position_x + child.margin_width() > right + 0.5:
            found.append(
                f"{getattr(child, 'element_tag', '?')} by {child.position_x + child.margin_width() - right:.0f}px"
            )
        _overflowing(child, right, found)
    return found


def test_nothing_on_a_page_runs_past_its_right_margin(long_words_page: str) -> None:
    document = render_document(long_words_page)
    for page in document.pages:
        box = page._page_box  # WeasyPrint's layout (pinned below 72 in pyproject.toml)
        assert _overflowing(box, box.content_box_x() + box.width, []) == []


def test_only_data_and_local_files_are_fetched(tmp_path: Path) -> None:
    (tmp_path / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    page = (
        '<html><body><p>offline</p><img src="dot.svg"><img src="https://example.org/x.png">'
        '<img src="http://127.0.0.1:9/x.png"><img src="ftp://example.org/x.png"></body></html>'
    )
    from materiel.report.pdf import _offline_fetcher

    fetcher = _offline_fetcher()
    for url in ("https://example.org/x.png", "http://127.0.0.1:9/x.png", "ftp://example.org/x.png"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher(url)
    assert fetcher((tmp_path / "dot.svg").as_uri()).read().startswith(b"<svg")
    assert pdf_bytes(page, tmp_path).startswith(b"%PDF")
