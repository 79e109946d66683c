"""Normalise product titles and codes before matching, so that spelling differences that do not change
the product (width, case, punctuation, unit words) do not count, and the ones that do (numbers) count
a lot.

"水润面膜10片装", "面膜10P" and "面膜 10 pcs" all carry the count token `10pc`; "10片" and "20片" carry
`10pc` and `20pc`, which the matcher treats as a conflict. CJK text has no spaces, so each CJK character
becomes its own token; that lets rapidfuzz's token scorers work on Chinese and Japanese titles.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache

from opencc_purepy import OpenCC

# Traditional / variant forms of the few characters that carry meaning for matching.
_VARIANTS = str.maketrans({"裝": "装", "個": "个", "張": "张", "對": "对", "雙": "双", "顆": "颗", "條": "条"})

# Count words: a number followed by one of these is a count of pieces ("10片", "10P", "12 pcs", "3入").
_COUNT_WORDS = (
    "pieces|piece|pcs|pc|pk|packs|pack|ct|count|p|x|"
    "片|枚|入|个|只|张|支|瓶|包|袋|盒|对|双|件|粒|颗|条|罐|卷|套|本|把|组"
)
# Measures keep their unit, normalised to one spelling.
_MEASURES = {
    "ml": "ml", "毫升": "ml", "l": "l", "升": "l", "g": "g", "克": "g", "kg": "kg", "公斤": "kg",
    "千克": "kg", "cm": "cm", "厘米": "cm", "mm": "mm", "毫米": "mm", "m": "m", "米": "m",
    "oz": "oz", "inch": "in", "in": "in", "寸": "in", "w": "w", "v": "v", "mah": "mah",
}
_MEASURE_WORDS = "|".join(sorted(_MEASURES, key=len, reverse=True))
_NUMBER = r"(\d+(?:\.\d+)?)"
_PACK_OF = re.compile(r"\b(?:(?:pack|set|box|lot)\s*(?:of|/)?|s\s*/)\s*" + _NUMBER)
_MEASURE = re.compile(_NUMBER + r"\s*(" + _MEASURE_WORDS + r")(?![a-z])")
_COUNT = re.compile(_NUMBER + r"\s*(?:" + _COUNT_WORDS + r")(?:\s*(?:装|pack|pk|set))?(?![a-z])")
_BARE_PACK = re.compile(_NUMBER + r"\s*装")
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])")
_NON_WORD = re.compile(r"[^\w.]+|_")
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_NUMBER_TOKEN = re.compile(r"^\d+(?:\.\d+)?[a-z]*$")
_DIGITS = re.compile(r"\d+")
# Attribute words: like numbers, two titles naming different colours or sizes name different products.
COLOURS = frozenset({
    "red", "pink", "blue", "green", "yellow", "white", "black", "grey", "gray", "purple", "orange", "brown",
    "ivory", "cream", "gold", "silver", "natural", "navy", "beige", "turquoise", "lilac", "mint", "teal",
})
SIZES = frozenset({"small", "large", "mini", "medium", "jumbo", "big", "xs", "xl", "xxl"})
# Words that say nothing about which product it is.
_FILLER = frozenset({"装", "款", "的", "新", "新款", "of", "the", "and", "a", "with", "for", "in"})


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@cache
def _to_simplified() -> OpenCC:
    """OpenCC's traditional-to-simplified converter (pure Python; its dictionaries load once, ~0.6 s)."""
    return OpenCC("t2s")


def fold(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, traditional Chinese to simplified ("水潤保濕面膜10片裝"
    reads as "水润保湿面膜10片装")."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if _HAN.search(folded):
        folded = str(_to_simplified().convert(folded))
    return folded.translate(_VARIANTS)


def _strip_zeros(number: str) -> str:
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number.lstrip("0") or "0"


def normalize_title(text: str) -> str:
    """Space-separated tokens: words, single CJK characters, and number tokens such as `10pc`, `50ml`."""
    folded = fold(text)
    folded = _PACK_OF.sub(lambda m: f" {_strip_zeros(m.group(1))}pc ", folded)
    folded = _MEASURE.sub(lambda m: f" {_strip_zeros(m.group(1))}{_MEASURES[m.group(2)]} ", folded)
    folded = _COUNT.sub(lambda m: f" {_strip_zeros(m.group(1))}pc ", folded)
    folded = _BARE_PACK.sub(lambda m: f" {_strip_zeros(m.group(1))}pc ", folded)
    folded = _CJK.sub(r" \1 ", folded)
    folded = _STRAY_DOT.sub(" ", _NON_WORD.sub(" ", folded))
    return " ".join(token for token in folded.split() if token not in _FILLER)


def normalize_code(text: str) -> str:
    """Identifier form for exact rules: NFKC, upper case, no surrounding or inner whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).upper().split())


def code_core(text: str) -> str:
    """Letters and digits only, for fuzzy code comparison ("SH-84347" -> "SH84347")."""
    return "".join(ch for ch in normalize_code(text) if ch.isalnum())


def is_code_like(text: str) -> bool:
    """One token, no CJK, at least one digit: looks like an identifier rather than a title."""
    stripped = text.strip()
    return bool(stripped) and " " not in stripped and not _CJK.search(stripped) and any(c.isdigit() for c in stripped)


def number_tokens(normalized: str) -> frozenset[str]:
    """The number tokens of a normalised title (`10pc`, `50ml`, `3`), the strongest matching signal."""
    return frozenset(token for token in normalized.split() if _NUMBER_TOKEN.match(token))


def number_mask(tokens: frozenset[str]) -> int:
    """A 63-bit fingerprint of a set of number tokens; two sets are disjoint when their masks share no bit
    (up to rare hash collisions, which can only hide a conflict, never invent one)."""
    mask = 0
    for token in tokens:
        mask |= 1 << (zlib.crc32(token.encode()) % 63)
    return mask


@dataclass(frozen=True)
class Prepared:
    """Everything the matcher needs about one string, computed once."""

    text: str
    title: str  # normalize_title(text)
    code: str  # code_core(text)
    code_like: bool
    numbers: int  # number_mask of the title's number tokens (codes: of their digit runs)
    colours: int  # number_mask of its colour words
    sizes: int  # number_mask of its size words


def prepare(text: str) -> Prepared:
    code_like = is_code_like(text)
    title = normalize_title(text)
    core = code_core(text)
    # A code's digit runs play the part of a title's counts and sizes.
    numbers = number_mask(frozenset(_DIGITS.findall(core)) if code_like else number_tokens(title))
    words = title.split()
    return Prepared(
        text=text, title=title, code=core, code_like=code_like, numbers=numbers,
        colours=number_mask(frozenset(w for w in words if w in COLOURS)),
        sizes=number_mask(frozenset(w for w in words if w in SIZES)),
    )
