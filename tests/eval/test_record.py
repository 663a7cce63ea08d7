from __future__ import annotations

from pathlib import Path

from eval.record import markdown_table, render_results, write_record


def test_records_render_in_name_order_with_command_data_and_date(tmp_path: Path) -> None:
    write_record("b_suite", "B", "parallax eval b", "data B", {"x": 1}, "body B", tmp_path)
    write_record("a_suite", "A", "parallax eval a", "data A", {"x": 2}, "body A", tmp_path)
    text = render_results(tmp_path)
    assert text.index("## A") < text.index("## B")
    assert "- Command: `parallax eval a`\n- Data: data A\n- Date: " in text
    assert "body B" in text


def test_markdown_table_formats_floats() -> None:
    assert markdown_table(["a", "b"], [["x", 0.12345]]) == "| a | b |\n|---|---|\n| x | 0.123 |"


def test_flatten_gives_dotted_keys() -> None:
    from eval.record import flatten

    assert flatten({"a": {"b": 1, "c": [2, 3]}, "d": "x"}) == [
        ("a.b", 1), ("a.c[0]", 2), ("a.c[1]", 3), ("d", "x")]  # fmt: skip
