from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.conf import settings
from django.core.management.base import BaseCommand

from skp.bkn.simulator import TOKEN, Faults, Simulator


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the stdlib's name)
        pass


class Command(BaseCommand):
    help = (
        "Serve the BKN simulator (e-Kinerja's endpoints from the demo generator) over loopback, "
        "with optional faults. Point EKINERJA_BASE_URL at it; its token is printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--asn", type=int, default=settings.BKN_SIMULATOR_ASN)
        parser.add_argument("--seed", type=int, default=settings.BKN_SIMULATOR_SEED)
        parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
        parser.add_argument("--server-errors", type=float, default=0.0, help="share of 500 answers (0-1)")
        parser.add_argument("--rate-limited", type=float, default=0.0, help="share of 429 answers (0-1)")
        parser.add_argument("--retry-after", type=int, default=1)
        parser.add_argument("--malformed", type=float, default=0.0, help="share of broken JSON bodies (0-1)")
        parser.add_argument("--truncated", type=float, default=0.0, help="share of bodies cut short (0-1)")
        parser.add_argument("--refuse-token", action="store_true", help="answer 401 to every e-Kinerja call")

    def handle(self, *args, **options):
        faults = Faults(
            latency=options["latency"],
            server_errors=options["server_errors"],
            rate_limited=options["rate_limited"],
            retry_after=options["retry_after"],
            malformed=options["malformed"],
            truncated=options["truncated"],
            refuse_token=options["refuse_token"],
        )
        simulator = Simulator(asn_count=options["asn"], seed=options["seed"], faults=faults)
        with make_server("127.0.0.1", options["port"], simulator, handler_class=QuietHandler) as server:
            self.stdout.write(
                f"BKN simulator on http://127.0.0.1:{options['port']} "
                f"(EKINERJA_BASE_URL=http://127.0.0.1:{options['port']} EKINERJA_TOKEN={TOKEN})"
            )
            server.serve_forever()
