"""Hostile configs are refused fast, with a clear located error, and never touch files or network."""

from __future__ import annotations

import re
import time

import pytest

from lsx.engine.config import ConfigError, parse_config

XXE = """<?xml version="1.0"?>
<!DOCTYPE View [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<View><Text name="t" value="&xxe;"/></View>"""
PARAMETER_ENTITY = """<!DOCTYPE View [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<View/>"""
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + ']>\n<View><Text name="t" value="&lol9;"/></View>'
)
EXTERNAL_DTD = '<!DOCTYPE View SYSTEM "http://127.0.0.1:9/labels.dtd">\n<View/>'
UNDECLARED_ENTITY = '<View>\n  <Text name="t" value="&xxe;"/>\n</View>'
HUGE = "<View>" + "<Header value='x'/>" * (50 * 1024 * 1024 // 18) + "</View>"
DEEP = "<View>" * 10_000 + "</View>" * 10_000

CASES = {
    "xxe": (XXE, "DOCTYPE"),
    "parameter_entity": (PARAMETER_ENTITY, "DOCTYPE"),
    "billion_laughs": (BILLION_LAUGHS, "DOCTYPE"),
    "external_dtd": (EXTERNAL_DTD, "DOCTYPE"),
    "undeclared_entity": (UNDECLARED_ENTITY, "entit"),
    "50mb": (HUGE, "10 MB"),
    "deep_nesting": (DEEP, "deeper than"),
}
LOCATED = re.compile(r"^config\.xml:\d+:\d+: <[^>]+>: ")


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_config_is_rejected_fast_with_located_error(case: str) -> None:
    xml, fragment = CASES[case]
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        parse_config(xml)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5, f"{case} took {elapsed:.3f}s"
    messages = [str(p) for p in info.value.problems]
    assert any(fragment in m for m in messages), messages
    assert all(LOCATED.match(m) for m in messages), messages


def test_xxe_never_reads_the_file() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(XXE)
    assert "root:" not in str(info.value)


def test_depth_limit_is_enforced_below_libxml_limit() -> None:
    xml = "<View>" * 150 + "</View>" * 150
    with pytest.raises(ConfigError, match="deeper than the limit of 100"):
        parse_config(xml)


def test_non_text_config_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        parse_config(12)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        parse_config(b"\xff\xfe<View/>")  # type: ignore[arg-type]
