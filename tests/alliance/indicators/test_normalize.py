"""Indicator value normalisation (DESIGN §2): accepted values, their keys, rejections."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

import alliance.indicators.normalize as normalize_package
from alliance.errors import InvalidInput
from alliance.indicators.kinds import (
    CaseRule,
    IndicatorKind,
    Platform,
    account_id_case,
    listing_id_case,
)
from alliance.indicators.normalize import (
    IndicatorValue,
    Normalized,
    hamming_distance,
    normalize,
    s10_check_digit,
)

K = IndicatorKind
P = Platform
V = IndicatorValue
PDQ_A = "0123456789abcdef" * 4


def full_width(text: str) -> str:
    """`text` (printable ASCII) typed with a full-width (CJK) keyboard layout."""
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


ACCEPTED: list[tuple[IndicatorKind, IndicatorValue, str]] = [
    (K.SELLER_ACCOUNT, V(value="  seller123 ", platform=P.TAOBAO), "taobao:seller123"),
    (K.SELLER_ACCOUNT, V(value="SellerABC", platform=P.TAOBAO), "taobao:SellerABC"),
    (K.SELLER_ACCOUNT, V(value="Cool_Seller", platform=P.EBAY), "ebay:cool_seller"),
    (K.SELLER_ACCOUNT, V(value="a2x9k1example", platform=P.AMAZON), "amazon:A2X9K1EXAMPLE"),
    (
        K.SELLER_ACCOUNT,
        V(value=full_width("seller12"), platform=P.ALIEXPRESS),
        "aliexpress:seller12",
    ),
    (K.SELLER_ACCOUNT, V(value="sel\u200bler", platform=P.TMALL), "tmall:seller"),
    (
        K.SELLER_ACCOUNT,
        V(value="shop9", platform=P.OTHER, platform_domain="WWW.Vinted.FR"),
        "other:vinted.fr:shop9",
    ),
    (K.URL, V(value="https://Example.com/a?b=2&a=1#x"), "https://example.com/a?a=1&b=2"),
    (K.URL, V(value="example.com"), "https://example.com/"),
    (K.URL, V(value="HTTP://Example.com:80/./a/../b/"), "http://example.com/b/"),
    (K.URL, V(value="https://bücher.de/ä"), "https://xn--bcher-kva.de/%C3%A4"),
    (K.URL, V(value="http://203.0.113.7:8080/x"), "http://203.0.113.7:8080/x"),
    (K.URL, V(value="http://[2001:DB8::1]/x"), "http://[2001:db8::1]/x"),
    (K.URL, V(value="https://a.example.com/p?z=1&a=2&a=1"), "https://a.example.com/p?a=1&a=2&z=1"),
    (
        K.STOREFRONT_URL,
        V(value="https://Fake-Brand.myshopify.com/collections/all", platform=P.SHOPIFY),
        "https://fake-brand.myshopify.com/collections/all",
    ),
    (K.DOMAIN, V(value="WWW.Example.CO.UK."), "www.example.co.uk"),
    (K.DOMAIN, V(value="Bücher.de"), "xn--bcher-kva.de"),
    (K.DOMAIN, V(value="xn--bcher-kva.de"), "xn--bcher-kva.de"),
    (K.DOMAIN, V(value="shop.myshopify.com"), "shop.myshopify.com"),
    (K.DOMAIN, V(value="myshopify.com"), "myshopify.com"),
    (K.EMAIL, V(value=" Seller.Contact@Example.COM "), "seller.contact@example.com"),
    (K.EMAIL, V(value="info@Bücher.de"), "info@xn--bcher-kva.de"),
    (K.PHONE, V(value="+44 20 7946 0958"), "+442079460958"),
    (K.PHONE, V(value="020 7946 0958", country="gb"), "+442079460958"),
    (K.PHONE, V(value="138 1234 5678", country="CN"), "+8613812345678"),
    (K.PHONE, V(value="tel:+1-650-253-0000"), "+16502530000"),
    (K.PHONE, V(value="+1 650 253 0000 ext. 12"), "+16502530000"),
    (
        K.SOCIAL_HANDLE,
        V(value="@Fake.Brand_Outlet", platform=P.INSTAGRAM),
        "instagram:fake.brand_outlet",
    ),
    (K.SOCIAL_HANDLE, V(value=" outlet ", platform=P.X), "x:outlet"),
    (K.SOCIAL_HANDLE, V(value="@ShopName", platform=P.XIAOHONGSHU), "xiaohongshu:ShopName"),
    (K.MESSAGING_ID, V(value="+44 7400 123456", platform=P.WHATSAPP), "whatsapp:+447400123456"),
    (K.MESSAGING_ID, V(value="@Fake_Outlet", platform=P.TELEGRAM), "telegram:fake_outlet"),
    (K.MESSAGING_ID, V(value="wxid_AbC123", platform=P.WECHAT), "wechat:wxid_AbC123"),
    (
        K.PAYMENT_ACCOUNT,
        V(value="Pay.Me@Example.com", provider=P.PAYPAL),
        "paypal:pay.me@example.com",
    ),
    (K.PAYMENT_ACCOUNT, V(value="abcd1234efgh5", provider=P.PAYPAL), "paypal:ABCD1234EFGH5"),
    (K.PAYMENT_ACCOUNT, V(value="+86 138 1234 5678", provider=P.ALIPAY), "alipay:+8613812345678"),
    (K.PAYMENT_ACCOUNT, V(value="acct_1AbCdE", provider=P.STRIPE), "stripe:acct_1AbCdE"),
    (
        K.PAYMENT_ACCOUNT,
        V(value="W-123", provider=P.OTHER, platform_domain="pay.example.net"),
        "other:example.net:W-123",
    ),
    (K.BANK_ACCOUNT, V(value="de89 3704 0044 0532 0130 00"), "DE89370400440532013000"),
    (K.BANK_ACCOUNT, V(value="GB29 NWBK 6016 1331 9268 19"), "GB29NWBK60161331926819"),
    (K.BANK_ACCOUNT, V(value="deutdeff"), "DEUTDEFF"),
    (K.BANK_ACCOUNT, V(value="DEUTDEFF500"), "DEUTDEFF500"),
    (K.COMPANY_ID, V(value="91110000600037341L", country="cn"), "CN:91110000600037341L"),
    (K.COMPANY_ID, V(value="DE 136 695 976", country="DE"), "DE:136695976"),
    (K.COMPANY_ID, V(value="732 829 320", country="FR"), "FR:732829320"),
    (K.COMPANY_ID, V(value="04-2103594", country="US"), "US:042103594"),
    (K.COMPANY_ID, V(value="12345678", country="GB"), "GB:12345678"),
    (K.COMPANY_ID, V(value="hrb 12.345", country="DE"), "DE:HRB12345"),
    (K.COMPANY_ID, V(value="CR-1234/56", country="HK"), "HK:CR123456"),
    (K.LISTING, V(value="b00example", platform=P.AMAZON), "amazon:B00EXAMPLE"),
    (K.LISTING, V(value=" 1234567890 ", platform=P.EBAY), "ebay:1234567890"),
    (K.LISTING, V(value="CxYz123AbC", platform=P.INSTAGRAM), "instagram:CxYz123AbC"),
    (K.TRACKING_NUMBER, V(value="rr 473 124 829 gb"), "RR473124829GB"),
    (K.TRACKING_NUMBER, V(value="EE123456785GB"), "EE123456785GB"),
    (K.TRACKING_NUMBER, V(value="1Z999AA10123456784"), "1Z999AA10123456784"),
    (K.TRACKING_NUMBER, V(value="sf1234-5678-90"), "SF1234567890"),
    (
        K.ADDRESS,
        V(
            value="No. 12,  Long Road",
            locality="Shenzhen",
            region="Guangdong",
            postal_code="518 000",
            country="cn",
        ),
        "CN|518000|guangdong|shenzhen|no 12 long road",
    ),
    (
        K.ADDRESS,
        V(value="10 Downing Street", locality="London", postal_code="sw1a 2aa", country="UK"),
        "GB|SW1A2AA||london|10 downing street",
    ),
    (K.IMAGE_PDQ, V(value="F" * 64, quality=80), "f" * 64),
    (K.IMAGE_PDQ, V(value=f" {PDQ_A.upper()} ", quality=50), PDQ_A),
]


@pytest.mark.parametrize(("kind", "value", "key"), ACCEPTED)
def test_accepted_values_get_their_canonical_key(
    kind: IndicatorKind, value: IndicatorValue, key: str
) -> None:
    normalized = normalize(kind, value)

    assert normalized.kind is kind
    assert normalized.match_key == key


def test_every_kind_has_accepted_examples() -> None:
    assert {kind for kind, _, _ in ACCEPTED} == set(IndicatorKind)


SAME_THING: list[tuple[IndicatorKind, IndicatorValue, IndicatorValue]] = [
    (K.URL, V(value="https://Example.com/a?b=2&a=1#x"), V(value="https://example.com/a?a=1&b=2")),
    (K.URL, V(value="example.com"), V(value="https://EXAMPLE.com:443")),
    (K.URL, V(value="https://bücher.de/"), V(value="https://xn--bcher-kva.de/#top")),
    (
        K.STOREFRONT_URL,
        V(value="shop.example.com/s?id=1"),
        V(value="https://shop.example.com/s?id=1"),
    ),
    (K.DOMAIN, V(value="Bücher.de"), V(value="xn--bcher-kva.de")),
    (K.DOMAIN, V(value="BÜCHER.DE."), V(value="bücher.de")),
    (K.EMAIL, V(value="Info@Bücher.de"), V(value="info@xn--bcher-kva.de")),
    (K.PHONE, V(value="+44 20 7946 0958"), V(value="020 7946 0958", country="GB")),
    (K.PHONE, V(value="0044 20 7946 0958", country="FR"), V(value="+44 (0)20-7946-0958")),
    (K.SELLER_ACCOUNT, V(value="SELLER", platform=P.EBAY), V(value="seller", platform=P.EBAY)),
    (
        K.SELLER_ACCOUNT,
        V(value="x1", platform=P.OTHER, platform_domain="www.vinted.fr"),
        V(value="x1", platform=P.OTHER, platform_domain="Vinted.FR"),
    ),
    (
        K.SOCIAL_HANDLE,
        V(value="@FakeOutlet", platform=P.TIKTOK),
        V(value="fakeoutlet", platform=P.TIKTOK),
    ),
    (
        K.MESSAGING_ID,
        V(value="+44 7400 123456", platform=P.WHATSAPP),
        V(value="07400 123456", platform=P.WHATSAPP, country="GB"),
    ),
    (
        K.PAYMENT_ACCOUNT,
        V(value="Pay@Example.com", provider=P.WISE),
        V(value="pay@example.COM", provider=P.WISE),
    ),
    (K.BANK_ACCOUNT, V(value="DEUTDEFF"), V(value="deutdeffxxx")),
    (K.BANK_ACCOUNT, V(value="DE89370400440532013000"), V(value="de89 3704 0044 0532 0130 00")),
    (K.COMPANY_ID, V(value="DE136695976", country="DE"), V(value="136 695 976", country="de")),
    (K.LISTING, V(value="B00EXAMPLE", platform=P.AMAZON), V(value="b00example", platform=P.AMAZON)),
    (K.TRACKING_NUMBER, V(value="RR473124829GB"), V(value="rr-473-124-829-gb")),
    (
        K.ADDRESS,
        V(value="No. 12, Long Road", locality="Shenzhen", postal_code="518000", country="CN"),
        V(
            value="NO 12 LONG ROAD",
            locality=full_width("SHENZHEN"),
            postal_code="518-000",
            country="cn",
        ),
    ),
    (K.IMAGE_PDQ, V(value=PDQ_A, quality=60), V(value=PDQ_A.upper(), quality=99)),
]


@pytest.mark.parametrize(("kind", "first", "second"), SAME_THING)
def test_two_spellings_of_one_thing_share_a_key(
    kind: IndicatorKind, first: IndicatorValue, second: IndicatorValue
) -> None:
    assert normalize(kind, first).match_key == normalize(kind, second).match_key


DIFFERENT_THINGS: list[tuple[IndicatorKind, IndicatorValue, IndicatorValue]] = [
    # Taobao's case rule is not known: keep case rather than merge two sellers.
    (K.SELLER_ACCOUNT, V(value="Seller", platform=P.TAOBAO), V(value="seller", platform=P.TAOBAO)),
    (K.SELLER_ACCOUNT, V(value="s1", platform=P.TAOBAO), V(value="s1", platform=P.TMALL)),
    (
        K.SELLER_ACCOUNT,
        V(value="s1", platform=P.OTHER, platform_domain="vinted.fr"),
        V(value="s1", platform=P.OTHER, platform_domain="depop.com"),
    ),
    (K.URL, V(value="http://example.com/a"), V(value="https://example.com/a")),
    (K.URL, V(value="https://example.com/A"), V(value="https://example.com/a")),
    (K.URL, V(value="https://example.com/a?x=1"), V(value="https://example.com/a?x=2")),
    (K.DOMAIN, V(value="www.example.com"), V(value="example.com")),
    (K.LISTING, V(value="CxYz", platform=P.INSTAGRAM), V(value="cxyz", platform=P.INSTAGRAM)),
    (
        K.PAYMENT_ACCOUNT,
        V(value="acct_1AbC", provider=P.STRIPE),
        V(value="acct_1abc", provider=P.STRIPE),
    ),
    (K.COMPANY_ID, V(value="732829320", country="FR"), V(value="732829320", country="HK")),
]


@pytest.mark.parametrize(("kind", "first", "second"), DIFFERENT_THINGS)
def test_different_things_keep_different_keys(
    kind: IndicatorKind, first: IndicatorValue, second: IndicatorValue
) -> None:
    assert normalize(kind, first).match_key != normalize(kind, second).match_key


REJECTED: list[tuple[IndicatorKind, IndicatorValue, str, str]] = [
    (K.SELLER_ACCOUNT, V(value="seller"), "platform", "needs a platform"),
    (K.SELLER_ACCOUNT, V(value="seller", platform=P.OTHER), "platform_domain", "web domain"),
    (
        K.SELLER_ACCOUNT,
        V(value="s", platform=P.OTHER, platform_domain="co.uk"),
        "platform_domain",
        "registrable",
    ),
    (K.SELLER_ACCOUNT, V(value="   ", platform=P.EBAY), "value", "required"),
    (K.SELLER_ACCOUNT, V(value="\u200b", platform=P.EBAY), "value", "required"),
    (
        K.SELLER_ACCOUNT,
        V(value="https://shop.example.com/x", platform=P.EBAY),
        "value",
        "web address",
    ),
    (K.SELLER_ACCOUNT, V(value="a\x00b", platform=P.EBAY), "value", "control"),
    (K.SELLER_ACCOUNT, V(value="a" * 300, platform=P.EBAY), "value", "longer than"),
    (K.URL, V(value=""), "value", "required"),
    (K.URL, V(value="https://example.com/" + "a" * 3000), "value", "longer than"),
    (K.URL, V(value="mailto:someone@example.com"), "value", "http and https"),
    (K.URL, V(value="javascript:alert(1)"), "value", "http and https"),
    (K.URL, V(value="ftp://example.com/file"), "value", "http and https"),
    (K.URL, V(value="http://localhost/"), "value", "registrable domain"),
    (K.URL, V(value="https://example.notatld/"), "value", "registrable domain"),
    (K.URL, V(value="https://exa_mple.com/"), "value", "not a valid host name"),
    (K.URL, V(value="http://[::1/"), "value", "not a valid web address"),
    (K.URL, V(value="http://example.com:99999/"), "value", "port"),
    (K.STOREFRONT_URL, V(value="http://"), "value", "no host"),
    (K.DOMAIN, V(value="co.uk"), "value", "registrable domain"),
    (K.DOMAIN, V(value="localhost"), "value", "registrable domain"),
    (K.DOMAIN, V(value="203.0.113.7"), "value", "IP address"),
    (K.DOMAIN, V(value="https://example.com/"), "value", "bare host name"),
    (K.DOMAIN, V(value="2001:db8::1"), "value", "bare host name"),
    (K.DOMAIN, V(value="-bad.example.com"), "value", "not a valid host name"),
    (K.EMAIL, V(value="not-an-email"), "value", "not a valid e-mail address"),
    (K.EMAIL, V(value="a@localhost"), "value", "not a valid e-mail address"),
    (K.EMAIL, V(value="a..b@example.com"), "value", "two periods"),
    (K.EMAIL, V(value="a@[192.0.2.1]"), "value", "not a valid e-mail address"),
    (K.PHONE, V(value="020 7946 0958"), "country", "needs a country"),
    (K.PHONE, V(value="+44 20 7946 0958", country="ZZ"), "country", "ISO 3166-1"),
    (K.PHONE, V(value="+44 20 7946"), "value", "not a valid phone number"),
    (K.PHONE, V(value="12345", country="GB"), "value", "not a valid phone number"),
    (K.PHONE, V(value="+hello"), "value", "not a phone number"),
    (K.SOCIAL_HANDLE, V(value="@outlet"), "platform", "needs a platform"),
    (K.SOCIAL_HANDLE, V(value="@", platform=P.INSTAGRAM), "value", "empty"),
    (K.SOCIAL_HANDLE, V(value="two words", platform=P.INSTAGRAM), "value", "without spaces"),
    (K.SOCIAL_HANDLE, V(value="instagram.com/outlet", platform=P.INSTAGRAM), "value", "'/'"),
    (K.MESSAGING_ID, V(value="outlet"), "platform", "needs a platform"),
    (K.MESSAGING_ID, V(value="07400 123456", platform=P.WHATSAPP), "country", "needs a country"),
    (K.MESSAGING_ID, V(value="12345", platform=P.WHATSAPP, country="GB"), "value", "phone"),
    (K.PAYMENT_ACCOUNT, V(value="pay@example.com"), "provider", "needs a provider"),
    (
        K.PAYMENT_ACCOUNT,
        V(value="pay@example.com", provider=P.EBAY),
        "provider",
        "not a payment provider",
    ),
    (K.PAYMENT_ACCOUNT, V(value="pay@@example.com", provider=P.PAYPAL), "value", "e-mail"),
    (K.PAYMENT_ACCOUNT, V(value="+44 12", provider=P.WISE), "value", "phone number"),
    (K.PAYMENT_ACCOUNT, V(value="W-1", provider=P.OTHER), "platform_domain", "web domain"),
    (K.BANK_ACCOUNT, V(value="DE89 3704 0044 0532 0130 01"), "value", "not a valid IBAN"),
    (K.BANK_ACCOUNT, V(value="hello"), "value", "neither an IBAN nor a BIC"),
    (K.BANK_ACCOUNT, V(value=""), "value", "required"),
    (K.COMPANY_ID, V(value="91110000600037341L"), "country", "required"),
    (K.COMPANY_ID, V(value="91110000600037341L", country="ZZ"), "country", "ISO 3166-1"),
    (K.COMPANY_ID, V(value="91110000600037341X", country="CN"), "value", "fails its check"),
    (K.COMPANY_ID, V(value="DE136695977", country="DE"), "value", "fails its check"),
    (K.COMPANY_ID, V(value="-/-", country="GB"), "value", "not a company id"),
    (K.LISTING, V(value="123"), "platform", "needs a platform"),
    (K.LISTING, V(value="B00 EXAMPLE", platform=P.AMAZON), "value", "no spaces"),
    (K.LISTING, V(value="www.ebay.com/itm/1", platform=P.EBAY), "value", "web address"),
    (K.TRACKING_NUMBER, V(value="RR473124828GB"), "value", "check digit"),
    (K.TRACKING_NUMBER, V(value="12345"), "value", "6 to 40"),
    (K.TRACKING_NUMBER, V(value="ABC#123456"), "value", "letters and digits"),
    (K.ADDRESS, V(value="10 Downing Street"), "country", "required"),
    (K.ADDRESS, V(value="10 Downing Street", country="XX"), "country", "ISO 3166-1"),
    (K.ADDRESS, V(value="  ", country="GB"), "value", "required"),
    (K.ADDRESS, V(value="--", country="GB"), "value", "no letters or digits"),
    (K.ADDRESS, V(value="1 Road", locality="Lon\x07don", country="GB"), "locality", "control"),
    (K.IMAGE_PDQ, V(value="abc", quality=80), "value", "64 hexadecimal"),
    (K.IMAGE_PDQ, V(value="f" * 63, quality=80), "value", "64 hexadecimal"),
    (K.IMAGE_PDQ, V(value="g" * 64, quality=80), "value", "64 hexadecimal"),
    (K.IMAGE_PDQ, V(value=PDQ_A), "quality", "needs its quality"),
    (K.IMAGE_PDQ, V(value=PDQ_A, quality=49), "quality", "below 50"),
    (K.IMAGE_PDQ, V(value=PDQ_A, quality=101), "quality", "0 to 100"),
    (K.IMAGE_PDQ, V(value=PDQ_A, quality=-1), "quality", "0 to 100"),
]


@pytest.mark.parametrize(("kind", "value", "field", "reason"), REJECTED)
def test_rejected_values_name_the_field_and_the_reason(
    kind: IndicatorKind, value: IndicatorValue, field: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize(kind, value)

    assert raised.value.field == field
    assert reason in raised.value.message


EXTRAS: list[tuple[IndicatorKind, IndicatorValue, str, dict[str, str]]] = [
    (
        K.DOMAIN,
        V(value="Shop.Bücher.co.uk"),
        "shop.xn--bcher-kva.co.uk",
        {
            "host": "shop.xn--bcher-kva.co.uk",
            "registrable_domain": "xn--bcher-kva.co.uk",
            "public_suffix": "co.uk",
            "unicode": "shop.bücher.co.uk",
        },
    ),
    (
        K.URL,
        V(value="https://www.example.co.uk/p"),
        "https://www.example.co.uk/p",
        {
            "host": "www.example.co.uk",
            "registrable_domain": "example.co.uk",
            "public_suffix": "co.uk",
        },
    ),
    (K.URL, V(value="http://203.0.113.7/"), "http://203.0.113.7/", {"host": "203.0.113.7"}),
    (
        K.EMAIL,
        V(value="a@mail.example.co.uk"),
        "a@mail.example.co.uk",
        {"domain": "mail.example.co.uk", "registrable_domain": "example.co.uk"},
    ),
    (
        K.PHONE,
        V(value="+1 650 253 0000 ext. 12"),
        "+1 650-253-0000 ext. 12",
        {"region": "US", "extension": "12"},
    ),
    (
        K.MESSAGING_ID,
        V(value="+44 7400 123456", platform=P.WHATSAPP),
        "+44 7400 123456",
        {"phone": "+447400123456", "region": "GB"},
    ),
    (K.SOCIAL_HANDLE, V(value="Outlet", platform=P.INSTAGRAM), "@outlet", {}),
    (
        K.PAYMENT_ACCOUNT,
        V(value="+86 138 1234 5678", provider=P.ALIPAY),
        "+86 138 1234 5678",
        {"form": "phone"},
    ),
    (
        K.BANK_ACCOUNT,
        V(value="DE89370400440532013000"),
        "DE89 3704 0044 0532 0130 00",
        {"scheme": "iban", "country": "DE"},
    ),
    (K.BANK_ACCOUNT, V(value="DEUTDEFFXXX"), "DEUTDEFF", {"scheme": "bic", "country": "DE"}),
    (K.COMPANY_ID, V(value="732829320", country="FR"), "732 829 320", {"scheme": "siren"}),
    (K.COMPANY_ID, V(value="12345678", country="GB"), "12345678", {"scheme": "other"}),
    (
        K.TRACKING_NUMBER,
        V(value="RR473124829GB"),
        "RR473124829GB",
        {"format": "upu_s10", "country": "GB"},
    ),
    (K.TRACKING_NUMBER, V(value="1Z999AA10123456784"), "1Z999AA10123456784", {"format": "other"}),
    (
        K.ADDRESS,
        V(value="10 Downing Street", locality="London", postal_code="SW1A 2AA", country="gb"),
        "10 Downing Street, SW1A 2AA, London, GB",
        {"country": "GB"},
    ),
    (K.IMAGE_PDQ, V(value=PDQ_A, quality=77), PDQ_A, {"quality": "77"}),
]


@pytest.mark.parametrize(("kind", "value", "display", "extra"), EXTRAS)
def test_display_and_extra_carry_the_derived_facts(
    kind: IndicatorKind, value: IndicatorValue, display: str, extra: dict[str, str]
) -> None:
    normalized = normalize(kind, value)

    assert normalized.display == display
    assert normalized.extra == extra


def test_ip_addresses_are_web_hosts_but_not_domains() -> None:
    # Given the same IP address as a URL host and as a DOMAIN value
    as_url = normalize(K.URL, V(value="http://203.0.113.7/shop"))

    # Then the URL is kept, and the DOMAIN is refused with a hint to use a URL
    assert as_url.match_key == "http://203.0.113.7/shop"
    with pytest.raises(InvalidInput, match="record it as a URL"):
        normalize(K.DOMAIN, V(value="203.0.113.7"))


@pytest.mark.parametrize(
    ("platform", "rule"),
    [
        (P.EBAY, CaseRule.LOWER),
        (P.INSTAGRAM, CaseRule.LOWER),
        (P.AMAZON, CaseRule.UPPER),
        (P.TAOBAO, CaseRule.PRESERVE),
        (P.WECHAT, CaseRule.PRESERVE),
        (P.OTHER, CaseRule.PRESERVE),
    ],
)
def test_account_case_rule_per_platform(platform: Platform, rule: CaseRule) -> None:
    assert account_id_case(platform) is rule


def test_listing_ids_keep_case_except_amazon_asins() -> None:
    assert listing_id_case(P.AMAZON) is CaseRule.UPPER
    assert listing_id_case(P.INSTAGRAM) is CaseRule.PRESERVE


def test_platform_values_can_prefix_keys() -> None:
    # A key reads back as "<platform>:<id>" only if no platform value holds ":".
    assert all(":" not in platform.value for platform in Platform)
    assert len({platform.value for platform in Platform}) == len(Platform)


@pytest.mark.parametrize(
    ("a_hex", "b_hex", "distance"),
    [
        (PDQ_A, PDQ_A, 0),
        (PDQ_A, PDQ_A.upper(), 0),
        ("0" * 64, "f" * 64, 256),
        ("0" * 64, "0" * 63 + "1", 1),
        ("0" * 64, "0" * 63 + "3", 2),
        ("8" + "0" * 63, "0" * 64, 1),
    ],
)
def test_hamming_distance_counts_differing_bits(a_hex: str, b_hex: str, distance: int) -> None:
    assert hamming_distance(a_hex, b_hex) == distance
    assert hamming_distance(b_hex, a_hex) == distance


@pytest.mark.parametrize("bad", ["", "f" * 63, "f" * 65, "x" * 64])
def test_hamming_distance_refuses_malformed_hashes(bad: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        hamming_distance(PDQ_A, bad)

    assert raised.value.field == "value"


@pytest.mark.parametrize(
    ("serial", "check"),
    [
        ("47312482", "9"),  # UPU S10's worked example: RR 47312482 9 GB
        ("12345678", "5"),
        ("00000000", "5"),  # 11 - 0 = 11 is written 5
        ("00000008", "0"),  # 11 - 1 = 10 is written 0
    ],
)
def test_s10_check_digit(serial: str, check: str) -> None:
    assert s10_check_digit(serial) == check


def test_public_surface() -> None:
    assert sorted(normalize_package.__all__) == sorted(
        [
            "IndicatorValue",
            "Normalized",
            "PDQ_MIN_QUALITY",
            "PDQ_NEAR_DUPLICATE_DISTANCE",
            "hamming_distance",
            "normalize",
            "s10_check_digit",
        ]
    )


def test_public_suffix_list_is_never_fetched_nor_cached_on_disk(tmp_path: Path) -> None:
    # Given a fresh interpreter where any socket connection fails and HOME is empty
    script = textwrap.dedent(
        """
        import json, socket

        def refuse(*args, **kwargs):
            raise AssertionError("network access")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from alliance.indicators.kinds import IndicatorKind
        from alliance.indicators.normalize import IndicatorValue, normalize

        result = normalize(IndicatorKind.DOMAIN, IndicatorValue(value="a.example.co.uk"))
        print(json.dumps(result.extra))
        """
    )
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TLDEXTRACT_CACHE": str(tmp_path / "tldextract"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    }

    # When it loads the extractor and normalises a domain
    completed = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )

    # Then it worked from the bundled snapshot and wrote nothing under HOME
    assert json.loads(completed.stdout)["registrable_domain"] == "example.co.uk"
    assert list(tmp_path.iterdir()) == []


# Property tests: normalising the key or the display again gives the same key.


# Kinds whose key is the bare value (no platform or country prefix): the key itself
# normalises to itself too.
UNPREFIXED = {K.URL, K.STOREFRONT_URL, K.DOMAIN, K.EMAIL, K.PHONE, K.BANK_ACCOUNT}
UNPREFIXED |= {K.TRACKING_NUMBER, K.IMAGE_PDQ}


def _assert_idempotent(kind: IndicatorKind, first: Normalized, context: IndicatorValue) -> None:
    again_values = [first.display, first.match_key] if kind in UNPREFIXED else [first.display]
    for again in again_values:
        renormalized = normalize(kind, _with_value(context, again))
        assert renormalized.match_key == first.match_key


def _with_value(context: IndicatorValue, value: str) -> IndicatorValue:
    return IndicatorValue(
        value=value,
        platform=context.platform,
        platform_domain=context.platform_domain,
        provider=context.provider,
        country=context.country,
        locality=context.locality,
        region=context.region,
        postal_code=context.postal_code,
        quality=context.quality,
    )


# Ascension (AC) and Tristan da Cunha (TA) have phone regions but no ISO 3166-1 code.
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS - {"AC", "TA"})
NUMBER_TYPES = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
]


@given(
    region=st.sampled_from(REGIONS),
    number_type=st.sampled_from(NUMBER_TYPES),
    number_format=st.sampled_from(FORMATS),
)
@settings(deadline=None)
def test_phone_normalisation_is_idempotent(
    region: str, number_type: int, number_format: int
) -> None:
    example = phonenumbers.example_number_for_type(region, number_type)
    assume(example is not None)
    assert example is not None
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    written = phonenumbers.format_number(example, number_format)
    context = V(value=written, country=region)

    first = normalize(K.PHONE, context)

    assert first.match_key == e164
    _assert_idempotent(K.PHONE, first, V(value=""))


# "ab--" labels are reserved for encodings like xn-- (IDNA 2008 refuses them as host names).
LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True).filter(
    lambda label: label[2:4] != "--"
)
SUFFIXES = ["com", "co.uk", "de", "com.br", "shop", "cn", "xn--fiqs8s", "myshopify.com"]


@st.composite
def host_names(draw: st.DrawFn) -> str:
    labels = draw(
        st.lists(
            st.one_of(LABEL, st.sampled_from(["bücher", "ñandú", "商店"])), min_size=1, max_size=3
        )
    )
    name = ".".join([*labels, draw(st.sampled_from(SUFFIXES))])
    cased = "".join(char.upper() if draw(st.booleans()) else char for char in name)
    return cased + draw(st.sampled_from(["", "."]))


@given(host=host_names())
@settings(deadline=None)
def test_domain_normalisation_is_idempotent(host: str) -> None:
    first = normalize(K.DOMAIN, V(value=host))

    assert first.match_key == first.match_key.lower()
    assert first.match_key.isascii()
    _assert_idempotent(K.DOMAIN, first, V(value=""))
    if "unicode" in first.extra:
        assert normalize(K.DOMAIN, V(value=first.extra["unicode"])).match_key == first.match_key


LOCAL_PART = st.from_regex(r"[A-Za-z0-9]{1,8}([._+-][A-Za-z0-9]{1,8}){0,2}", fullmatch=True)


@given(local=LOCAL_PART, host=host_names())
@settings(deadline=None)
def test_email_normalisation_is_idempotent(local: str, host: str) -> None:
    first = normalize(K.EMAIL, V(value=f"{local}@{host.rstrip('.')}"))

    assert first.match_key.startswith(local.lower() + "@")
    _assert_idempotent(K.EMAIL, first, V(value=""))


@given(address=st.emails())
@settings(deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
def test_any_accepted_email_is_idempotent(address: str) -> None:
    try:
        first = normalize(K.EMAIL, V(value=address))
    except InvalidInput:
        return
    _assert_idempotent(K.EMAIL, first, V(value=""))


PARAMS = st.lists(
    st.tuples(
        st.from_regex(r"[a-z]{1,4}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9%]{0,4}", fullmatch=True),
    ),
    max_size=4,
)


@given(
    scheme=st.sampled_from(["http", "https", "HTTPS"]),
    host=host_names(),
    path=st.lists(st.from_regex(r"[A-Za-z0-9._~-]{1,6}", fullmatch=True), max_size=3),
    params=PARAMS,
    fragment=st.from_regex(r"[a-z0-9]{0,5}", fullmatch=True),
    order=st.randoms(use_true_random=False),
)
@settings(deadline=None)
def test_url_normalisation_is_idempotent_and_ignores_query_order(
    scheme: str,
    host: str,
    path: list[str],
    params: list[tuple[str, str]],
    fragment: str,
    order: random.Random,
) -> None:
    query = "&".join(f"{name}={content}" for name, content in params)
    shuffled = params.copy()
    order.shuffle(shuffled)
    shuffled_query = "&".join(f"{name}={content}" for name, content in shuffled)
    base = f"{scheme}://{host.rstrip('.')}/{'/'.join(path)}"

    first = normalize(K.URL, V(value=f"{base}?{query}#{fragment}"))
    reordered = normalize(K.URL, V(value=f"{base}?{shuffled_query}"))

    assert reordered.match_key == first.match_key
    assert "#" not in first.match_key
    _assert_idempotent(K.URL, first, V(value=""))


@given(url=urls())
@settings(deadline=None)
def test_any_accepted_url_is_idempotent(url: str) -> None:
    try:
        first = normalize(K.URL, V(value=url))
    except InvalidInput:
        return
    _assert_idempotent(K.URL, first, V(value=""))


CONTEXTS = {
    K.SELLER_ACCOUNT: V(value="", platform=P.EBAY),
    K.SOCIAL_HANDLE: V(value="", platform=P.TAOBAO),
    K.MESSAGING_ID: V(value="", platform=P.WHATSAPP, country="GB"),
    K.PAYMENT_ACCOUNT: V(value="", provider=P.PAYPAL),
    K.LISTING: V(value="", platform=P.AMAZON),
    K.COMPANY_ID: V(value="", country="FR"),
    K.PHONE: V(value="", country="US"),
    K.ADDRESS: V(value="", country="CN", locality="Shenzhen"),
    K.IMAGE_PDQ: V(value="", quality=90),
}


@pytest.mark.parametrize("kind", list(IndicatorKind))
@given(text=st.text(max_size=80))
@settings(deadline=None)
def test_arbitrary_text_is_accepted_idempotently_or_refused_with_invalid_input(
    kind: IndicatorKind, text: str
) -> None:
    context = CONTEXTS.get(kind, V(value=""))

    outcome = _normalize_or_refusal(kind, _with_value(context, text))

    if isinstance(outcome, InvalidInput):
        assert outcome.field
        assert outcome.message
    elif kind is not K.ADDRESS:
        _assert_idempotent(kind, outcome, context)


def _normalize_or_refusal(kind: IndicatorKind, value: IndicatorValue) -> Normalized | InvalidInput:
    try:
        return normalize(kind, value)
    except InvalidInput as error:
        return error
