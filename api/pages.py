"""The service's few HTML pages (landing, demo login): escaped text, scripts of this origin
only, never framed."""

from __future__ import annotations

from starlette.responses import HTMLResponse

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;
line-height:1.5}}pre{{background:#f4f4f4;padding:.5rem;white-space:pre-wrap;
word-break:break-all}}</style></head><body>{body}</body></html>"""


def html_page(title: str, body: str, *, status_code: int = 200) -> HTMLResponse:
    """`body` (already escaped HTML) in the common layout, with its security headers."""
    return HTMLResponse(
        LAYOUT.format(title=title, body=body),
        status_code=status_code,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Referrer-Policy": "no-referrer",
        },
    )
