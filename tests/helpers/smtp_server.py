"""A real SMTP server for the tests (Debian's python3-aiosmtpd): each message it accepts is written
to <dir>/<n>.eml as received. With --user/--password it offers AUTH PLAIN/LOGIN over plain TCP
(auth_require_tls=False: loopback only)
and with --tls-cert/--tls-key it offers STARTTLS and requires it and refuses any other credentials with 535.
Prints READY once it listens; runs until killed."""
import argparse
import asyncio
import os
import signal
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--dir", required=True)
parser.add_argument("--user")
parser.add_argument("--password")
parser.add_argument("--tls-cert")
parser.add_argument("--tls-key")
args = parser.parse_args()
os.makedirs(args.dir, exist_ok=True)


class Writer:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Writer.count += 1
        path = os.path.join(args.dir, "%04d.eml" % Writer.count)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == args.user
        and auth_data.password.decode() == args.password
    )
    return AuthResult(success=ok, handled=False)


kwargs = {}
if args.user is not None:
    kwargs = dict(authenticator=authenticator, auth_require_tls=False, auth_required=True)
if args.tls_cert is not None:
    # STARTTLS offered and required before MAIL (require_starttls), as a plant relay on 587 would.
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    kwargs.update(tls_context=context, require_starttls=True)
controller = Controller(Writer(), hostname="127.0.0.1", port=args.port, **kwargs)
controller.start()
print("READY", flush=True)
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: done.set())
signal.signal(signal.SIGINT, lambda *_: done.set())
done.wait()
controller.stop()
