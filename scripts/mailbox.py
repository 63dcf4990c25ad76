#!/usr/bin/python3
"""A local SMTP server for the embedded stack: every message the notifier sends is stored as
<folder>/<n>.eml, so `make run` shows what would have been mailed. Not for production.

usage: mailbox.py HOST PORT FOLDER
"""
import asyncio
import os
import sys

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.count = len([name for name in os.listdir(folder) if name.endswith(".eml")])

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.folder, f"{self.count:06d}.eml")
        with open(path, "wb") as out:
            out.write(f"X-Envelope-From: {envelope.mail_from}\r\n".encode())
            out.write(f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode())
            out.write(envelope.original_content or envelope.content)
        return "250 Message accepted"


def main():
    host, port, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    controller = Controller(Store(folder), hostname=host, port=port)
    controller.start()
    print(f"mailbox listening on {host}:{port}, storing messages in {folder}", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
