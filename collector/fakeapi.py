"""A fake ThemeParks.wiki + Queue-Times server on loopback, for tests and bench/collect.py.

It serves `/v1/...` (ThemeParks.wiki) and `/qt/...` (Queue-Times) from a dict of documents
keyed by path, which defaults to the recorded documents in collector/fakeapi_documents/. `script`
overrides a path with a list of responses served in turn (the last one repeats): a dict is a
JSON body, an int a bare status, a tuple (status, headers, body). Unknown paths answer 404
with ThemeParks.wiki's error body. `latency` delays every answer; every request is recorded.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fakeapi_documents"


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def fixture_documents() -> dict:
    """Path -> decoded JSON body for every fixture file."""
    docs = {}
    tpw = FIXTURES / "themeparks_wiki"
    docs["/v1/destinations"] = fixture("themeparks_wiki/destinations.json")
    for path in tpw.glob("*_*.json"):
        kind, entity_id = path.stem.split("_", 1)
        suffix = "" if kind == "entity" else f"/{kind}"
        docs[f"/v1/entity/{entity_id}{suffix}"] = json.loads(path.read_text())
    docs["/qt/parks.json"] = fixture("queue_times/parks.json")
    for path in (FIXTURES / "queue_times").glob("queue_times_*.json"):
        docs[f"/qt/parks/{path.stem.rsplit('_', 1)[1]}/queue_times.json"] = json.loads(path.read_text())
    return docs


def serve(handler, port: int = 0) -> ThreadingHTTPServer:
    """Serve `handler` on 127.0.0.1:`port` (0: any free port) from a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer):
    server.shutdown()
    server.server_close()


class FakeAPI:
    """Start with `with FakeAPI() as api:`; `api.tpw_url` / `api.qt_url` are the base URLs."""

    def __init__(self, documents: dict | None = None, *, latency: float = 0.0, resolver=None, port: int = 0):
        self.documents = fixture_documents() if documents is None else documents
        self.script: dict[str, list] = {}
        self.latency = latency
        self.resolver = resolver  # optional callable(path) -> body or None, for generated data
        self.requests: list[tuple[float, str, dict]] = []
        self.lock = threading.Lock()
        self.server = None
        self.port = port

    # -- responses ---------------------------------------------------------------------------
    def respond(self, path):
        with self.lock:
            queue = self.script.get(path)
            if queue:
                spec = queue.pop(0) if len(queue) > 1 else queue[0]
                return self._spec(spec)
        body = self.documents.get(path)
        if body is None and self.resolver:
            body = self.resolver(path)
        if body is None:
            return 404, {}, json.dumps({"success": False, "error": {
                "type": "Not found", "message": f"Entity {path} not found", "code": 404}}).encode()
        return 200, {}, body if isinstance(body, bytes) else json.dumps(body).encode()

    @staticmethod
    def _spec(spec):
        if isinstance(spec, int):
            return spec, {}, b""
        if isinstance(spec, tuple):
            status, headers, body = spec
            return status, dict(headers), body if isinstance(body, bytes) else json.dumps(body).encode()
        return 200, {}, spec if isinstance(spec, bytes) else json.dumps(spec).encode()

    def count(self, path_part: str = "") -> int:
        return sum(1 for _, path, _ in self.requests if path_part in path)

    # -- server ------------------------------------------------------------------------------
    def __enter__(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0]
                with api.lock:
                    api.requests.append((time.monotonic(), path, dict(self.headers)))
                status, headers, body = api.respond(path)
                delay = headers.pop("X-Delay", None)
                time.sleep(float(delay) if delay else api.latency)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.server = serve(Handler, self.port)
        return self

    def __exit__(self, *exc):
        stop(self.server)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def tpw_url(self):
        return f"{self.base}/v1"

    @property
    def qt_url(self):
        return f"{self.base}/qt"


if __name__ == "__main__":  # python -m collector.fakeapi [port]: serve the fixtures by hand
    import sys

    with FakeAPI(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8765) as running:
        print(f"THEMEPARKS_WIKI_BASE_URL={running.tpw_url} QUEUE_TIMES_BASE_URL={running.qt_url}", flush=True)
        threading.Event().wait()
