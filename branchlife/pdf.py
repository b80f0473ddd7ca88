"""One way to render a template to PDF with WeasyPrint, with the CJK font embedded.

Every PDF template extends templates/pdf/base.html, which sets the page font to Noto Sans CJK SC
(Debian's fonts-noto-cjk; the Dockerfile installs it). WeasyPrint embeds a subset of it with a ToUnicode
map, so the Chinese text prints correctly and can be extracted (pdftotext, search, copy).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from .xlsx import attachment

PDF_MIME = "application/pdf"


def render_html(template_name: str, context: dict) -> str:
    return render_to_string(template_name, context)


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which web processes that never print can skip.
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_html(template_name, context))


def qr_data_uri(url: str) -> str:
    """A QR code as a PNG data URI for a PDF template: PNG, not SVG, measured faster in WeasyPrint (PDF.md)."""
    import segno

    return segno.make(url, error="m").png_data_uri(scale=4, border=1)


def pdf_response(content: bytes, filename: str, *, inline: bool = True):
    response = attachment(content, filename, PDF_MIME)
    if inline:
        response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline", 1)
    return response
