"""The loader reads Turtle, N-Triples, N-Quads and TriG: triples go to a graph named after their file,
quads keep the graph their file gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from commit_kg.errors import ParseError
from commit_kg.loading import parse_folder

TRIPLE = "<http://e/a> <http://e/p> <http://e/b> .\n"


def test_each_format_and_its_graph_names(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "one.ttl").write_text("@prefix e: <http://e/> . e:a e:p e:b .\n")
    (tmp_path / "sub" / "two.nt").write_text(TRIPLE)
    (tmp_path / "three.nq").write_text("<http://e/a> <http://e/p> <http://e/b> <http://g/named> .\n" + TRIPLE)
    (tmp_path / "four.trig").write_text("<http://g/t> { <http://e/a> <http://e/p> <http://e/c> }\n"
                                        "<http://e/x> <http://e/p> <http://e/y> .\n")
    graphs = {f.path.name: sorted({q.graph_name.value for q in f.quads}) for f in parse_folder("data", tmp_path)}
    base = "https://w3id.org/commit-kg/graph/data/"
    assert graphs == {
        "one.ttl": [base + "one"],
        "two.nt": [base + "sub/two"],
        "three.nq": sorted(["http://g/named", base + "three"]),
        "four.trig": sorted(["http://g/t", base + "four"]),
    }


def test_a_broken_nquads_line_is_located(tmp_path: Path):
    (tmp_path / "bad.nq").write_text(TRIPLE + "<http://e/a> <http://e/p> .\n")
    with pytest.raises(ParseError) as caught:
        parse_folder("data", tmp_path)
    assert caught.value.line == 2 and "bad.nq:2:" in caught.value.message
