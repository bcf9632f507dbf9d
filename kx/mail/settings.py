"""``KX_MAIL_URL`` read into Flask-Mailman's settings; a malformed one stops the start."""

from urllib.parse import parse_qsl, unquote, urlsplit

_SCHEMES = {"smtp": 25, "smtps": 465}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
_OPTIONS = {"starttls", "timeout"}
SMTP_TIMEOUT = 20  # seconds; a hung server must not hold a sender past its lease


class MailUrlError(RuntimeError):
    """``KX_MAIL_URL`` cannot be used; the message says why (never with the password)."""


def _refuse(url: str, why: str) -> MailUrlError:
    parts = urlsplit(url)
    shown = url
    if parts.password:
        shown = url.replace(f":{parts.password}@", ":***@", 1)
    return MailUrlError(
        f"KX_MAIL_URL {why}: {shown!r}. Write it as smtp://user:password@host:587?starttls=1, "
        "smtps://user:password@host:465, or leave it unset to write messages to files."
    )


def mailman_settings(url: str, mail_dir: str, sender: str) -> dict:
    """Flask-Mailman's ``MAIL_*`` settings for ``url`` (empty: one .eml file per message)."""
    common = {"MAIL_DEFAULT_SENDER": sender, "MAIL_TIMEOUT": SMTP_TIMEOUT}
    if not url:
        return common | {
            "MAIL_BACKEND": "kx.mail.backends.EmlFileEmailBackend",
            "MAIL_FILE_PATH": mail_dir,
        }
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refuse(url, f"is not a valid URL ({exc})") from exc
    if parts.scheme not in _SCHEMES:
        raise _refuse(url, "must start with smtp:// or smtps://")
    if not parts.hostname:
        raise _refuse(url, "names no host")
    if parts.path not in ("", "/") or parts.fragment:
        raise _refuse(url, "has a path or fragment, which mean nothing for SMTP")
    try:
        query = dict(
            parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
        )
    except ValueError as exc:
        raise _refuse(url, "has a malformed query") from exc
    unknown = sorted(set(query) - _OPTIONS)
    if unknown:
        raise _refuse(url, f"has unknown options {', '.join(unknown)}")
    starttls = query.get("starttls", "0").lower()
    if starttls not in _TRUE | _FALSE:
        raise _refuse(url, "has starttls that is neither 1 nor 0")
    if parts.scheme == "smtps" and starttls in _TRUE:
        raise _refuse(url, "asks for STARTTLS on smtps://, which is TLS from the start")
    timeout = query.get("timeout", str(SMTP_TIMEOUT))
    if not timeout.isdigit() or int(timeout) == 0:
        raise _refuse(url, "has a timeout that is not a positive number of seconds")
    return common | {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": parts.hostname,
        "MAIL_PORT": port or _SCHEMES[parts.scheme],
        "MAIL_USERNAME": unquote(parts.username) if parts.username else None,
        "MAIL_PASSWORD": unquote(parts.password) if parts.password else None,
        "MAIL_USE_SSL": parts.scheme == "smtps",
        "MAIL_USE_TLS": starttls in _TRUE,
        "MAIL_TIMEOUT": int(timeout),
    }
