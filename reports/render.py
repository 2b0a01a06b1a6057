"""The only module that writes documents: HTML to PDF (WeasyPrint)."""

from __future__ import annotations


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML document (with its own print CSS) to PDF bytes."""
    from weasyprint import HTML  # imported late: it loads Pango, which only PDF output needs

    return HTML(string=html, base_url=base_url).write_pdf()  # type: ignore[no-any-return]
