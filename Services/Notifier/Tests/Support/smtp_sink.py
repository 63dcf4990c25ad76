#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for the notifier's integration tests.

Every accepted message is stored in --dir as <n>.eml (the bytes as received) and <n>.json
(envelope, session facts and the decoded MIME parts), each written atomically, so a test can
read what arrived without parsing MIME itself.

Optional behaviour:
  --tls-cert/--tls-key  offer STARTTLS (and require it with --require-tls)
  --auth user:password  require AUTH (PLAIN or LOGIN) with these credentials
  --exclude-auth MECH   do not offer this AUTH mechanism (repeatable)
  recipients starting with "reject" get 550 at RCPT, "tempfail" 451 (to test failure paths)

Prints "READY <port>" once it accepts connections and runs until SIGTERM/SIGINT or until the
process that started it is gone (so a crashed test run leaves no server behind).
"""
import argparse
import email
import email.policy
import itertools
import json
import os
import signal
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("tempfail"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received_at = time.time()
        with self.lock:
            number = next(self.counter)
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        summary = {
            "number": number,
            "receivedAt": received_at,
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "authenticatedAs": session.auth_data if session.authenticated else None,
            "tls": session.ssl is not None,
            "subject": str(message["subject"] or ""),
            "from": str(message["from"] or ""),
            "to": str(message["to"] or ""),
            "messageId": str(message["message-id"] or ""),
            "headers": {key.lower(): str(value) for key, value in message.items()},
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "defects": [str(defect) for defect in message.defects],
        }
        self._write(f"{number:06d}.eml", raw)
        self._write(f"{number:06d}.json", json.dumps(summary, indent=1).encode("utf-8"))
        return "250 2.0.0 stored"

    def _write(self, name, data):
        path = os.path.join(self.directory, name)
        temporary = path + ".part"
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--require-tls", action="store_true")
    parser.add_argument("--auth")
    parser.add_argument("--exclude-auth", action="append", default=[])
    options = parser.parse_args()
    os.makedirs(options.dir, exist_ok=True)

    settings = {}
    if options.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options.tls_cert, options.tls_key)
        settings["tls_context"] = context
        settings["require_starttls"] = options.require_tls
    if options.auth:
        user, password = options.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                    and auth_data.password.decode() == password:
                return AuthResult(success=True, auth_data=f"{mechanism}:{user}")
            return AuthResult(success=False, handled=False)

        settings["authenticator"] = authenticator
        settings["auth_required"] = True
        settings["auth_require_tls"] = options.tls_cert is not None
        settings["auth_exclude_mechanism"] = options.exclude_auth

    controller = Controller(Sink(options.dir), hostname="127.0.0.1", port=options.port, **settings)
    controller.start()
    print(f"READY {options.port}", flush=True)
    stop = threading.Event()
    # The spawning process may hand its blocked-signal mask down to us; take SIGTERM back.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    parent = os.getppid()
    while not stop.is_set() and os.getppid() == parent:
        stop.wait(0.2)
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
