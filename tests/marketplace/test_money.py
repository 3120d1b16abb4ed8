"""Money: integer minor units, exact parsing, fair rounding, formatting in both languages."""

from decimal import Decimal

import pytest
from django.utils import translation

from marketplace.errors import ValidationFailed
from marketplace.money import Money


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1200", 120000),
        ("1200.5", 120050),
        ("1,200.05", 120005),
        ("0.01", 1),
        (" 7 ", 700),
        ("１２３．５", 12350),
        ("١٢", None),
    ],
)
def test_parsing_a_typed_amount_is_exact(text, fen):
    if fen is None:
        with pytest.raises(ValidationFailed):
            Money.parse(text)
    else:
        assert Money.parse(text) == Money(fen)


@pytest.mark.parametrize("text", ["12.345", "abc", "1e5", "", "--1", "1.2.3", "NaN"])
def test_parsing_refuses_what_is_not_an_exact_amount(text):
    with pytest.raises(ValidationFailed):
        Money.parse(text)


def test_floats_and_bools_never_become_money():
    with pytest.raises(TypeError):
        Money(10.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(100) * 1.5  # type: ignore[operator]


def test_currencies_do_not_mix():
    with pytest.raises(ValueError, match="Currency mismatch"):
        Money(100, "CNY") + Money(100, "USD")


def test_basis_points_round_half_up_and_split_sums_exactly():
    assert Money(12_345).basis_points(500) == Money(617)  # 617.25 → 617
    assert Money(10_010).basis_points(500) == Money(501)  # 500.5 → 501
    parts = Money(100_00).split(3)
    assert [p.amount for p in parts] == [3334, 3333, 3333]
    assert sum(p.amount for p in parts) == 100_00


def test_from_decimal_refuses_fractions_of_a_fen():
    assert Money.from_decimal(Decimal("12.34")) == Money(1234)
    with pytest.raises(ValidationFailed):
        Money.from_decimal(Decimal("12.345"))


def test_formatting_follows_the_language():
    amount = Money(1_234_567_89)
    with translation.override("zh-hans"):
        assert amount.format() == "¥1,234,567.89"
    with translation.override("en"):
        assert amount.format() == "CN¥1,234,567.89"
    assert Money(-5_00).format("zh-hans") == "-¥5.00"
    assert Money(1_00, "USD").format("en") == "US$1.00"
