"""The service's front door: GET / lists where to go, until the user interface replaces it.

The same list is what `commit-kg serve` prints before it starts listening, so a person finds the service
from either. `/` answers HTML to every client, whatever its Accept header, as Oxigraph's server does for its
root page; machines find the service through the Service Description at /sparql and the VoID description.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from .deps import BaseDep
from .pages import document, esc, link

router = APIRouter(tags=["service"])

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


def home_page(base: str) -> str:
    """A plain HTML5 page: no script, no asset from elsewhere."""
    items = "\n".join(f"<li>{link(url, esc(name))}: {esc(about)} <code>{esc(url)}</code></li>"
                      for url, name, about in places(base))
    body = (
        "<h1>commit-kg</h1>\n"
        "<p>A knowledge graph about COMMIT, the cooperation of Cambodia, China, Lao PDR, Myanmar, Thailand "
        "and Viet Nam against human trafficking: its plans, meetings, laws and treaties, each fact with its "
        "source.</p>\n"
        f"<ul>\n{items}\n</ul>"
    )
    return document(title="Home", body=body)


@router.api_route("/", methods=["GET", "HEAD"], summary="Where to go: the service's main addresses",
                  response_class=HTMLResponse)
def home(base: BaseDep) -> HTMLResponse:
    return HTMLResponse(home_page(base))
