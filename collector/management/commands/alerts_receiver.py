"""A webhook receiver on 127.0.0.1 for trying alert subscriptions by hand: it prints every
delivery with whether its signature is valid, and answers 200 (or 500 to the first --fail
requests, to watch the retries).

    python manage.py alerts_receiver --port 8181 [--secret S] [--fail 2]

Without --secret it checks against the secrets of the subscriptions whose target URL is on
this port (it reads them from the database, as it runs inside the project).
"""
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.core.management.base import BaseCommand

from collector.alerts.deliver import (EVENT_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
                                      signature_valid)
from collector.models import AlertSubscription


class Command(BaseCommand):
    help = "Receive alert webhooks on 127.0.0.1 and print them with their signature check."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8181)
        parser.add_argument("--secret", action="append", default=[], help="A subscription secret (repeatable)")
        parser.add_argument("--fail", type=int, default=0, help="Answer 500 to this many first requests")
        parser.add_argument("--count", type=int, default=0, help="Stop after this many requests (0: never)")

    def handle(self, *, port, secret, fail, count, **options):
        secrets = secret or list(AlertSubscription.objects.filter(
            target_url__startswith=f"http://127.0.0.1:{port}").values_list("secret", flat=True))
        command, seen = self, []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                seen.append(1)
                status = 500 if len(seen) <= fail else 200
                valid = any(signature_valid(s, self.headers.get(TIMESTAMP_HEADER, ""), body,
                                            self.headers.get(SIGNATURE_HEADER, "")) for s in secrets)
                try:
                    event = json.loads(body)
                    what = f"{event.get('event')} {(event.get('ride') or event.get('park') or {}).get('name')}"
                except ValueError:
                    what = "(not JSON)"
                command.stdout.write(f"{self.headers.get(EVENT_HEADER)} key={self.headers.get(IDEMPOTENCY_HEADER)} "
                                     f"signature={'valid' if valid else 'INVALID'} -> {status}: {what}")
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", port), Handler)
        self.stdout.write(f"listening on http://127.0.0.1:{port}/ ({len(secrets)} secret(s) to check)")
        try:
            while not count or len(seen) < count:
                server.handle_request()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
