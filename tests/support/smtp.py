"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, can be stopped and
started again on the same port, refuses recipients whose address starts with ``refused``,
can answer slowly or hang on a message without ever accepting it; and reading the links
out of the messages it got."""

import asyncio
import re
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

_LINK = re.compile(r"https?://\S+")


class _Handler:
    def __init__(self, inbox: list, server: "SmtpServer"):
        self.inbox = inbox
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.hang_on_next and not self.server.hung.is_set():
            self.server.hung.set()  # the whole message is here; it is never accepted
            while not self.server.released.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Not accepted"
        await asyncio.sleep(self.server.delay)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.inbox.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """``.url`` for ``KX_MAIL_URL``; ``.messages`` as received; ``.wait_for(n)``."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.received: list[tuple[list[str], EmailMessage]] = []
        self._controller = None
        #: seconds before each message is accepted
        self.delay = 0.0
        #: hang on the next message (``hung`` is set then) until ``released``
        self.hang_on_next = False
        self.hung, self.released = threading.Event(), threading.Event()

    def start(self) -> None:
        self._controller = Controller(
            _Handler(self.received, self), hostname="127.0.0.1", port=self.port, ready_timeout=10
        )
        self._controller.start()

    def stop(self) -> None:
        self.released.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _to, message in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        return [message for to, message in self.received if address in to]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        """The messages once at least ``count`` have arrived (fails after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} messages came"
            time.sleep(0.05)
        return self.messages


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str | None:
    part = message.get_body(preferencelist=("html",))
    return None if part is None or part.get_content_type() != "text/html" else part.get_content()


def links_in(message: EmailMessage) -> list[str]:
    """The absolute links in the plain-text part, in order."""
    return _LINK.findall(text_of(message))
