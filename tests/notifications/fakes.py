"""Fake outside services on 127.0.0.1 for the channel tests: an SMS gateway and work-chat robots that
record what they were sent and answer what the test tells them to."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class FakeServer:
    """`answer(received) -> (status, json_body)`; by default every request succeeds."""

    answer: Callable[[Received], tuple[int, dict]]
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                got = Received(parts.path, parse_qs(parts.query), dict(self.headers), self.rfile.read(length))
                fake.received.append(got)
                status, body = fake.answer(got)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def sms_ok(received: Received) -> tuple[int, dict]:
    return 200, {"ok": True, "id": f"m{len(received.body)}"}


def robot_ok(received: Received) -> tuple[int, dict]:
    return 200, {"errcode": 0, "errmsg": "ok"}
