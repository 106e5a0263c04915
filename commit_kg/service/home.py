"""Where to go: the service's main addresses, which `commit-kg serve` prints before it starts listening
and every web page lists in its footer (the dashboard at / is the front door, commit_kg/web/)."""

from __future__ import annotations

# (path, name, what a reader finds there): the places a person starts from.
PLACES = (
    ("/sparql", "SPARQL endpoint", "query the graph (SPARQL 1.1 Protocol); a query form for a browser"),
    ("/docs", "API documentation", "the REST API (OpenAPI), with a form to try each route"),
    ("/ontology", "Ontology", "the vocabulary: classes and properties, labelled in English and Thai"),
    ("/dumps/", "Dumps", "the whole dataset to download, with sizes and SHA-256 checksums"),
    ("/.well-known/void", "Dataset description", "VoID: what the dataset holds, its licence and its parts"),
    ("/api/queries", "Named queries", "ready-made questions, each runnable through the REST API"),
)


def places(base: str) -> list[tuple[str, str, str]]:
    """(URL, name, description) of each place under the public base URL (no trailing slash)."""
    return [(f"{base}{path}", name, about) for path, name, about in PLACES]
