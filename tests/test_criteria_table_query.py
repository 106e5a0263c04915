"""queries/criteria-table.rq gives the same rows as its straightforward formulation (FILTER NOT EXISTS,
the text it had before it was rewritten for scale: bench/results/scale-*), on every day where an
answer can change, on the real data and on a synthetic world with unknown entries into force; bound
both ways the service binds it (pyoxigraph substitutions, and the text substitution of a remote store)."""

from __future__ import annotations

import datetime
from collections import Counter

import pyoxigraph as ox
import pytest

from bench.world import generate
from commit_kg.build import build
from commit_kg.catalogue import Catalogue
from commit_kg.namespaces import CK, XSD
from commit_kg.settings import Settings
from commit_kg.sparql_text import substitute
from commit_kg.store import EmbeddedStore

REFERENCE = """PREFIX ck: <https://w3id.org/commit-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?as_of ?country ?criterion ?criterion_label ?status ?assessed_on ?assessment ?law ?law_label ?valid_from ?data_gap
WHERE {
  <https://w3id.org/commit-kg/id/process/commit> ck:memberCountry ?c .
  ?c ck:iso3166Alpha3 ?country .
  ?crit a ck:LegalFrameworkCriterion ; skos:notation ?criterion ; rdfs:label ?criterion_label .
  FILTER (lang(?criterion_label) = "en")
  OPTIONAL {
    ?assessment ck:assessedCountry ?c ; ck:criterion ?crit ; ck:assessedOn ?assessed_on ; ck:assessmentStatus ?st ;
                ck:validFrom|ck:validNoLaterThan ?valid_from .
    FILTER (?valid_from <= ?as_of)
    FILTER NOT EXISTS {
      ?later ck:assessedCountry ?c ; ck:criterion ?crit ; ck:assessedOn ?later_on ;
             ck:validFrom|ck:validNoLaterThan ?later_from .
      FILTER (?later_from <= ?as_of && (?later_from > ?valid_from || (?later_from = ?valid_from && ?later_on > ?assessed_on)))
    }
    FILTER NOT EXISTS {
      ?open ck:assessedCountry ?c ; ck:criterion ?crit ; ck:validNoLaterThan ?open_by .
      OPTIONAL { ?open ck:validNotBefore ?open_from }
      FILTER (?as_of < ?open_by && (!BOUND(?open_from) || ?open_from <= ?as_of))
    }
    BIND (STRAFTER(STR(?st), "/assessment-status/") AS ?status)
    OPTIONAL { ?assessment ck:assessesLaw ?law OPTIONAL { ?law rdfs:label ?law_label FILTER (lang(?law_label) = "en") } }
  }
  BIND (!BOUND(?status) || ?status = "unknown" AS ?data_gap)
}"""
EIF = ox.NamedNode(CK + "entryIntoForceOn")


def answer(store: EmbeddedStore, text: str, day: datetime.date, *, as_text: bool = False) -> Counter:
    """The rows (all columns, as a multiset) of `text` with ?as_of = day, bound as the embedded store
    binds it, or (as_text) spliced in by sparql_text.substitute as for a remote store."""
    term = ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    solutions = (store.query(substitute(text, {"as_of": str(term)})) if as_text
                 else store.query(text, substitutions={ox.Variable("as_of"): term}))
    names = [v.value for v in solutions.variables]
    return Counter(tuple((n, str(s[n])) for n in names) for s in solutions)


def turning_days(store: EmbeddedStore, every: int = 1) -> list[datetime.date]:
    """Each date an assessment starts, may start, or was made, with the days before and after it."""
    found = store.select(f"""SELECT DISTINCT ?d WHERE {{
        ?a <{CK}validFrom>|<{CK}validNoLaterThan>|<{CK}validNotBefore>|<{CK}assessedOn> ?d }}""")
    days = {datetime.date.fromisoformat(r["d"].value) + datetime.timedelta(days=k) for r in found for k in (-1, 0, 1)}
    return sorted(days)[::every]


def assert_same_rows(store: EmbeddedStore, query: str, days: list[datetime.date]) -> Counter:
    """The rewritten query answers the reference's rows on each day, bound both ways; counts what kinds
    of cells were compared (so a comparison of empty answers cannot pass)."""
    kinds: Counter = Counter()
    for day in days:
        expected = answer(store, REFERENCE, day)
        assert answer(store, query, day) == expected, day
        assert answer(store, query, day, as_text=True) == expected, day
        for row in expected:
            kinds["assessed" if dict(row)["status"] != "None" else "no assessment"] += 1
    return kinds


def test_the_same_rows_as_the_reference_on_the_real_data(store, catalogue):
    days = turning_days(store)
    kinds = assert_same_rows(store, catalogue.get("criteria-table").text, days)
    assert len(days) > 20
    assert kinds["assessed"] > 0 and kinds["no assessment"] > 0


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """A small synthetic world (bench/world.py) in which every third law's entry into force is unknown,
    built through the real gate."""
    world = tmp_path_factory.mktemp("world") / "data"
    generate(world, triples=4000, states=8, treaties=4)
    legal = world / "synthetic-legal.ttl"
    kept = [t for t in ox.parse(path=legal, format=ox.RdfFormat.TURTLE)
            if not (t.predicate == EIF and int(t.subject.value.rsplit("/", 1)[1]) % 3 == 0)]
    legal.write_bytes(ox.serialize(kept, format=ox.RdfFormat.TURTLE))
    return EmbeddedStore(build(Settings(data_dir=world, cache_dir=tmp_path_factory.mktemp("cache"))).store)


def test_the_same_rows_as_the_reference_on_a_synthetic_world(synthetic, settings):
    unknown = synthetic.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{CK}validNoLaterThan> ?d }}")[0]["n"]
    days = turning_days(synthetic, every=7)
    kinds = assert_same_rows(synthetic, Catalogue(settings.queries_dir).get("criteria-table").text, days)
    assert int(unknown.value) > 10
    assert len(days) > 20
    assert kinds["assessed"] > 0 and kinds["no assessment"] > 0
