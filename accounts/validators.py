"""Check characters of Chinese registration numbers.

- 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a 31-symbol
  alphabet (digits and capitals without I, O, S, V, Z); the last is a check character.
- 居民身份证号码 (resident ID number), GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check
  character (0-9 or X), with the birth date in positions 7-14.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalize_code(value: str) -> str:
    """Upper-case and strip spaces and full-width characters people paste from documents."""
    table = {ord(c): ord(c) - 0xFEE0 for c in map(chr, range(0xFF01, 0xFF5F))}
    return "".join(value.translate(table).split()).upper()


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalised 统一社会信用代码 or raise ValidationError saying what is wrong."""
    code = normalize_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="length",
            params={"n": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s."),
            code="alphabet",
            params={"chars": "".join(bad)},
        )
    if code[:2] == "00" or not code[2:8].isdigit():
        raise ValidationError(
            _("The registration authority or region part of this code is not valid."),
            code="structure",
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character does not match: please check the code for a typo."),
            code="checksum",
        )
    return code


def id_check_character(first17: str) -> str:
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> str:
    """Return the normalised resident ID number or raise ValidationError."""
    number = normalize_code(value)
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise ValidationError(
            _("A resident ID number has 17 digits followed by a digit or X."), code="format"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number is not a real date."), code="birth_date"
        ) from None
    if birth.year < 1900 or birth > dt.date.today():  # noqa: DTZ011 (a calendar date, no zone)
        raise ValidationError(
            _("The birth date in this ID number is not a real date."), code="birth_date"
        )
    if id_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("The check character does not match: please check the number for a typo."),
            code="checksum",
        )
    return number


def mask_id_number(number: str) -> str:
    """Show the region's first digit pair and the last four: 11**************1X."""
    return number[:2] + "*" * (len(number) - 6) + number[-4:]
