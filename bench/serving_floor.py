"""The floor under the production server's cached answers: the same server with the same settings
(`python -m themepark.serve bench.serving_floor:application`, what bin/serve runs) answering every
request with a fixed body the size of a ranking and the same headers, no Django at all.
bench/api_serving.py measures it beside the real server, so what the server itself costs on this
machine can be read apart from what the application adds."""
import os

BODY = b"x" * int(os.environ.get("FLOOR_BODY_BYTES") or 10_000)
HEADERS = [("Content-Type", "application/json"), ("Cache-Control", "public, max-age=300"),
           ("Allow", "GET, HEAD, OPTIONS"), ("X-Frame-Options", "DENY"), ("Content-Length", str(len(BODY))),
           ("Vary", "Cookie, origin"), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
           ("Cross-Origin-Opener-Policy", "same-origin")]


def application(environ, start_response):
    start_response("200 OK", list(HEADERS))
    return [BODY]
