"""Text made safe for spreadsheet cells, shared by the CSV tables and the XLSX workbook.

Two hazards come with scenario text (a supplier, an assumption, a category):

* a cell starting with ``= + - @``, a tab or a carriage return is run as a formula by Excel and
  LibreOffice (``=HYPERLINK(...)`` in a supplier's name becomes a live link); such text gets a
  leading single quote, as the OWASP rule on CSV injection recommends. Numbers are left alone,
  and so is text that is just a number (``-5``);
* characters XML 1.0 forbids (C0 controls other than tab, newline and carriage return, lone
  surrogates, U+FFFE and U+FFFF) make an XLSX file unreadable; they become U+FFFD (�), so the
  reader sees that something was there.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
REPLACEMENT = "\ufffd"


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return _XML_ILLEGAL.sub(REPLACEMENT, text)


def cell_text(text: str) -> str:
    """``text`` for a spreadsheet cell: XML-safe, and quoted if a spreadsheet would run it as a formula."""
    text = xml_safe(text)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _safe_column(values: pd.Series) -> pd.Series:
    """A text or mixed column with every string through ``cell_text`` (each distinct value once)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    safe = [cell_text(v) if isinstance(v, str) else v for v in uniques]
    if not any(isinstance(v, str) and v != s for v, s in zip(uniques, safe, strict=True)):
        return values
    return pd.Series(np.array([*safe, None], dtype=object)[codes], index=values.index, name=values.name)


def safe_table(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names are safe for a spreadsheet; numbers untouched."""
    out = df.copy()
    for j, dtype in enumerate(df.dtypes):
        if dtype.kind == "O" or isinstance(dtype, pd.StringDtype):
            out.isetitem(j, _safe_column(df.iloc[:, j]))
    out.columns = [cell_text(c) if isinstance(c, str) else c for c in df.columns]
    if out.index.dtype == object:
        out.index = pd.Index([cell_text(v) if isinstance(v, str) else v for v in out.index], name=out.index.name)
    return out
