"""Indicator kinds, the platforms they live on, and each platform's case rule.

The case rule decides whether two spellings of an account id that differ only in case
name the same account. Getting it wrong in one direction merges two infringers; in the
other it misses a match. Where a platform's own rule is not clear we keep the case
(`CaseRule.PRESERVE`): a missed match is cheaper than a false "seen by 3 members".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType


class IndicatorKind(enum.StrEnum):
    """What an indicator value is (DESIGN §2); each kind has its own match key."""

    SELLER_ACCOUNT = "SELLER_ACCOUNT"
    STOREFRONT_URL = "STOREFRONT_URL"
    URL = "URL"
    DOMAIN = "DOMAIN"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    SOCIAL_HANDLE = "SOCIAL_HANDLE"
    MESSAGING_ID = "MESSAGING_ID"
    PAYMENT_ACCOUNT = "PAYMENT_ACCOUNT"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    COMPANY_ID = "COMPANY_ID"
    LISTING = "LISTING"
    TRACKING_NUMBER = "TRACKING_NUMBER"
    ADDRESS = "ADDRESS"
    IMAGE_PDQ = "IMAGE_PDQ"


class Platform(enum.StrEnum):
    """Marketplaces, social networks, messengers and payment providers.

    The value (lower case) is the prefix of platform-scoped match keys, e.g.
    ``taobao:seller123``; it must never contain ``:``. `OTHER` needs the platform's web
    domain beside it, so that two unlisted platforms never share a key space.
    """

    # Marketplaces
    TAOBAO = "taobao"
    TMALL = "tmall"
    ALIEXPRESS = "aliexpress"
    ALIBABA = "alibaba"
    ALIBABA_1688 = "alibaba_1688"
    DHGATE = "dhgate"
    JD = "jd"
    PINDUODUO = "pinduoduo"
    AMAZON = "amazon"
    EBAY = "ebay"
    WALMART = "walmart"
    ETSY = "etsy"
    WISH = "wish"
    TEMU = "temu"
    SHEIN = "shein"
    SHOPEE = "shopee"
    LAZADA = "lazada"
    TOKOPEDIA = "tokopedia"
    MERCADO_LIBRE = "mercado_libre"
    RAKUTEN = "rakuten"
    COUPANG = "coupang"
    FLIPKART = "flipkart"
    ALLEGRO = "allegro"
    CDISCOUNT = "cdiscount"
    VINTED = "vinted"
    SHOPIFY = "shopify"
    # Social networks
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    DOUYIN = "douyin"
    XIAOHONGSHU = "xiaohongshu"
    WEIBO = "weibo"
    KUAISHOU = "kuaishou"
    X = "x"
    YOUTUBE = "youtube"
    PINTEREST = "pinterest"
    SNAPCHAT = "snapchat"
    VK = "vk"
    # Messengers
    WECHAT = "wechat"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    LINE = "line"
    KAKAOTALK = "kakaotalk"
    QQ = "qq"
    DISCORD = "discord"
    # Payment providers
    PAYPAL = "paypal"
    ALIPAY = "alipay"
    WECHAT_PAY = "wechat_pay"
    STRIPE = "stripe"
    PAYONEER = "payoneer"
    WISE = "wise"
    WESTERN_UNION = "western_union"
    MONEYGRAM = "moneygram"
    SKRILL = "skrill"
    VENMO = "venmo"
    CASH_APP = "cash_app"
    ZELLE = "zelle"
    OTHER = "other"


class CaseRule(enum.Enum):
    """How letter case is folded in an account or listing id before matching."""

    PRESERVE = "preserve"
    LOWER = "lower"
    UPPER = "upper"

    def apply(self, text: str) -> str:
        """Return `text` folded by this rule."""
        if self is CaseRule.LOWER:
            return text.lower()
        if self is CaseRule.UPPER:
            return text.upper()
        return text


# Account ids: seller ids, social handles, messaging ids and payment account ids.
# LOWER where the platform treats names case-insensitively (it refuses "Foo" when "foo"
# exists and resolves either spelling to the same account): eBay user ids, Etsy shop
# names, Shopee and Mercado Libre user names, Alibaba.com shop sub-domains (DNS labels),
# and handles on Instagram, TikTok, X, Facebook, YouTube, Pinterest, Snapchat, VK,
# Telegram, LINE and Discord.
# UPPER where the platform issues upper-case tokens and reads them case-insensitively:
# Amazon merchant tokens ("A1B2C3D4E5F6G7") and PayPal merchant ids.
# Everything else keeps its case: Chinese marketplaces' seller nicks and numeric shop
# ids, WeChat and QQ ids, Stripe account ids ("acct_1AbC..." are case-sensitive).
ACCOUNT_ID_CASE: Mapping[Platform, CaseRule] = MappingProxyType(
    {
        Platform.EBAY: CaseRule.LOWER,
        Platform.ETSY: CaseRule.LOWER,
        Platform.SHOPEE: CaseRule.LOWER,
        Platform.MERCADO_LIBRE: CaseRule.LOWER,
        Platform.ALIBABA: CaseRule.LOWER,
        Platform.SHOPIFY: CaseRule.LOWER,
        Platform.INSTAGRAM: CaseRule.LOWER,
        Platform.TIKTOK: CaseRule.LOWER,
        Platform.X: CaseRule.LOWER,
        Platform.FACEBOOK: CaseRule.LOWER,
        Platform.YOUTUBE: CaseRule.LOWER,
        Platform.PINTEREST: CaseRule.LOWER,
        Platform.SNAPCHAT: CaseRule.LOWER,
        Platform.VK: CaseRule.LOWER,
        Platform.TELEGRAM: CaseRule.LOWER,
        Platform.LINE: CaseRule.LOWER,
        Platform.DISCORD: CaseRule.LOWER,
        Platform.AMAZON: CaseRule.UPPER,
        Platform.PAYPAL: CaseRule.UPPER,
    }
)

# Listing ids are mostly numeric; Amazon ASINs are upper case and read either way.
# Instagram and YouTube post ids are case-sensitive, so they keep their case.
LISTING_ID_CASE: Mapping[Platform, CaseRule] = MappingProxyType({Platform.AMAZON: CaseRule.UPPER})

# Providers accepted for PAYMENT_ACCOUNT (plus OTHER with its domain).
PAYMENT_PROVIDERS: frozenset[Platform] = frozenset(
    {
        Platform.PAYPAL,
        Platform.ALIPAY,
        Platform.WECHAT_PAY,
        Platform.STRIPE,
        Platform.PAYONEER,
        Platform.WISE,
        Platform.WESTERN_UNION,
        Platform.MONEYGRAM,
        Platform.SKRILL,
        Platform.VENMO,
        Platform.CASH_APP,
        Platform.ZELLE,
        Platform.OTHER,
    }
)

# Messengers whose account id is a phone number: their ids are normalised to E.164.
PHONE_NUMBER_PLATFORMS: frozenset[Platform] = frozenset({Platform.WHATSAPP})


def account_id_case(platform: Platform) -> CaseRule:
    """The case rule for seller ids, handles and account ids on `platform`."""
    return ACCOUNT_ID_CASE.get(platform, CaseRule.PRESERVE)


def listing_id_case(platform: Platform) -> CaseRule:
    """The case rule for listing ids on `platform`."""
    return LISTING_ID_CASE.get(platform, CaseRule.PRESERVE)
