"""Front matter is read once by libyaml and built by the safe constructor: the same values as yaml.safe_load."""

from __future__ import annotations

import datetime

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.frontmatter import FrontMatterError, load_yaml, parse

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.dates(),
                    st.floats(allow_nan=False))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=10), VALUES, min_size=1, max_size=5))
def test_values_equal_yaml_safe_load(meta):
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    assert parse(f"---\n{text}---\nbody").meta == yaml.safe_load(text)


def test_anchors_merges_and_dates():
    doc = parse("---\nbase: &b\n  x: 1\nc:\n  <<: *b\n  y: 2\nwhen: 2025-05-20\n---\n")
    assert doc.meta == {"base": {"x": 1}, "c": {"x": 1, "y": 2}, "when": datetime.date(2025, 5, 20)}
    assert doc.line_of("c", "y") == 6 and doc.line_of("when") == 7


def test_an_impossible_date_stays_text_for_its_field_to_report():
    assert parse("---\ndate: 2025-13-08\n---\n").meta == {"date": "2025-13-08"}


@pytest.mark.parametrize("text, line, words", [
    ("---\ntitle: \ud800\n---\nbody", 2, "cannot read"),
    ("---\nx: !!python/object/apply:os.system ['true']\n---\n", 2, "invalid YAML"),
    ("---\na: [1, 2\n---\n", 3, "invalid YAML"),
])
def test_unreadable_front_matter_is_a_located_error(text, line, words):
    with pytest.raises(FrontMatterError) as caught:
        parse(text)
    assert words in caught.value.message
    assert caught.value.line >= 2 and caught.value.line <= line


FRONT = ("id: anna-berg\nname: Anna Berg\naliases: [A. Berg]\nappearances:\n  - session: s1\n    role: chair\n"
         "  - session: s2\n    role: \"speaker\"\ndate: 2025-13-08\n")


def test_lines_are_made_when_first_asked_for_and_equal_an_eager_read():
    doc = parse(f"---\n{FRONT}---\nAnna Berg chairs the first session.\n")
    assert doc._lines is None  # kept as text until a problem needs a line
    assert doc.meta["appearances"][1]["role"] == "speaker"
    assert doc.meta["date"] == "2025-13-08"  # an impossible date stays text for its field to report
    assert doc.lines == load_yaml(FRONT, first_line=2)[1]
    assert doc.line_of("appearances", 1, "role") == 9
    assert doc.line_of("date") == 10
    assert doc.line_of("appearances", 7, "session") == doc.line_of("appearances") == 5
    assert doc.line_of("nowhere") == 1
    assert doc.body_line == 12


def test_lines_added_to_a_document_stay():
    doc = parse(f"---\n{FRONT}---\nBody.\n")
    doc.lines[("topics", "ehds")] = 4  # as taxonomy.py names a topic's line
    assert doc.line_of("topics", "ehds") == 4
