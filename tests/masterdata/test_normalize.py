"""Normalisation: width, case, unit words and numbers, on CJK and Latin titles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockturn.masterdata.normalize import (
    code_core,
    is_code_like,
    normalize_code,
    normalize_title,
    number_tokens,
    prepare,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("水润面膜10片装", "水 润 面 膜 10pc"),
        ("面膜10P", "面 膜 10pc"),
        ("面膜 １０ｐｃｓ", "面 膜 10pc"),  # full-width digits and letters fold to half-width
        ("水潤保濕面膜10片裝", "水 润 保 湿 面 膜 10pc"),  # traditional Chinese reads as simplified
        ("纯棉袜子5双装", "纯 棉 袜 子 5pc"),
        ("精华液30毫升", "精 华 液 30ml"),
        ("保湿 精华液 50ML", "保 湿 精 华 液 50ml"),
        ("运动水壶1升", "运 动 水 壶 1l"),
        ("PACK OF 72 RETROSPOT CAKE CASES", "72pc retrospot cake cases"),
        ("72 PACK RETROSPOT CAKE CASES", "72pc retrospot cake cases"),
        ("S/16 VINTAGE ROSE CUTLERY", "16pc vintage rose cutlery"),
        ("SET OF 3 CAKE TINS", "3pc cake tins"),
        ("マグカップ 350ml 白", "マ グ カ ッ プ 350ml 白"),
        ("WHITE HANGING HEART T-LIGHT HOLDER", "white hanging heart t light holder"),
    ],
)
def test_normalize_title(text: str, expected: str) -> None:
    assert normalize_title(text) == expected


def test_counts_are_number_tokens_and_differ_between_10_and_20() -> None:
    assert number_tokens(normalize_title("水润面膜10片装")) == number_tokens(normalize_title("面膜10P")) == {"10pc"}
    assert number_tokens(normalize_title("面膜20片")) == {"20pc"}
    assert prepare("面膜10片").numbers != prepare("面膜20片").numbers
    assert prepare("面膜10片").numbers & prepare("面膜10P").numbers


def test_codes() -> None:
    assert normalize_code(" ８５０９９ｃ ") == "85099C"
    assert normalize_code("sh 84347") == "SH84347"
    assert code_core("SH-84347") == "SH84347"
    assert is_code_like("SH-84347")
    assert not is_code_like("面膜10P")
    assert not is_code_like("JUMBO BAG 2")
    assert not is_code_like("ABC")


_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40))
def test_full_width_text_normalises_like_half_width(text: str) -> None:
    wide = text.translate(_FULL_WIDTH).replace(" ", "\u3000")
    assert normalize_title(wide) == normalize_title(text)
    assert normalize_code(wide) == normalize_code(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_prepares_without_error(text: str) -> None:
    prepared = prepare(text)
    assert prepared.title == normalize_title(text)
    assert 0 <= prepared.numbers < 2**63
