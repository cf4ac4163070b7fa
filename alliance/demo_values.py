"""Realistic, deterministic indicator values for the demo: every one normalises.

Each `Values` method draws from the caller's seeded `random.Random`, so the same seed
gives the same values. Identifiers that carry a check digit get a correct one: IBANs
(ISO 13616 mod 97), UPU S10 tracking numbers, Chinese unified social credit codes; phone
numbers are valid for their country by libphonenumber's metadata.
"""

from __future__ import annotations

import random
import string

import phonenumbers
from stdnum.cn import uscc

from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.indicators.normalize import IndicatorValue, s10_check_digit

WORDS = (
    "outlet", "sale", "official", "store", "shop", "deals", "luxury", "cheap", "discount",
    "factory", "mall", "best", "vip", "club", "direct", "brand", "super", "top", "mega", "style",
)  # fmt: skip
TLDS = ("shop", "store", "online", "top", "com", "net", "xyz", "co.uk", "de", "fr", "site")
FREE_MAIL = ("gmail.com", "outlook.com", "qq.com", "163.com", "yahoo.com", "proton.me")
PHONE_COUNTRIES = ("CN", "HK", "TR", "AE", "US", "GB", "DE", "IT", "TH", "VN", "MY", "BR")
# Country, BBAN pattern (a: upper-case letter, n: digit), without national check digits.
IBAN_FORMATS = (
    ("GB", "aaaannnnnnnnnnnnnn"),
    ("DE", "nnnnnnnnnnnnnnnnnn"),
    ("LT", "nnnnnnnnnnnnnnnn"),
)
ADDRESSES = (
    ("CN", "Guangzhou", "Guangdong", "510000", "Baiyun District, Sanyuanli Avenue"),
    ("CN", "Yiwu", "Zhejiang", "322000", "Futian Street, Market District 2"),
    ("CN", "Shenzhen", "Guangdong", "518000", "Huaqiangbei Road, Futian District"),
    ("CN", "Putian", "Fujian", "351100", "Licheng District, Xueyuan Road"),
    ("TR", "Istanbul", "", "34000", "Laleli Mahallesi, Ordu Caddesi"),
    ("AE", "Dubai", "", "", "Dragon Mart, International City"),
    ("TH", "Bangkok", "", "10330", "MBK Center, Phayathai Road"),
)
SELLER_PLATFORMS = (
    Platform.TAOBAO, Platform.ALIEXPRESS, Platform.AMAZON, Platform.DHGATE, Platform.EBAY,
    Platform.SHOPEE, Platform.TEMU, Platform.ALIBABA_1688,
)  # fmt: skip
SOCIAL_PLATFORMS = (Platform.INSTAGRAM, Platform.TIKTOK, Platform.FACEBOOK, Platform.XIAOHONGSHU)


def seeded(seed: str) -> random.Random:
    """A generator that gives the same values for the same seed, run after run."""
    # Demo data, not secrets: reproducibility is the point.
    return random.Random(seed)  # noqa: S311


def _pattern(rng: random.Random, pattern: str) -> str:
    pools = {"a": string.ascii_uppercase, "n": string.digits, "x": string.hexdigits[:16]}
    return "".join(rng.choice(pools[char]) for char in pattern)


def iban(rng: random.Random) -> str:
    """A random IBAN of one of `IBAN_FORMATS` with correct check digits."""
    country, pattern = rng.choice(IBAN_FORMATS)
    bban = _pattern(rng, pattern)
    digits = "".join(str(int(char, 36)) for char in f"{bban}{country}00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def tracking_number(rng: random.Random) -> str:
    """A UPU S10 item number from China Post with a correct check digit."""
    serial = _pattern(rng, "nnnnnnnn")
    return f"{rng.choice(('LP', 'RB', 'CP', 'EE', 'LX'))}{serial}{s10_check_digit(serial)}CN"


def phone(rng: random.Random, country: str) -> str:
    """A mobile number valid for `country`, in E.164."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        raise ValueError(f"libphonenumber has no example mobile number for {country}")
    national = str(example.national_number)
    while True:
        keep = max(3, len(national) - 6)
        candidate = national[:keep] + _pattern(rng, "n" * (len(national) - keep))
        number = phonenumbers.parse(f"+{example.country_code}{candidate}")
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def company_id(rng: random.Random) -> str:
    """A Chinese unified social credit code (USCC) with a correct check character."""
    body = "91" + _pattern(rng, "nnnnnn") + _pattern(rng, "nnnnnnnnn")
    return body + uscc.calc_check_digit(body)


class Values:
    """Values of every kind for one brand slug ("lumiere"), drawn from `rng`."""

    def __init__(self, rng: random.Random, slug: str) -> None:
        self.rng = rng
        self.slug = slug

    def _name(self) -> str:
        first, second = self.rng.sample(WORDS, 2)
        return f"{self.slug}-{first}-{second}"

    def _domain_name(self) -> str:
        number = self.rng.choice(("", str(self.rng.randint(1, 99))))
        return f"{self._name()}{number}.{self.rng.choice(TLDS)}"

    def domain(self) -> IndicatorValue:
        return IndicatorValue(value=self._domain_name())

    def make(self, kind: IndicatorKind) -> IndicatorValue:
        """A new value of `kind`."""
        return getattr(self, kind.value.lower())()  # type: ignore[no-any-return]

    def seller_account(self) -> IndicatorValue:
        platform = self.rng.choice(SELLER_PLATFORMS)
        number = self.rng.randint(10**6, 10**10)
        ids = {
            Platform.AMAZON: "A" + _pattern(self.rng, "a" * 3 + "n" * 3 + "a" * 7),
            Platform.ALIEXPRESS: str(number),
            Platform.DHGATE: str(number % 10**8),
        }
        seller = ids.get(platform, f"{self._name().replace('-', '_')}{number % 1000}")
        return IndicatorValue(value=seller, platform=platform)

    def storefront_url(self) -> IndicatorValue:
        number = self.rng.randint(10**6, 10**9)
        url = self.rng.choice(
            (
                f"https://www.aliexpress.com/store/{number}",
                f"https://shop{number}.taobao.com/",
                f"https://www.dhgate.com/store/{number % 10**8}",
                f"https://{self._name()}.myshopify.com/",
            )
        )
        return IndicatorValue(value=url)

    def url(self) -> IndicatorValue:
        path = self.rng.choice(("products", "item", "p", "collections"))
        return IndicatorValue(
            value=f"https://{self._domain_name()}/{path}/{self.rng.randint(100, 99999)}"
        )

    def email(self) -> IndicatorValue:
        local = f"{self.rng.choice(WORDS)}.{self.slug}{self.rng.randint(1, 999)}"
        host = self.rng.choice((*FREE_MAIL, self._domain_name()))
        return IndicatorValue(value=f"{local}@{host}")

    def phone(self) -> IndicatorValue:
        return IndicatorValue(value=phone(self.rng, self.rng.choice(PHONE_COUNTRIES)))

    def social_handle(self) -> IndicatorValue:
        handle = f"{self._name().replace('-', '.')}{self.rng.randint(1, 99)}"
        return IndicatorValue(value=f"@{handle}", platform=self.rng.choice(SOCIAL_PLATFORMS))

    def messaging_id(self) -> IndicatorValue:
        if self.rng.random() < 0.5:
            number = phone(self.rng, self.rng.choice(PHONE_COUNTRIES))
            return IndicatorValue(value=number, platform=Platform.WHATSAPP)
        return IndicatorValue(
            value=f"wxid_{_pattern(self.rng, 'x' * 14)}", platform=Platform.WECHAT
        )

    def payment_account(self) -> IndicatorValue:
        provider = self.rng.choice((Platform.PAYPAL, Platform.ALIPAY, Platform.PAYONEER))
        if provider is Platform.PAYPAL:
            value = f"pay.{self.slug}{self.rng.randint(1, 9999)}@{self.rng.choice(FREE_MAIL)}"
        elif provider is Platform.ALIPAY:
            value = phone(self.rng, "CN")
        else:
            value = str(self.rng.randint(10**7, 10**8))
        return IndicatorValue(value=value, provider=provider)

    def bank_account(self) -> IndicatorValue:
        return IndicatorValue(value=iban(self.rng))

    def company_id(self) -> IndicatorValue:
        return IndicatorValue(value=company_id(self.rng), country="CN")

    def listing(self) -> IndicatorValue:
        platform = self.rng.choice((Platform.AMAZON, Platform.EBAY, Platform.ALIEXPRESS))
        ids = {
            Platform.AMAZON: "B0" + _pattern(self.rng, "nanannan"),
            Platform.EBAY: str(self.rng.randint(10**11, 10**12 - 1)),
            Platform.ALIEXPRESS: f"1005{self.rng.randint(10**11, 10**12 - 1)}",
        }
        return IndicatorValue(value=ids[platform], platform=platform)

    def tracking_number(self) -> IndicatorValue:
        return IndicatorValue(value=tracking_number(self.rng))

    def address(self) -> IndicatorValue:
        country, city, region, postal, street = self.rng.choice(ADDRESSES)
        return IndicatorValue(
            value=f"No. {self.rng.randint(1, 400)} {street}, Unit {self.rng.randint(100, 999)}",
            country=country,
            locality=city,
            region=region or None,
            postal_code=postal or None,
        )

    def image_pdq(self) -> IndicatorValue:
        return IndicatorValue(value=_pattern(self.rng, "x" * 64), quality=self.rng.randint(50, 100))
