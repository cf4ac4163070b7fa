"""DOMAIN, URL and STOREFRONT_URL: host names and web addresses.

Host names are IDNA 2008 (UTS 46) punycode in lower case; the registrable domain comes
from the Public Suffix List snapshot bundled with tldextract, private suffixes included
(so "shop.myshopify.com" is its own registrable domain). The list is never fetched:
results must not change with the network, and a request path must not wait on it.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import urllib.parse

import idna
import tldextract
from url_normalize import url_normalize

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize._plain import (
    has_punycode,
    may_be_ip_address,
    plain_host_name,
    plain_url,
)
from alliance.indicators.normalize._text import require_text
from alliance.indicators.normalize._values import IndicatorValue, Normalized

# No suffix_list_urls: never fetch the list; cache_dir=None: never read or write a disk
# cache (nothing lands in the home directory). The bundled snapshot is the only source.
_EXTRACTOR = tldextract.TLDExtract(
    cache_dir=None,
    suffix_list_urls=(),
    fallback_to_snapshot=True,
    include_psl_private_domains=True,
)
# Parse the snapshot now, at import, rather than in the first request that needs it.
_EXTRACTOR("example.com")

_WEB_SCHEMES = frozenset({"http", "https"})
# Host names recur (a shop's many URLs, a domain's many addresses): the pure look-ups
# below are cached per name, bounded so that a stream of new names cannot grow memory.
_CACHED_NAMES = 16_384


@dataclasses.dataclass(frozen=True, slots=True)
class Host:
    """A validated host: a lower-case punycode name, or an IP address."""

    name: str
    registrable_domain: str | None
    public_suffix: str | None

    def extra(self) -> dict[str, str]:
        """Facts to keep beside the key: host, registrable domain, suffix, Unicode form."""
        facts = {"host": self.name}
        if self.registrable_domain is not None:
            facts["registrable_domain"] = self.registrable_domain
        if self.public_suffix is not None:
            facts["public_suffix"] = self.public_suffix
        unicode_name = _unicode(self.name) if self.registrable_domain else self.name
        if unicode_name != self.name:
            facts["unicode"] = unicode_name
        return facts


def _ip_host(text: str) -> Host | None:
    inner = text.removeprefix("[").removesuffix("]")
    if not may_be_ip_address(inner):
        return None
    try:
        address = ipaddress.ip_address(inner)
    except ValueError:
        return None
    return Host(name=address.compressed, registrable_domain=None, public_suffix=None)


@functools.lru_cache(maxsize=_CACHED_NAMES)
def _idna_encoded(name: str) -> str:
    return idna.encode(name, uts46=True).decode("ascii").lower()


@functools.lru_cache(maxsize=_CACHED_NAMES)
def _idna_decoded(name: str) -> str:
    return idna.decode(name)


def _unicode(name: str) -> str:
    # idna.decode gives back a name without A-labels as it is (names here are already
    # validated lower-case punycode).
    return _idna_decoded(name) if has_punycode(name) else name


def _punycode(text: str, *, field: str) -> str:
    name = text.rstrip(".")
    plain = plain_host_name(name)
    if plain is not None:
        return plain
    try:
        return _idna_encoded(name)
    except idna.IDNAError as error:
        raise InvalidInput(f"{text!r} is not a valid host name: {error}.", field=field) from error


@functools.lru_cache(maxsize=_CACHED_NAMES)
def _registrable_domain(name: str) -> tuple[str, str] | None:
    # `name` is a host name already (lower-case punycode): handed over as a parsed URL,
    # tldextract skips its lenient URL parsing.
    parsed = urllib.parse.SplitResult("", name, "", "", "")
    parts = _EXTRACTOR.extract_urllib(parsed)
    if parts.top_domain_under_public_suffix:
        return parts.top_domain_under_public_suffix, parts.suffix
    # A private suffix itself ("myshopify.com") is still a domain its operator
    # registered: read it with the ICANN section only.
    icann = _EXTRACTOR.extract_urllib(parsed, include_psl_private_domains=False)
    if icann.top_domain_under_public_suffix:
        return icann.top_domain_under_public_suffix, icann.suffix
    return None


def normalize_host(text: str, *, field: str, allow_ip: bool) -> Host:
    """Return the host `text` validated, or raise InvalidInput.

    A name must have a registrable domain ("co.uk", "localhost" and unknown top-level
    domains are refused). IP addresses are accepted only when `allow_ip`.
    """
    ip_host = _ip_host(text)
    if ip_host is not None:
        if not allow_ip:
            raise InvalidInput(
                f"{text!r} is an IP address, not a domain name: record it as a URL.",
                field=field,
            )
        return ip_host
    name = _punycode(text, field=field)
    registrable = _registrable_domain(name)
    if registrable is None:
        raise InvalidInput(
            f"{text!r} has no registrable domain: it is a public suffix, a local name "
            "or under an unknown top-level domain.",
            field=field,
        )
    return Host(name=name, registrable_domain=registrable[0], public_suffix=registrable[1])


def normalize_domain(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """DOMAIN: lower-case punycode host name; its registrable domain goes in `extra`."""
    text = require_text(value.value, field="value", what="A domain name")
    if any(char in text for char in "/:@?# "):
        raise InvalidInput(
            f"{text!r} is not a bare host name such as 'example.com'; "
            "record a web address as a URL.",
            field="value",
        )
    host = normalize_host(text, field="value", allow_ip=False)
    return Normalized(kind=kind, match_key=host.name, display=host.name, extra=host.extra())


def _url_normalize(text: str) -> str:
    try:
        normalized = url_normalize(text)
    except (ValueError, UnicodeError) as error:
        raise InvalidInput(f"{text!r} is not a valid web address.", field="value") from error
    if not normalized:
        raise InvalidInput("A web address is required.", field="value")
    return normalized


def _split_web_url(text: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(_url_normalize(text))
    if parts.scheme not in _WEB_SCHEMES:
        raise InvalidInput(
            f"{text!r} is not a web address: only http and https are accepted.",
            field="value",
        )
    try:
        hostname, _port = parts.hostname, parts.port
    except ValueError as error:
        raise InvalidInput(f"{text!r} has an invalid port.", field="value") from error
    if not hostname:
        raise InvalidInput(f"{text!r} has no host name.", field="value")
    return parts


def _sorted_query(query: str) -> str:
    # Parameters are compared as written (percent-encoding already normalised by
    # url-normalize); only their order is made canonical. Repeated keys keep all values.
    params = [param.partition("=") for param in query.split("&") if param]
    params.sort(key=lambda param: (param[0], param[2]))
    return "&".join(name + equals + content for name, equals, content in params)


def canonical_url(text: str) -> tuple[str, str]:
    """(canonical form, host name) of the web address `text`, or raise InvalidInput.

    Plain ASCII addresses are read directly (`plain_url`), others by url-normalize.
    """
    plain = plain_url(text)
    if plain is None:
        return _canonical_url_by_library(text)
    without_query, host_name, query = plain
    sorted_query = _sorted_query(query)
    return (f"{without_query}?{sorted_query}" if sorted_query else without_query), host_name


def _canonical_url_by_library(text: str) -> tuple[str, str]:
    parts = _split_web_url(text)
    canonical = urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc, parts.path, _sorted_query(parts.query), "")
    )
    return canonical, parts.hostname or ""


def normalize_url(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """URL, STOREFRONT_URL: url-normalize, then no fragment and a sorted query.

    Only http(s) addresses with a registrable domain or an IP address as host are
    accepted. A value without a scheme is read as https.
    """
    text = require_text(value.value, field="value", what="A web address")
    canonical, host_name = canonical_url(text)
    host = normalize_host(host_name, field="value", allow_ip=True)
    return Normalized(kind=kind, match_key=canonical, display=canonical, extra=host.extra())
