"""The plain-ASCII fast paths of normalisation answer exactly what the libraries answer.

Each fast path (`alliance.indicators.normalize._plain`) is compared with the library path
it short-cuts, over generated values built from the pieces that trip normalisers up:
upper case, trailing and doubled dots, punycode and look-alike Unicode, hyphens in the
third and fourth position, ports, dot segments, escapes, fragments, repeated "=".
Wherever the fast path answers, the answer (value or error) must be the library's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import idna
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.indicators.normalize import IndicatorValue, _contact, _plain, _text, _web, normalize

LABELS = [
    "example", "EXAMPLE", "Shop0001234", "taobao", "com", "co", "uk", "de", "myshopify",
    "xn--bcher-kva", "XN--BCHER-KVA", "bücher", "ab--cd", "a--b", "-ab", "ab-", "a-b", "a",
    "0", "127", "1", "255", "é", "\uff45xample", "ß", "İ", "a_b", "", "x" * 63, "y" * 64,
    "local", "localhost", "test", "invalid", "onion", "arpa", "123abc", "xn--", "ab\u200bc",
]  # fmt: skip
PLAIN_LABELS = ["example", "EXAMPLE", "Shop0001234", "taobao", "com", "co", "uk", "a-b", "9x"]
SEPARATORS = [".", ".", ".", "..", "\u3002", "\uff0e"]

# Half plain, half anything: the fast paths must be taken often enough to be tested.
labels = st.one_of(st.sampled_from(PLAIN_LABELS), st.sampled_from(LABELS))
host_names = st.builds(
    lambda first, rest, tail: first + "".join(sep + label for sep, label in rest) + tail,
    labels,
    st.lists(st.tuples(st.one_of(st.just("."), st.sampled_from(SEPARATORS)), labels), max_size=4),
    st.one_of(st.just(""), st.sampled_from([".", "..", "\u3002"])),
)
schemes = st.sampled_from(
    ["", "", "http://", "https://", "https://", "HTTPS://", "Http://", "ftp://", "//", "https:"]
)
ports = st.sampled_from(["", "", "", ":80", ":443", ":8080", ":0443", ":00080", ":99999", ":"])
segments = st.sampled_from(
    ["", "p", "0001234", ".", "..", "A~b", "%41", "%7e", "é", "a b", "a;b=c", "x:y@z", "[x]",
     "a&b", "(x)*+,!$'"],
)  # fmt: skip
paths = st.one_of(
    st.just(""), st.lists(segments, max_size=4).map(lambda parts: "/" + "/".join(parts))
)
params = st.sampled_from(
    ["", "a=1", "b=2", "B=2", "a=b=c", "x", "=y", "q=%20", "q=a+b", "z=é", "k=/?:@", "a="]
)
queries = st.one_of(
    st.just(""), st.lists(params, max_size=4).map(lambda parts: "?" + "&".join(parts))
)
fragments = st.sampled_from(["", "", "#", "#f", "#!x=1"])
web_addresses = st.builds(
    lambda *parts: "".join(parts), schemes, host_names, ports, paths, queries, fragments
)
local_parts = st.sampled_from(
    ["lux0001234", "lux0001234", "Lux.Shop", "Lux.Shop", "a+b", "a_b-c", ".a", "a.", "a..b", "Postmaster", "a b",
     "ü", "x" * 64, "x" * 65, '"quoted"', "a!b", ""],
)  # fmt: skip
top_levels = st.sampled_from(["com", "co.uk", "DE", "test", "local", "9x", "xn--p1ai", "c0m"])
addresses = st.builds(
    lambda local, host, top: f"{local}@{host}.{top}", local_parts, host_names, top_levels
)


def outcome(call: Callable[[], Any]) -> Any:
    """What a call answers: its result, or the field and message of its InvalidInput."""
    try:
        return ("ok", call())
    except InvalidInput as error:
        return ("invalid", error.field, error.message)


def idna_outcome(name: str) -> Any:
    try:
        return ("ok", idna.encode(name, uts46=True).decode("ascii").lower())
    except idna.IDNAError:
        return ("error",)


@settings(max_examples=800, deadline=None)
@given(host_names)
def test_a_plain_host_name_is_what_idna_makes_of_it(name: str) -> None:
    name = name.rstrip(".")
    plain = _plain.plain_host_name(name)
    if plain is not None:
        assert ("ok", plain) == idna_outcome(name)
        assert _web._unicode(plain) == idna.decode(plain)


@settings(max_examples=800, deadline=None)
@given(host_names)
def test_a_name_that_may_not_be_an_ip_address_is_none(text: str) -> None:
    if not _plain.may_be_ip_address(text):
        try:
            ipaddress.ip_address(text)
        except ValueError:
            return
        raise AssertionError(f"{text!r} is an IP address")


@settings(max_examples=1500, deadline=None)
@given(web_addresses)
def test_a_plain_web_address_is_what_url_normalize_makes_of_it(text: str) -> None:
    text = text.strip()
    if _plain.plain_url(text) is not None:
        assert outcome(lambda: _web.canonical_url(text)) == outcome(
            lambda: _web._canonical_url_by_library(text)
        )


@settings(max_examples=800, deadline=None)
@given(addresses)
def test_a_plain_email_address_is_what_email_validator_makes_of_it(text: str) -> None:
    plain = _plain.plain_email(text)
    if plain is not None:
        assert ("ok", plain) == outcome(
            lambda: _contact._email_parts_by_library(text, text=text, field="value")
        )


@settings(max_examples=800, deadline=None)
@given(st.text(st.sampled_from("aZ09_-.@ \t\u00a0\u200b\uff41\x00é"), min_size=1, max_size=12))
def test_a_plain_identifier_is_what_unicode_folding_makes_of_it(text: str) -> None:
    stripped = text.strip()
    if stripped and _plain.plain_identifier(stripped):
        assert stripped == _text._cleaned_unicode(stripped, what="An id", field="value")


def test_the_fast_paths_take_the_common_values() -> None:
    # given values as crawlers and members send them (the bench's templates)
    # then each is read without the libraries, so the equivalence above is not vacuous
    assert _plain.plain_host_name("lux0001234.com") == "lux0001234.com"
    assert _plain.plain_host_name("Shop.Example.CO.UK") == "shop.example.co.uk"
    assert _plain.plain_url("https://shop0001234.taobao.com/") is not None
    assert _plain.plain_url("https://lux-0001.com/p/0001234?b=2&a=1") is not None
    assert _plain.plain_url("example.com/item") is not None
    assert _plain.plain_email("Lux0001234@lux-0001.com") == ("lux0001234", "lux-0001.com")
    assert _plain.plain_identifier("luxseller0001234")


def test_normalised_values_are_the_same_by_either_path() -> None:
    # given plain values and their Unicode, escaped or upper-case spellings
    pairs = [
        (IndicatorKind.DOMAIN, "bücher.de", "XN--BCHER-KVA.DE."),
        (IndicatorKind.URL, "HTTPS://Lux-0001.com:443/p/%30?b=2&a=1#x", "lux-0001.com/p/0?a=1&b=2"),
        (IndicatorKind.EMAIL, "Lux@Bücher.de", "lux@xn--bcher-kva.de"),
    ]

    # when both are normalised
    for kind, library_path, fast_path in pairs:
        slow = normalize(kind, IndicatorValue(value=library_path))
        fast = normalize(kind, IndicatorValue(value=fast_path))

        # then they name the same thing, the same way
        assert (slow.match_key, slow.display, slow.extra) == (
            fast.match_key,
            fast.display,
            fast.extra,
        )
    seller = IndicatorValue(value="\uff2cux\u200bSeller", platform=Platform.EBAY)
    assert normalize(IndicatorKind.SELLER_ACCOUNT, seller).match_key == "ebay:luxseller"
