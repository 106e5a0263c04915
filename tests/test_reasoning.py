"""HermiT over ontology + data: consistent, with no unsatisfiable class; and it does catch a contradiction."""

from __future__ import annotations

from commit_kg.cli import main


def test_ontology_and_data_are_consistent(capsys):
    assert main(["check-ontology"]) == 0
    out = capsys.readouterr().out
    assert "consistent: yes" in out and "unsatisfiable classes: 0" in out


def test_an_unsatisfiable_class_is_reported(file_copy, capsys):
    (file_copy.ontology_dir / "broken.ttl").write_text(
        """@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix ck: <https://w3id.org/commit-kg/ontology#> .
        ck:Impossible a owl:Class ; rdfs:subClassOf ck:Plan , ck:Country .
        ck:Plan owl:disjointWith ck:Country .
        """, encoding="utf-8")
    assert main(["check-ontology", "--ontology-dir", str(file_copy.ontology_dir)]) == 1
    out = capsys.readouterr().out
    assert "https://w3id.org/commit-kg/ontology#Impossible" in out
