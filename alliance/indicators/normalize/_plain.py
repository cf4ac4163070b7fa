"""Fast paths for plain ASCII values: what the libraries would answer, without asking them.

Each function here recognises a value whose normal form is known without idna,
url-normalize or email-validator (letters, digits and a few safe characters), and returns
None for anything else, which then goes through the libraries as before. A fast path may
only ever answer what the slow path answers for the same input: a test compares the two
over generated values (tests/alliance/indicators/test_normalize_fast_paths.py). When in
doubt, a recogniser declines.

Measured on 1,000 mixed values: idna's per-code-point checks, url-normalize's
percent-encoding passes and email-validator's per-character checks were most of the time
of `match` (issue 8).
"""

from __future__ import annotations

import re
import urllib.parse

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from url_normalize.normalize_port import DEFAULT_PORT

# One DNS label of letters, digits and inner hyphens, at most 63 long: idna's UTS 46
# mapping only lower-cases such a label, and its checks all pass (RFC 5891 hyphen rules
# aside, tested below: no "--" in third and fourth position, which also keeps "xn--"
# labels on the slow path).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
# Characters url-normalize leaves as they are in a path (unreserved and its "safe" set),
# and in a query parameter's name and value; "%" (escapes), "#", "[" and "]" are not here.
_PATH = r"/[A-Za-z0-9._~!$&'()*+,;=:@/-]*"
_QUERY = r"[A-Za-z0-9._~!$'()*+,;=:@/?&-]*"
_URL = re.compile(
    rf"(?:(?P<scheme>https?)://(?P<host>[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{{1,5}}))?"
    rf"|(?P<bare_host>[A-Za-z0-9.-]+))(?P<path>{_PATH})?(?:\?(?P<query>{_QUERY}))?"
)
_LOCAL_PART = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*")
_MAX_NAME = 253  # RFC 1035 and idna's limit, without a trailing dot
_MAX_LOCAL_PART = 64
_MAX_EMAIL = 254
_SPECIAL_USE_SUFFIXES = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)


def plain_host_name(name: str) -> str | None:
    """`name` in lower case if idna would give exactly that for it, else None.

    `name` is a host name without its trailing dots; an IP address is the caller's to
    recognise first (digits and dots alone are a valid name to idna).
    """
    if len(name) > _MAX_NAME or not name.isascii() or _NAME.fullmatch(name) is None:
        return None
    lowered = name.lower()
    if "--" in lowered and any(label[2:4] == "--" for label in lowered.split(".")):
        return None
    return lowered


def has_punycode(name: str) -> bool:
    """Whether a lower-case ASCII host name has an A-label, so differs in Unicode."""
    return name.startswith("xn--") or ".xn--" in name


def may_be_ip_address(text: str) -> bool:
    """False when `text` cannot be an address `ipaddress.ip_address` accepts.

    IPv4 is ASCII digits and dots only and IPv6 always has a colon; brackets are the
    caller's to strip.
    """
    return ":" in text or not text.strip("0123456789.")


def plain_url(text: str) -> tuple[str, str, str] | None:
    """(canonical URL before the query is sorted, host, query) for a plain http(s) URL.

    The canonical form is what url-normalize and `urlunsplit` give for it: scheme
    "https" when none is written, host in lower case, a default port dropped, an empty
    path as "/". None for anything url-normalize could change otherwise (escapes,
    Unicode, "//" or dot segments in the path, a fragment, repeated "=" in a parameter,
    a port beside a host without scheme, ...), or whose host is not a plain name.
    """
    if not text.isascii():
        return None
    found = _URL.fullmatch(text)
    if found is None:
        return None
    scheme, host, port = found["scheme"] or "https", found["host"] or found["bare_host"], ""
    path, query = found["path"] or "/", found["query"] or ""
    if "//" in path or "/." in path or any(p.count("=") > 1 for p in query.split("&")):
        return None
    name = plain_host_name(host)
    if name is None or may_be_ip_address(name):
        return None
    if found["port"] is not None:
        number = int(found["port"])
        if number > 65535:
            return None
        port = "" if DEFAULT_PORT[scheme] == str(number) else f":{number}"
    canonical = urllib.parse.urlunsplit((scheme, name + port, path, "", ""))
    return canonical, name, query


def plain_email(text: str) -> tuple[str, str] | None:
    """(local part in lower case, domain in lower case) of a plain address, else None.

    Plain: ASCII dot-atom local part of letters, digits, "_", "+" and "-", a plain
    host name with a dot, a top-level label of letters, no special-use domain, within
    the length limits; email-validator accepts each such address unchanged.
    """
    local, at, domain = text.partition("@")
    if not at or len(text) > _MAX_EMAIL or len(local) > _MAX_LOCAL_PART:
        return None
    if not text.isascii() or _LOCAL_PART.fullmatch(local) is None:
        return None
    name = plain_host_name(domain)
    if name is None or "." not in name or not name.rpartition(".")[2].isalpha():
        return None
    if name in SPECIAL_USE_DOMAIN_NAMES or name.endswith(_SPECIAL_USE_SUFFIXES):
        return None
    return local.lower(), name


def plain_identifier(text: str) -> bool:
    """Whether `clean_identifier` would leave stripped `text` as it is.

    Printable ASCII is its own NFKC form, has no format or control characters, and
    without two spaces in a row has no run of white space to fold.
    """
    return text.isascii() and text.isprintable() and "  " not in text
