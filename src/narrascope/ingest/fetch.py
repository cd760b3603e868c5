"""Fetching one URL safely: bounded in time, size and hops, and never into the intranet.

A URL given to ``narrascope analyze`` is untrusted input, and so is every redirect it
leads to. So each hop is checked the same way before a byte is sent:

* only ``http``/``https``;
* the host name is resolved here and *every* address it resolves to must be public
  (no private, loopback, link-local, multicast, reserved or unspecified address) unless
  ``IngestOptions.allow_private``; the connection then goes to the address checked, not
  to a second lookup, so a DNS answer that changes between check and connect (DNS
  rebinding) cannot slip through. HTTPS still verifies the certificate against the host
  name (SNI);
* the site's ``robots.txt`` must allow our user agent (RFC 9309: a 4xx robots.txt allows
  everything, a 5xx or unreachable one disallows everything);
* at most ``max_redirects`` hops; timeouts on connect and read; the body is streamed and
  decompressed here with a hard cap (``max_bytes``), so a gzip bomb stops at the cap.

Environment proxies are ignored (``trust_env=False``): with a proxy the address check
would check the proxy, not the site.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from narrascope import __version__
from narrascope.ingest.options import IngestOptions

LOGGER = logging.getLogger(__name__)

USER_AGENT = f"narrascope/{__version__} (+https://github.com/narrascope/narrascope)"
ROBOTS_TOKEN = "narrascope"
ROBOTS_MAX_BYTES = 512_000
_CHUNK = 65_536

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched body: ``url`` is the final URL after redirects."""

    url: str
    status: int
    content_type: str
    charset: str | None
    data: bytes
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FetchFailed:
    """Why a URL was not fetched. ``code`` is a skip reason (S004 size, S008 I/O, S012 refused)."""

    url: str
    code: str
    detail: str


def is_url(value: object) -> bool:
    """True for a string that names an http(s) URL (what ``analyze`` fetches)."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def address_is_public(ip: IPAddress) -> bool:
    """True when ``ip`` is a globally routable unicast address.

    IPv4-mapped and 6to4/Teredo IPv6 forms are judged by the IPv4 address inside, so
    ``::ffff:127.0.0.1`` counts as loopback.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is not None:
            return address_is_public(inner)
    return bool(
        ip.is_global
        and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                 or ip.is_reserved or ip.is_unspecified)
    )


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (A and AAAA), in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for *_, sockaddr in infos:
        addr = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        if addr not in seen:
            seen.append(addr)
    return seen


class _Refused(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass
class Fetcher:
    """Fetches URLs under the policy above. One per run: it caches robots.txt per origin.

    ``resolver`` and ``address_allowed`` are there for tests (and embedding); the CLI uses
    the defaults.
    """

    opts: IngestOptions = field(default_factory=IngestOptions)
    resolver: Resolver = system_resolver
    address_allowed: Callable[[IPAddress], bool] | None = None
    transport: httpx.BaseTransport | None = None
    _robots: dict[str, RobotFileParser | bool] = field(default_factory=dict)
    _client: httpx.Client | None = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            t = self.opts.fetch_timeout
            self._client = httpx.Client(
                timeout=httpx.Timeout(t, connect=min(t, 10.0)),
                follow_redirects=False,
                trust_env=False,
                transport=self.transport,
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            )
        return self._client

    def fetch(self, url: str) -> Fetched | FetchFailed:
        """GET ``url`` (following checked redirects); never raises for network trouble."""
        current = url
        notes: list[str] = []
        try:
            for hop in range(self.opts.max_redirects + 1):
                self._check_robots(current)
                status, headers, body = self._get(current, self.opts.max_bytes)
                location = headers.get("location")
                if status in (301, 302, 303, 307, 308) and location:
                    nxt = urljoin(current, location)
                    notes.append(f"redirected ({status}) to {nxt[:300]}")
                    current = nxt
                    if hop == self.opts.max_redirects:
                        break
                    continue
                if status >= 400:
                    return FetchFailed(url, "S008", f"HTTP {status} from {current[:300]}")
                ctype = headers.get("content-type", "")
                mime = ctype.split(";", 1)[0].strip().lower()
                charset = _charset_of(ctype)
                return Fetched(current, status, mime, charset, body, tuple(notes))
            return FetchFailed(
                url, "S012", f"more than {self.opts.max_redirects} redirects (last: {current[:300]})"
            )
        except _Refused as exc:
            return FetchFailed(url, exc.code, exc.detail)
        except httpx.TimeoutException as exc:
            return FetchFailed(url, "S008", f"timed out after {self.opts.fetch_timeout}s: {type(exc).__name__}")
        except (httpx.HTTPError, OSError, UnicodeError, ValueError) as exc:
            return FetchFailed(url, "S008", f"could not fetch: {type(exc).__name__}: {exc}"[:500])

    # -- one checked request ---------------------------------------------------------------
    def _target(self, url: str) -> tuple[str, str, dict[str, str], dict[str, str]]:
        """(url to connect to, host, headers, extensions): the host pinned to a checked address."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise _Refused("S012", f"only http and https URLs are fetched, not {scheme!r}")
        host = parts.hostname
        if not host:
            raise _Refused("S012", f"URL has no host: {url[:300]}")
        port = parts.port or (443 if scheme == "https" else 80)
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = list(self.resolver(host, port))
            except (OSError, UnicodeError) as exc:
                raise _Refused("S008", f"could not resolve {host!r}: {exc}") from exc
            if not addresses:
                raise _Refused("S008", f"{host!r} resolves to no address")
        allowed = self.address_allowed or address_is_public
        ips = [ipaddress.ip_address(a) for a in addresses]
        if not self.opts.allow_private:
            bad = [str(ip) for ip in ips if not allowed(ip)]
            if bad:
                raise _Refused(
                    "S012",
                    f"{host!r} resolves to a private, loopback or link-local address ({bad[0]}); "
                    "use --allow-private to fetch intranet URLs",
                )
        ip = ips[0]
        ip_host = f"[{ip}]" if ip.version == 6 else str(ip)
        netloc = f"{ip_host}:{port}"
        pinned = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
        default_port = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
        host_header = host if default_port else f"{host}:{port}"
        if ":" in host and literal is not None and literal.version == 6:
            host_header = f"[{host}]" if default_port else f"[{host}]:{port}"
        ext = {"sni_hostname": host} if scheme == "https" and literal is None else {}
        return pinned, host, {"Host": host_header}, ext

    def _get(self, url: str, cap: int) -> tuple[int, httpx.Headers, bytes]:
        pinned, _host, headers, ext = self._target(url)
        request = self.client.build_request("GET", pinned, headers=headers, extensions=ext)
        response = self.client.send(request, stream=True)
        try:
            if response.status_code in (301, 302, 303, 307, 308):
                return response.status_code, response.headers, b""
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise _Refused("S004", f"{declared} bytes declared, over the {cap}-byte limit")
            body = _read_capped(response, cap)
            return response.status_code, response.headers, body
        finally:
            response.close()

    # -- robots.txt ------------------------------------------------------------------------
    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if rules is False:
            raise _Refused("S012", f"robots.txt of {origin} could not be read (5xx or unreachable)")
        if isinstance(rules, RobotFileParser) and not rules.can_fetch(ROBOTS_TOKEN, url):
            raise _Refused("S012", f"robots.txt of {origin} disallows {url[:300]}")

    def _load_robots(self, origin: str) -> RobotFileParser | bool:
        try:
            status, _headers, body = self._get(origin + "/robots.txt", ROBOTS_MAX_BYTES)
        except _Refused as exc:
            if exc.code == "S004":
                return True  # an oversized robots.txt is ignored, as RFC 9309 allows
            raise
        except httpx.HTTPError as exc:
            LOGGER.info("robots.txt of %s unreachable (%s): not fetching", origin, exc)
            return False
        if status in (301, 302, 303, 307, 308) or 400 <= status < 500:
            return True  # no robots.txt (redirects are not followed here): all allowed
        if status >= 500:
            return False
        parser = RobotFileParser()
        parser.parse(body.decode("utf-8", "replace").splitlines())
        return parser


def _charset_of(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def _read_capped(response: httpx.Response, cap: int) -> bytes:
    """The body, decoded from gzip/deflate here, never more than ``cap`` bytes in memory."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        inflater = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        # wbits 47 = zlib or gzip header, auto-detected; raw deflate is tried on failure.
        inflater = zlib.decompressobj(47)
    else:
        raise _Refused("S012", f"unsupported Content-Encoding {encoding[:40]!r}")
    out = bytearray()
    for raw in response.iter_raw(_CHUNK):
        if inflater is None:
            out += raw
        else:
            data = raw
            while data:
                try:
                    piece = inflater.decompress(data, cap + 1 - len(out))
                except zlib.error as exc:
                    raise _Refused("S008", f"corrupt {encoding} body: {exc}") from exc
                out += piece
                if len(out) > cap:
                    break
                data = inflater.unconsumed_tail
        if len(out) > cap:
            raise _Refused("S004", f"body over the {cap}-byte limit")
    return bytes(out)
