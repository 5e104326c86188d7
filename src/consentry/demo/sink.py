"""A mail sink and webhook receiver on loopback, so the demo's mail and withdrawal webhooks
arrive somewhere on a machine without internet: each message and each request is printed as
one line (and the mail's text below it) before it is answered, so a sender that has returned
has been printed.

Stdlib only (``socketserver``, ``http.server``): a runtime dependency for a demo tool would be
paid by every installation; the test suite's full SMTP server (aiosmtpd) stays a dev one.
"""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"
Print = Callable[[str], None]


def describe_mail(sender: str, recipients: list[str], data: bytes, text: bool = False) -> str:
    """``mail from A to B: Subject``, and with ``text`` the plain-text part, indented."""
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content().strip() if part is not None else ""
    subject = str(message["Subject"] or "").strip()
    lines = [f"mail from {sender} to {', '.join(recipients)}: {subject}"]
    if text:
        lines += [f"    {line}".rstrip() for line in body.splitlines()]
    return "\n".join(lines)


def describe_webhook(path: str, headers: dict[str, str], body: bytes) -> str:
    """``webhook POST /path: event …`` with the JSON body compact and the signature named."""
    try:
        shown = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        shown = f"{len(body)} bytes, not JSON"
    signed = "signed" if any(k.lower() == "x-consentry-signature" for k in headers) else "unsigned"
    return f"webhook POST {path} ({signed}): {shown}"


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    show: Print
    text: bool = False

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._reply("220 consentry sink")
        sender, recipients = "", list[str]()
        while raw := self.rfile.readline(65536):
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self._reply("250-consentry sink")
                self._reply("250 8BITMIME")
            elif verb == "HELO" or verb == "NOOP":
                self._reply("250 ok")
            elif verb == "MAIL":
                sender, recipients = command.partition(":")[2].strip().strip("<>"), []
                self._reply("250 ok")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip().strip("<>"))
                self._reply("250 ok")
            elif verb == "DATA":
                self._reply("354 end with <CRLF>.<CRLF>")
                self.show(describe_mail(sender, recipients, self._data(), self.text))
                self._reply("250 ok: printed")
            elif verb == "RSET":
                sender, recipients = "", []
                self._reply("250 ok")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline(1 << 20)) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


def _webhook_handler(show: Print) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            show(describe_webhook(self.path, dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass  # the line show() printed is the log

    return Handler


class Sink:
    """The two servers, each in a daemon thread; ``close`` stops both."""

    def __init__(self, smtp_port: int, http_port: int, show: Print, text: bool = False) -> None:
        lock = threading.Lock()

        def one_at_a_time(text: str) -> None:
            with lock:
                show(text)

        handler = type(
            "SMTPHandler", (_SMTPHandler,), {"show": staticmethod(one_at_a_time), "text": text}
        )
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.smtp = socketserver.ThreadingTCPServer((LOOPBACK, smtp_port), handler)
        self.http = ThreadingHTTPServer((LOOPBACK, http_port), _webhook_handler(one_at_a_time))
        for server in (self.smtp, self.http):
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def smtp_port(self) -> int:
        return int(self.smtp.server_address[1])

    @property
    def http_port(self) -> int:
        return int(self.http.server_address[1])

    def close(self) -> None:
        for server in (self.smtp, self.http):
            server.shutdown()
            server.server_close()
