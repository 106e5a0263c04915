"""The HTML query page a browser gets at /sparql instead of the Service Description."""

from __future__ import annotations

import html

from ..namespaces import PREFIXES


def query_page(base: str) -> str:
    """A plain query form for browsers; it posts to the endpoint and needs no script."""
    endpoint = html.escape(f"{base}/sparql")
    prefixes = "\n".join(f"<tr><td><code>{html.escape(name)}:</code></td><td><code>{html.escape(namespace)}</code></td></tr>"
                         for name, namespace in PREFIXES.items())
    example = html.escape("""SELECT ?ppc ?title WHERE {
  ?ppc dcterms:isPartOf <https://w3id.org/commit-kg/id/plan/spa2> ; rdfs:label ?title .
  FILTER (lang(?title) = "en")
}""")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>commit-kg SPARQL endpoint</title></head>
<body><h1>commit-kg SPARQL endpoint</h1>
<p>SPARQL 1.1 query endpoint at <code>{endpoint}</code> (read-only). Ask for
<code>text/turtle</code> to get its Service Description.</p>
<form method="post" action="{endpoint}">
<p><textarea name="query" rows="12" cols="90">{example}</textarea></p>
<p><label>Results as <select name="format">
<option value="json">SPARQL JSON</option><option value="xml">SPARQL XML</option>
<option value="csv">CSV</option><option value="tsv">TSV</option></select></label>
<button type="submit">Run</button></p></form>
<h2 id="prefixes">Predeclared prefixes</h2>
<p>These prefixes hold in every query without a <code>PREFIX</code> line (a query's own
<code>PREFIX</code> wins). The Service Description lists them too (<code>sh:declare</code>).</p>
<table><thead><tr><th>prefix</th><th>namespace</th></tr></thead><tbody>
{prefixes}
</tbody></table></body></html>"""
