"""The PDF brief: the HTML report laid out on A4 pages by WeasyPrint, offline.

WeasyPrint lays the report out with its print styles (``@page`` A4, ``@media print`` in html.py) and
fonts found by fontconfig (DejaVu from Debian's fonts-dejavu-core). It fetches nothing from the
network: the fetcher it is given opens only ``data:`` addresses (the charts, inlined) and local
files, and refuses any other, so a source's web address in the report stays a link and is never
loaded (docs/cli.md, "materiel report").
"""

from __future__ import annotations

import re
from pathlib import Path

OFFLINE_PROTOCOLS = frozenset({"data", "file"})
# A brief: the collapsed tables (every input, capacity investments, days from stock alone) stay
# out of it, as they stay shut when the page is printed; they are in the CSV files and plan.xlsx.
# They are cut before layout (styling the 560 rows of inputs alone would take seconds).
BRIEF_CSS = "details:not([open]){display:none}"
_CLOSED = re.compile(r"<details>.*?</details>", re.DOTALL)


class PdfError(Exception):
    """The PDF could not be made (WeasyPrint or the libraries it needs are missing)."""


def _offline_fetcher():
    """A WeasyPrint URL fetcher that opens ``data:`` and ``file:`` addresses and refuses the rest."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=OFFLINE_PROTOCOLS, timeout=1)


def render_document(html_text: str, base: Path | None = None):
    """The report ``html_text`` laid out on A4 pages (a WeasyPrint document); ``base`` is the
    folder relative paths start from."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or its font libraries are missing
        raise PdfError(
            f"cannot make the PDF: WeasyPrint is not usable ({exc}); it needs the Debian packages "
            "libpango-1.0-0, libpangoft2-1.0-0 and fonts-dejavu-core"
        ) from None
    base_url = (base or Path.cwd()).resolve().as_uri() + "/"
    page = weasyprint.HTML(string=_CLOSED.sub("", html_text), base_url=base_url, url_fetcher=_offline_fetcher())
    return page.render(stylesheets=[weasyprint.CSS(string=BRIEF_CSS)])


def pdf_bytes(html_text: str, base: Path | None = None) -> bytes:
    """The report ``html_text`` as a PDF brief on A4 pages."""
    return render_document(html_text, base).write_pdf()
