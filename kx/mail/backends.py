"""Where mail goes without an SMTP server: one ``.eml`` file per message, and a log line."""

import logging
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from flask_mailman.backends.base import BaseEmailBackend

log = logging.getLogger("kx.mail")


class EmlFileEmailBackend(BaseEmailBackend):
    """Writes each message to ``MAIL_FILE_PATH`` as ``<time>-<random>.eml``, which any mail
    program opens (Flask-Mailman's own file backend appends every message to one log)."""

    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or self.mailman.file_path)

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            path = self.directory / f"{stamp}-{secrets.token_hex(4)}.eml"
            # written under a temporary name, so that a reader never opens half a message
            partial = path.with_suffix(".part")
            partial.write_bytes(message.message().as_bytes(linesep="\r\n"))
            os.replace(partial, path)
            log.info("mail to %s written to %s", ", ".join(message.recipients()), path)
            sent += 1
        return sent
