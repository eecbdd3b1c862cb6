"""USCC and CN patent application numbers: valid ones pass, every single-character corruption fails."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from ipps.core import ids

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
uscc_bodies = st.tuples(
    st.sampled_from("159"),
    st.sampled_from("123"),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(uscc_bodies)
def test_every_valid_uscc_passes(body):
    code = body + stdnum_uscc.calc_check_digit(body)
    assert ids.normalize_uscc(code) == code
    assert ids.normalize_uscc(" " + code.lower() + " ") == code


@given(uscc_bodies, st.integers(0, 17), st.sampled_from(USCC_ALPHABET + "IOSVZ"))
def test_every_single_character_corruption_of_a_uscc_fails(body, position, char):
    code = body + stdnum_uscc.calc_check_digit(body)
    if code[position] == char:
        return
    corrupted = code[:position] + char + code[position + 1 :]
    with pytest.raises(ValueError):
        ids.normalize_uscc(corrupted)


def test_uscc_example_from_the_domain_and_full_width_input():
    assert ids.normalize_uscc("91110000600037341L") == "91110000600037341L"
    assert ids.normalize_uscc("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


def test_uscc_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="18"):
        ids.normalize_uscc("9111000060003734")
    with pytest.raises(ValueError, match="check"):
        ids.normalize_uscc("91110000600037341M")


patent_digits = st.tuples(
    st.integers(1985, 2030).map(str),
    st.sampled_from("12389"),
    st.text("0123456789", min_size=7, max_size=7),
).map("".join)


@given(patent_digits)
def test_every_valid_patent_number_passes_in_any_usual_spelling(digits):
    check = ids.patent_check_char(digits)
    canonical = f"CN{digits}.{check}"
    for spelling in (
        canonical,
        f"{digits}{check}",
        f"cn {digits} . {check}",
        f"ZL{digits}.{check}"[2:],
    ):
        assert ids.normalize_patent_number(spelling) == canonical


@given(patent_digits, st.integers(0, 12), st.sampled_from("0123456789X"))
def test_every_single_character_corruption_of_a_patent_number_fails(digits, position, char):
    number = digits + ids.patent_check_char(digits)
    if number[position] == char or (position < 12 and char == "X"):
        return
    corrupted = number[:position] + char + number[position + 1 :]
    with pytest.raises(ValueError):
        ids.normalize_patent_number(corrupted)


def test_patent_example_from_the_domain():
    assert ids.patent_check_char("200710308494") == "X"
    assert ids.normalize_patent_number("CN200710308494.X") == "CN200710308494.X"
    assert ids.patent_type("CN200710308494.X") == "invention"


def test_patent_with_an_unknown_type_digit_is_refused():
    digits = "200750308494"
    with pytest.raises(ValueError, match="type"):
        ids.normalize_patent_number(digits + ids.patent_check_char(digits))


def test_software_copyright_and_phone_mask():
    assert ids.normalize_software_copyright("2021sr0123456") == "2021SR0123456"
    with pytest.raises(ValueError):
        ids.normalize_software_copyright("SR0123456")
    assert ids.mask_phone("13812345678") == "138****5678"
    assert ids.mask_phone("010-62345678") == "010*****5678"


def test_fixture_network_builds(network):
    assert network.ws_zgc.parent == network.haidian
