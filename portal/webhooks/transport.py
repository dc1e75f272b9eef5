"""Posting one delivery: the address checked, the connection pinned to it, no redirects.

Server-side request forgery: an endpoint's host is resolved at every delivery and every address it
resolves to must be public (not private, loopback, link-local, multicast, reserved or unspecified)
unless WEBHOOKS_ALLOW_PRIVATE is set. The connection goes to the address that was checked (no second
lookup that could answer differently), with the host name in the Host header and in TLS (SNI and
certificate check). Redirects are answers like any other: not followed, counted as a failure.

Nothing here touches the database: the job's worker threads call `post` with plain values.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

USER_AGENT = "Cardwright-Webhooks/1"
MAX_ANSWER = 2000  # characters of an answer body kept as the delivery's error


class UrlProblem(ValueError):
    """An endpoint URL that cannot be used; str() is the message for the person who typed it."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse_url(url: str, *, allow_http: bool) -> Target:
    """Check the form of an endpoint URL: https (http only where allowed), a host, no user or password."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as exc:
        raise UrlProblem(_l("This is not a valid web address.")) from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UrlProblem(_l("Write the full address, starting with https://."))
    if parts.scheme == "http" and not allow_http:
        raise UrlProblem(_l("The address must start with https://: events are sent only over an encrypted "
                            "connection."))
    if parts.username or parts.password:
        raise UrlProblem(_l("The address must not contain a user name or password: each event is signed "
                            "instead."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
                                 or ip.is_private or ip.is_unspecified)


def resolve(target: Target, *, allow_private: bool) -> str:
    """The address to connect to: every address the host resolves to must be public (unless allowed)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlProblem(_l("The host %(host)s cannot be found.", host=target.host)) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UrlProblem(_l("The host %(host)s cannot be found.", host=target.host))
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise UrlProblem(_l("%(host)s is a private or local address (%(address)s): events are sent "
                                    "only to addresses on the public internet.", host=target.host,
                                    address=address))
    return addresses[0]


def check_endpoint_url(url: str, *, allow_http: bool, allow_private: bool) -> str:
    """The URL as it will be stored, or UrlProblem: its form, and where its host resolves to now."""
    target = parse_url(url, allow_http=allow_http)
    resolve(target, allow_private=allow_private)
    return url.strip()


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    """A connection to the checked address. No Nagle: http.client sends the headers and the body in two
    writes, and Nagle with the receiver's delayed ACK would add 40 ms to every delivery."""
    sock = socket.create_connection((address, port), timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = _connect(self._address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = _connect(self._address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # SNI and the certificate's name


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None
    error: str = ""


class Sender:
    """Posts to one endpoint: its host resolved and checked once (when the first delivery goes), then
    one kept-alive connection to that address for the worker's deliveries in a run. A kept connection
    the server has meanwhile closed is opened again once before a delivery counts as failed."""

    def __init__(self, url: str, *, timeout: float, allow_http: bool, allow_private: bool):
        self.url, self.timeout = url, timeout
        self.allow_http, self.allow_private = allow_http, allow_private
        self.target: Target | None = None
        self.address: str | None = None
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.address is None:
            self.target = parse_url(self.url, allow_http=self.allow_http)
            self.address = resolve(self.target, allow_private=self.allow_private)
        if self.conn is None:
            kind = _PinnedHTTPSConnection if self.target.scheme == "https" else _PinnedHTTPConnection
            self.conn = kind(self.target.host, self.target.port, self.address, self.timeout)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def post(self, body: bytes, headers: dict[str, str]) -> Outcome:
        """POST the body; 2xx is delivered, anything else (a redirect too) or no answer is a failure."""
        try:
            reused = self.conn is not None
            try:
                answer, text = self._send(body, headers)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                if not reused:
                    raise
                answer, text = self._send(body, headers)  # the kept connection had gone stale
        except UrlProblem as exc:
            return Outcome(False, None, str(exc))
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:MAX_ANSWER])
        if 200 <= answer.status < 300:
            return Outcome(True, answer.status)
        if 300 <= answer.status < 400:
            where = answer.getheader("Location", "")
            return Outcome(False, answer.status, f"Redirect to {where} not followed"[:MAX_ANSWER])
        return Outcome(False, answer.status, text.strip()[:MAX_ANSWER])

    def _send(self, body: bytes, headers: dict[str, str]):
        conn = self._connection()
        try:
            conn.request("POST", self.target.path, body=body, headers={
                **headers, "Content-Type": "application/json", "User-Agent": USER_AGENT})
            answer = conn.getresponse()
            text = answer.read(MAX_ANSWER).decode("utf-8", errors="replace")
        except BaseException:
            self.close()
            raise
        if answer.will_close or not answer.isclosed():  # closing, or more answer than we read: a new one next
            self.close()
        return answer, text


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_http: bool,
         allow_private: bool) -> Outcome:
    """One delivery on a connection of its own."""
    sender = Sender(url, timeout=timeout, allow_http=allow_http, allow_private=allow_private)
    try:
        return sender.post(body, headers)
    finally:
        sender.close()
