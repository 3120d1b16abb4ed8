"""统一社会信用代码 (GB 32100-2015) and resident ID number (GB 11643) checks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    USCC_ALPHABET,
    id_check_character,
    mask_id_number,
    uscc_check_character,
    validate_credit_code,
    validate_id_number,
)
from tests.accounts.factories import make_credit_code, make_id_number

REAL_USCC = "91350100M000100Y43"  # a published, valid code


def with_wrong_last(code: str, alphabet: str) -> str:
    wrong = next(ch for ch in alphabet if ch != code[-1])
    return code[:-1] + wrong


def error_code(exc: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc.value.code


class TestCreditCode:
    def test_a_real_published_code_is_valid(self) -> None:
        assert validate_credit_code(REAL_USCC) == REAL_USCC

    @pytest.mark.parametrize("n", [0, 1, 42, 999_999_999])
    def test_codes_with_a_computed_check_character_are_valid(self, n: int) -> None:
        code = make_credit_code(n)
        assert len(code) == 18
        assert validate_credit_code(code) == code

    def test_a_code_with_a_letter_in_the_serial_is_valid_when_its_check_matches(self) -> None:
        first17 = "9150010376AB12345"
        code = first17 + uscc_check_character(first17)
        assert validate_credit_code(code) == code

    def test_lower_case_spaces_and_full_width_characters_are_normalised(self) -> None:
        messy = "  ９１３５０１００ｍ０００１００ｙ４３ ".replace("３５０", "３５ ０")
        assert validate_credit_code(messy) == REAL_USCC
        assert validate_credit_code(REAL_USCC.lower()) == REAL_USCC

    def test_a_wrong_check_character_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(with_wrong_last(REAL_USCC, USCC_ALPHABET))
        assert error_code(exc) == "checksum"

    def test_every_single_character_typo_is_caught(self) -> None:
        for position in range(17):
            original = REAL_USCC[position]
            replacement = "1" if original != "1" else "2"
            typo = REAL_USCC[:position] + replacement + REAL_USCC[position + 1 :]
            with pytest.raises(ValidationError):
                validate_credit_code(typo)

    @pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
    def test_letters_outside_the_alphabet_are_refused(self, letter: str) -> None:
        code = REAL_USCC[:10] + letter + REAL_USCC[11:]
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(code)
        assert error_code(exc) == "alphabet"
        assert letter in str(exc.value.messages[0]) or letter in exc.value.params["chars"]

    @pytest.mark.parametrize("code", [REAL_USCC[:17], REAL_USCC + "1", "", "9135"])
    def test_a_wrong_length_is_refused(self, code: str) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(code)
        assert error_code(exc) == "length"

    def test_a_bad_region_part_is_refused(self) -> None:
        first17 = "91ABCDEF000000001"
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(first17 + uscc_check_character(first17))
        assert error_code(exc) == "structure"


class TestIdNumber:
    def test_a_number_with_check_character_x_is_valid(self) -> None:
        assert id_check_character("11010519491231002") == "X"
        assert validate_id_number("11010519491231002X") == "11010519491231002X"

    def test_a_lower_case_x_is_accepted_and_normalised(self) -> None:
        assert validate_id_number("11010519491231002x") == "11010519491231002X"

    @pytest.mark.parametrize("n", [0, 7, 123, 999])
    def test_numbers_with_a_computed_check_digit_are_valid(self, n: int) -> None:
        number = make_id_number(n)
        assert validate_id_number(number) == number

    def test_a_wrong_check_character_is_refused(self) -> None:
        number = make_id_number(5)
        with pytest.raises(ValidationError) as exc:
            validate_id_number(with_wrong_last(number, "0123456789X"))
        assert error_code(exc) == "checksum"

    def test_an_impossible_birth_date_is_refused(self) -> None:
        first17 = "50010319900230001"  # 30 February
        with pytest.raises(ValidationError) as exc:
            validate_id_number(first17 + id_check_character(first17))
        assert error_code(exc) == "birth_date"

    def test_a_birth_date_in_the_future_is_refused(self) -> None:
        first17 = "50010321990101001"
        with pytest.raises(ValidationError) as exc:
            validate_id_number(first17 + id_check_character(first17))
        assert error_code(exc) == "birth_date"

    @pytest.mark.parametrize("number", ["5001031990010100", "50010319900101001XX", "A" * 18])
    def test_a_malformed_number_is_refused(self, number: str) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_id_number(number)
        assert error_code(exc) == "format"

    def test_the_mask_keeps_only_the_first_two_and_last_four_characters(self) -> None:
        assert mask_id_number("11010519491231002X") == "11************002X"
