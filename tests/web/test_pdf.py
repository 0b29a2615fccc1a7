"""PDF rendering (bridgework.web.pdf): A4 with the print stylesheet and an embedded font, and
no resource fetched from anywhere but the package's static files."""

from __future__ import annotations

import http.server
import io
import threading

import pytest
from pypdf import PdfReader

from bridgework.web.pdf import STATIC_DIR, LocalFetcher, html_to_pdf, pdf_filename
from tests.web.pdf_text import pdf_text


@pytest.fixture
def listener():
    """A web server on the loopback that counts the requests it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_a_report_never_fetches_a_url_that_is_not_local(listener):
    base, seen = listener
    outside = [
        f"{base}/image.png",
        f"{base}/style.css",
        f"{base}/font.woff",
        f"{base}/imported.css",
        "file:///etc/passwd",
        "../../../../../../etc/hostname",
    ]
    html = f"""<!DOCTYPE html><html><head>
    <link rel="stylesheet" href="{outside[1]}">
    <style>@import url("{outside[3]}");
    @font-face {{ font-family: Remote; src: url("{outside[2]}"); }}
    body {{ font-family: Remote; }}</style></head>
    <body><p>Hello board</p><img src="{outside[0]}" alt="x"><img src="{outside[4]}" alt="y">
    <img src="{outside[5]}" alt="z"></body></html>"""
    fetcher = LocalFetcher()
    content = html_to_pdf(html, fetcher=fetcher)
    assert seen == []  # the server was never asked
    assert "Hello board" in pdf_text(content)
    refused = " ".join(fetcher.refused)
    for url in outside[:5]:
        assert url in refused
    assert "etc/hostname" in refused


def test_local_static_files_are_read_and_the_font_is_embedded():
    fetcher = LocalFetcher()
    icon = (STATIC_DIR / "bridgework" / "favicon.svg").as_uri()
    content = html_to_pdf(
        f'<!DOCTYPE html><html><body><p>Figures</p><img src="{icon}" alt=""></body></html>',
        fetcher=fetcher,
    )
    assert fetcher.refused == []
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    # A4 is 210 × 297 mm: 595 × 842 points.
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu" in name for name in fonts), fonts
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            # Embedded: the font travels with the report, whatever fonts the reader has.
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font


def test_pdf_filename_has_the_kind_the_slug_and_todays_date(settings):
    from django.utils import timezone

    assert pdf_filename("rc-results", "spring") == (
        f"rc-results-spring-{timezone.localdate():%Y-%m-%d}.pdf"
    )
