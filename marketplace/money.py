"""Money as a value type: integer minor units plus an ISO 4217 currency. No float ever."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from marketplace.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    exponent: int
    symbol: str


CURRENCIES: dict[str, Currency] = {
    "CNY": Currency("CNY", 2, "¥"),
    "USD": Currency("USD", 2, "US$"),
    "EUR": Currency("EUR", 2, "€"),
    "HKD": Currency("HKD", 2, "HK$"),
}
DEFAULT_CURRENCY = "CNY"
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]

_MAJOR_AMOUNT = re.compile(r"^\s*(?P<sign>-)?(?P<int>[0-9]{1,15})(?:\.(?P<frac>[0-9]+))?\s*$")
# Chinese input methods type full-width digits and points (１２３．５); read them as ASCII.
_FULL_WIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．－"}


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount in minor units (fen for CNY) of one currency."""

    amount: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError(f"Money amount must be an int of minor units, not {self.amount!r}")
        if self.currency not in CURRENCIES:
            raise ValueError(f"Unknown currency {self.currency!r}")

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str | int | Decimal, currency: str = DEFAULT_CURRENCY) -> Money:
        """Parse a major-unit amount typed by a person ("1234.5" yuan) without rounding."""
        exponent = CURRENCIES[currency].exponent
        if isinstance(text, int) and not isinstance(text, bool):
            return cls(text * 10**exponent, currency)
        raw = str(text).translate(_FULL_WIDTH).replace(",", "").replace("，", "")
        match = _MAJOR_AMOUNT.match(raw)
        if not match:
            raise ValidationFailed(_("Enter an amount such as 1200 or 1200.50."))
        frac = match["frac"] or ""
        if len(frac) > exponent:
            raise ValidationFailed(
                _("Use at most %(digits)d decimal places.") % {"digits": exponent}
            )
        minor = int(match["int"]) * 10**exponent + int((frac or "0").ljust(exponent, "0"))
        return cls(-minor if match["sign"] else minor, currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str = DEFAULT_CURRENCY) -> Money:
        exponent = CURRENCIES[currency].exponent
        try:
            scaled = (value * (Decimal(10) ** exponent)).to_integral_exact()
        except InvalidOperation as exc:
            raise ValidationFailed(_("That amount has too many decimal places.")) from exc
        if scaled != value * (Decimal(10) ** exponent):
            raise ValidationFailed(_("That amount has too many decimal places."))
        return cls(int(scaled), currency)

    # --- arithmetic ---------------------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"Currency mismatch: {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money can only be multiplied by an int")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def basis_points(self, bps: int) -> Money:
        """This amount times bps/10000, rounded half up to the minor unit (fees, shares)."""
        numerator = self.amount * bps
        quotient, remainder = divmod(abs(numerator), 10_000)
        if remainder * 2 >= 10_000:
            quotient += 1
        return Money(quotient if numerator >= 0 else -quotient, self.currency)

    def split(self, parts: int) -> list[Money]:
        """Split into `parts` amounts that differ by at most one minor unit and sum exactly."""
        if parts <= 0:
            raise ValueError("parts must be positive")
        base, extra = divmod(self.amount, parts)
        return [Money(base + (1 if i < extra else 0), self.currency) for i in range(parts)]

    # --- presentation -------------------------------------------------------------------------
    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-CURRENCIES[self.currency].exponent)

    def major_str(self) -> str:
        """The amount in major units as plain digits ("1234.50"), for form fields."""
        exponent = CURRENCIES[self.currency].exponent
        return f"{self.to_decimal():.{exponent}f}"

    def format(self, language: str | None = None) -> str:
        """¥12,345.00 in Chinese; CN¥12,345.00 in English, where ¥ alone could mean yen."""
        currency = CURRENCIES[self.currency]
        language = (language or get_language() or "zh-hans").lower()
        symbol = currency.symbol
        if self.currency == "CNY" and not language.startswith("zh"):
            symbol = "CN¥"
        digits = f"{abs(self.to_decimal()):,.{currency.exponent}f}"
        sign = "-" if self.amount < 0 else ""
        return f"{sign}{symbol}{digits}"

    def __str__(self) -> str:
        return self.format()
