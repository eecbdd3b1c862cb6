"""Identifiers of the field: USCC, CN patent application numbers, software copyright numbers.

Each `normalize_*` accepts what people type (full-width characters, spaces, dots, a CN prefix)
and returns the canonical form, or raises `ValueError` with a message for the user.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc as stdnum_uscc

PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
PATENT_TYPES = {
    "1": "invention",
    "2": "utility_model",
    "3": "design",
    "8": "pct_invention",
    "9": "pct_utility_model",
}


def _fold(value: str) -> str:
    """Full-width to half-width, upper case, no spaces, dots, dashes or 'CN'."""
    text = unicodedata.normalize("NFKC", str(value or "")).upper()
    return re.sub(r"[\s\-._·。．]", "", text)


def normalize_uscc(value: str) -> str:
    """The 18-character Unified Social Credit Code (GB 32100-2015), validated."""
    code = _fold(value)
    try:
        return stdnum_uscc.validate(code)
    except stdnum_exceptions.InvalidLength:
        raise ValueError(
            _("A Unified Social Credit Code has 18 characters; this one has %(n)d.")
            % {"n": len(code)}
        ) from None
    except stdnum_exceptions.InvalidChecksum:
        raise ValueError(
            _("The check character of this Unified Social Credit Code is wrong.")
        ) from None
    except stdnum_exceptions.ValidationError:
        raise ValueError(_("This is not a valid Unified Social Credit Code.")) from None


def patent_check_char(digits12: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits12, PATENT_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_patent_number(value: str) -> str:
    """A CN patent application number as `CN<12 digits>.<check>`, validated."""
    text = _fold(value)
    if text.startswith("CN"):
        text = text[2:]
    if not re.fullmatch(r"\d{12}[0-9X]", text):
        raise ValueError(
            _(
                "A CN patent application number is 12 digits and a check character, "
                "e.g. CN200710308494.X."
            )
        )
    digits, check = text[:12], text[12]
    if digits[4] not in PATENT_TYPES:
        raise ValueError(
            _("The fifth digit gives the patent type and must be 1, 2, 3, 8 or 9; it is %(d)s.")
            % {"d": digits[4]}
        )
    if patent_check_char(digits) != check:
        raise ValueError(_("The check character of this patent application number is wrong."))
    return f"CN{digits}.{check}"


def patent_type(number: str) -> str:
    """'invention', 'utility_model', 'design', … for a normalised number."""
    return PATENT_TYPES[number[6]]


def normalize_software_copyright(value: str) -> str:
    text = _fold(value)
    if not re.fullmatch(r"\d{4}SR\d{6,7}", text):
        raise ValueError(_("A software copyright registration number looks like 2021SR0123456."))
    return text


def mask_phone(value: str) -> str:
    """138****5678: enough to recognise a number, not to dial it."""
    digits = str(value or "")
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_start = 3 if len(digits) >= 11 else 2
    return digits[:keep_start] + "*" * (len(digits) - keep_start - 4) + digits[-4:]
