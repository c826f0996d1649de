"""A real SMTP server on loopback (aiosmtpd) for the reminder tests: it keeps what it receives, can refuse every
message or every one after the first few, and can hold the first message until a second sender is sending too (so
that two senders overlap)."""

import asyncio
import email
import logging
import threading
import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from tests.server_helpers import free_port


class Mailbox:
    def __init__(self, refuse=False, refuse_after=None, hold_first_until_second=0.0, hold_first_forever=False):
        self.messages = []
        self.refuse = refuse
        self.refuse_after = refuse_after
        self.hold = hold_first_until_second
        self.hold_forever = hold_first_forever
        self.senders = set()
        self.lock = threading.Lock()
        self.first_held = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, options):
        with self.lock:
            self.senders.add(session.peer)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 5.7.1 refused by the test's mail server"
        if self.refuse_after is not None and len(self.messages) >= self.refuse_after:
            return "451 4.3.0 the test's mail server failed"
        with self.lock:
            first = not self.first_held.is_set()
            self.first_held.set()
        if first and self.hold_forever:
            while True:
                await asyncio.sleep(0.1)
        if first and self.hold:
            deadline = time.monotonic() + self.hold
            while len(self.senders) < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def message_ids(self):
        with self.lock:
            return [message["Message-ID"] for message in self.messages]

    def recipients(self):
        with self.lock:
            return [message["To"] for message in self.messages]


@contextmanager
def smtp_server(**options):
    """(mailbox, port) of a running SMTP server on 127.0.0.1."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
    mailbox = Mailbox(**options)
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def smtp_settings(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
