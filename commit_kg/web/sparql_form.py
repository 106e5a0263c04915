"""The HTML query form a browser gets at /sparql instead of the Service Description, in English or Thai."""

from __future__ import annotations

from ..namespaces import PREFIXES
from .generic import Language
from .html import document, esc, table

EXAMPLE = """SELECT ?ppc ?title WHERE {
  ?ppc dcterms:isPartOf <https://w3id.org/commit-kg/id/plan/spa2> ; rdfs:label ?title .
  FILTER (lang(?title) = "en")
}"""
FORMATS = (("json", "SPARQL JSON"), ("xml", "SPARQL XML"), ("csv", "CSV"), ("tsv", "TSV"))


def code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def query_page(base: str, language: Language) -> str:
    """A plain query form for browsers; it posts to the endpoint and needs no script."""
    _ = language._
    endpoint = f"{base}/sparql"
    words = {"title": esc(_("commit-kg SPARQL endpoint")), "query": esc(_("SPARQL query")),
             "results": esc(_("Results as")), "run": esc(_("Run")), "prefixes": esc(_("Predeclared prefixes"))}
    intro = esc(_("SPARQL 1.1 query endpoint at %(endpoint)s (read-only). Ask for %(media)s to get its "
                  "Service Description.")) % {"endpoint": code(endpoint), "media": code("text/turtle")}
    declared = esc(_("These prefixes hold in every query without a %(prefix)s line (a query's own %(prefix)s "
                     "wins). The Service Description lists them too (%(declare)s).")) % {
        "prefix": code("PREFIX"), "declare": code("sh:declare")}
    options = "".join(f'<option value="{name}">{esc(title)}</option>' for name, title in FORMATS)
    prefixes = table((_("prefix"), _("namespace")),
                     ((code(f"{name}:"), code(namespace)) for name, namespace in PREFIXES.items()))
    body = f"""<h1>{words["title"]}</h1>
<p>{intro}</p>
<form method="post" action="{esc(endpoint)}">
<p><label for="sparql-query">{words["query"]}</label></p>
<p><textarea id="sparql-query" name="query" rows="12" cols="90" lang="en">{esc(EXAMPLE)}</textarea></p>
<p><label>{words["results"]} <select name="format">{options}</select></label>
<button type="submit">{words["run"]}</button></p></form>
<h2 id="prefixes">{words["prefixes"]}</h2>
<p>{declared}</p>
{prefixes}"""
    return document(title=_("SPARQL endpoint"), body=body, lang=language.code, switch=language.switch(endpoint), _=_)
