"""The live preview of ``graphjac watch --serve``: a page on localhost that shows the latest
figure and reloads it when it changes (or shows the error, keeping the last good figure)."""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from graphjac.errors import GraphjacError
from graphjac.render.writers.formats import mime_types

TYPES = {f: mime for f, mime in mime_types().items() if f in ("svg", "png")}   # what an <img> shows

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — graphjac</title>
<style>
 body {{ margin: 0; font: 14px system-ui, sans-serif; background: #fafafa; }}
 header {{ padding: 6px 12px; color: #555; border-bottom: 1px solid #ddd; background: #fff; }}
 #error {{ display: none; white-space: pre-wrap; padding: 8px 12px; color: #8b0000; background: #fde8e8; }}
 main {{ padding: 12px; text-align: center; }}
 img {{ max-width: 100%; height: auto; background: #fff; }}
</style></head>
<body><header>{title} · updated <span id="when">–</span></header>
<div id="error"></div>
<main>{body}</main>
<script>
let version = -1;
async function poll() {{
  try {{
    const state = await (await fetch("/state", {{cache: "no-store"}})).json();
    const error = document.getElementById("error");
    error.style.display = state.error ? "block" : "none";
    error.textContent = state.error || "";
    if (state.version !== version) {{
      version = state.version;
      const img = document.getElementById("figure");
      if (img) img.src = "/figure?v=" + version;
      document.getElementById("when").textContent = new Date().toLocaleTimeString();
    }}
  }} catch (e) {{}}
  setTimeout(poll, 200);
}}
poll();
</script></body></html>
"""


def _local_host(host, port) -> bool:
    """Whether a request's Host header names this machine's loopback (localhost, 127.0.0.1, [::1])
    with the preview's port: the defence against DNS rebinding.

    >>> _local_host("localhost:8000", 8000), _local_host("attacker.example:8000", 8000), _local_host(None, 80)
    (True, False, False)
    """
    if not host:
        return False
    name, _, given = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not name:
        name, given = host, ""
    if given and given != str(port):
        return False
    return name.lower() in ("localhost", "127.0.0.1", "[::1]")


class Preview:
    """A small HTTP server on 127.0.0.1 (never other hosts) serving the page and the figure."""

    def __init__(self, output: str, format: str, port: int):
        self.format, self.version, self.error, self.data = format, 0, None, b""
        self.title = html.escape(Path(output).name)
        self._lock = threading.Lock()
        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        except OSError as exc:   # the port is taken, or below 1024 without the right
            raise GraphjacError(f"--serve {port}: cannot serve the preview there ({exc.strerror}); "
                                f"pick another port, or 0 for a free one") from None
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://localhost:{self.port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def updated(self, data) -> None:
        with self._lock:
            self.data = data.encode("utf-8") if isinstance(data, str) else data
            self.version += 1
            self.error = None

    def failed(self, message: str) -> None:
        with self._lock:
            self.error = message

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _page(self) -> bytes:
        if self.format in TYPES:
            body = '<img id="figure" alt="the figure">'
        else:
            body = f"<p>The preview shows SVG and PNG figures; this one is {html.escape(self.format)}.</p>"
        return PAGE.format(title=self.title, body=body).encode("utf-8")

    def _handler(self):
        preview = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if not _local_host(self.headers.get("Host"), preview.port):
                    # a page on another site that rebinds its name to 127.0.0.1 sends its own Host
                    self._send(421, "text/plain; charset=utf-8", b"this preview answers localhost only")
                    return
                path = self.path.split("?", 1)[0]
                with preview._lock:        # a snapshot: the sending happens outside the lock
                    if path == "/":
                        reply = (200, "text/html; charset=utf-8", preview._page())
                    elif path == "/state":
                        state = {"version": preview.version, "error": preview.error}
                        reply = (200, "application/json", json.dumps(state).encode("utf-8"))
                    elif path == "/figure" and preview.format in TYPES and preview.data:
                        reply = (200, TYPES[preview.format], preview.data)
                    else:
                        reply = (404, "text/plain; charset=utf-8", b"not found")
                self._send(*reply)

            def _send(self, status, kind, body):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; "
                                 "style-src 'unsafe-inline'; img-src 'self'")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):   # the terminal shows renders, not requests
                pass

        return Handler
