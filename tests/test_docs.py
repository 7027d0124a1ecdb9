"""docs/ODD.md must agree with the code: its parameter table is generated from PARAMS."""

from __future__ import annotations

from pathlib import Path

import pytest

from deterrence_sim.docs import ODD_TABLE_BEGIN, ODD_TABLE_END, format_value, parameter_table_markdown, refresh_odd
from deterrence_sim.params import PARAMS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
HOW_TO_FIX = "run `python -m deterrence_sim.docs` to regenerate the parameter table in docs/ODD.md"


def _odd_text() -> str:
    assert ODD.is_file(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


def test_odd_parameter_table_matches_params():
    text = _odd_text()
    assert text.count(ODD_TABLE_BEGIN) == 1 and text.count(ODD_TABLE_END) == 1, (
        f"docs/ODD.md must contain each table marker exactly once; {HOW_TO_FIX}"
    )
    in_doc = text.split(ODD_TABLE_BEGIN, 1)[1].split(ODD_TABLE_END, 1)[0].strip()
    expected = parameter_table_markdown().strip()
    if in_doc != expected:
        doc_lines, code_lines = in_doc.splitlines(), expected.splitlines()
        first = next(
            (i for i, (a, b) in enumerate(zip(doc_lines, code_lines)) if a != b), min(len(doc_lines), len(code_lines))
        )
        pytest.fail(
            "the parameter table in docs/ODD.md is out of date with deterrence_sim.params.PARAMS "
            f"(first difference at table line {first + 1}:\n"
            f"  doc:  {doc_lines[first] if first < len(doc_lines) else '<end>'}\n"
            f"  code: {code_lines[first] if first < len(code_lines) else '<end>'});\n{HOW_TO_FIX}"
        )


def test_every_parameter_is_named_in_odd():
    text = _odd_text()
    missing = [name for name in PARAMS if name not in text]
    assert not missing, f"parameters missing from docs/ODD.md: {', '.join(missing)}; {HOW_TO_FIX}"


def test_table_has_one_row_per_parameter_and_escapes_pipes():
    table = parameter_table_markdown()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(PARAMS)
    header_cells = table.splitlines()[2].count("|")
    for row in rows:  # an unescaped | would add a column
        assert row.replace("\\|", "").count("|") == header_cells, row


def test_value_formatting():
    assert format_value({"2025-08-06": 100.0}) == "2025-08-06: 100"
    assert format_value({"2025-12-01": 2.0, "2025-09-15": 1.5}) == "2025-09-15: 1.5, 2025-12-01: 2"
    assert format_value((2.8, 2.3, 7.0)) == "2.8, 2.3, 7"
    assert format_value(True) == "true"
    assert format_value(0.0008) == "0.0008"
    assert format_value(1_234_567.0) == "1234567"


def test_refresh_odd_rewrites_only_between_markers(tmp_path):
    doc = tmp_path / "ODD.md"
    doc.write_text(f"# title\n\n{ODD_TABLE_BEGIN}\nstale\n{ODD_TABLE_END}\n\nafter\n", encoding="utf-8")
    assert refresh_odd(doc) is True
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(f"# title\n\n{ODD_TABLE_BEGIN}\n") and text.endswith(f"{ODD_TABLE_END}\n\nafter\n")
    assert "stale" not in text and parameter_table_markdown() in text
    assert refresh_odd(doc) is False  # idempotent
    bad = tmp_path / "bad.md"
    bad.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError):
        refresh_odd(bad)


def test_every_rule_module_brings_its_own_heading_in_rule_order(monkeypatch):
    """The headings of the parameter tables come from the rule modules' docstrings ("Rule 6a,
    interception at sea: ..."), in the order of the rules; a module whose docstring does not begin
    so is refused by name."""
    from pathlib import Path

    import deterrence_sim.rules as rules
    from deterrence_sim.docs import mechanism_title

    modules = sorted(p.stem for p in Path(rules.__file__).parent.glob("*.py") if p.stem != "__init__")
    order = sorted(modules, key=lambda m: mechanism_title(m)[0])
    assert order[:3] == ["inflow", "weather", "decision"] and order.index("interception") == order.index("france") + 1
    assert mechanism_title("interception")[1] == "Rule 6a: interception at sea (rules/interception.py)"
    assert mechanism_title("no_such_rule") == ((999, "no_such_rule"), "no_such_rule")
    import pytest

    from deterrence_sim.rules import weather

    monkeypatch.setattr(weather, "__doc__", "Whether the sea allows crossings.")
    with pytest.raises(ValueError, match=r"rules/weather\.py"):
        mechanism_title("weather")
