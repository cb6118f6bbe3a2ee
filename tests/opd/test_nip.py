import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from opd.nip import normalize_nip, validate_nip


def test_a_valid_pns_nip_tells_birth_date_and_gender():
    info = validate_nip("198708152010011001", "pns")
    assert str(info.birth_date) == "1987-08-15"
    assert info.gender == "L"
    assert info.warnings == ()


def test_spreadsheet_dirt_is_cleaned_before_validation():
    assert normalize_nip("'198708152010011001") == "198708152010011001"
    assert normalize_nip(" 19870815 201001 1 001 ") == "198708152010011001"


@pytest.mark.parametrize(
    ("nip", "kind", "fragment"),
    [
        ("1.98708E+17", None, "lost its digits"),
        ("19870815201001100", "pns", "has 17 digits"),
        ("19870815201001100A", "pns", "digits only"),
        ("198702302010011001", "pns", "birth date"),
        ("198708152010131001", "pns", "TMT CPNS month"),
        ("198708152010013001", "pns", "digit 15"),
        ("198708152010011000", "pns", "000"),
    ],
)
def test_invalid_nips_name_what_is_wrong(nip, kind, fragment):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_nip(nip, kind)
    assert fragment in error.value.messages[0]


def test_pppk_numbers_may_have_a_counter_above_12():
    info = validate_nip("199001012022452001", "pppk")
    assert info.tmt_year == 2022


def test_unknown_kind_accepts_a_pppk_shaped_number():
    validate_nip("199001012022452001")


def test_tmt_before_the_18th_birthday_warns_but_passes():
    info = validate_nip("199501012005011001", "pns")
    assert info.warnings


def test_messages_are_indonesian_by_default():
    with translation.override("id"), pytest.raises(ValidationError) as error:
        validate_nip("123")
    assert error.value.messages[0] == "NIP 123 terdiri dari 3 digit; seharusnya 18 digit."
