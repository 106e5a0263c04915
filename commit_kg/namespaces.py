"""Every namespace the project uses, declared once, and the one prefix map built from them."""

BASE = "https://w3id.org/commit-kg/"
ONTOLOGY = BASE + "ontology"
CK = ONTOLOGY + "#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
VERSION_GRAPH = GRAPH + "version"  # holds `<graph/> owl:versionInfo "…"`: the version a store holds
SEED_DOCUMENT = ID + "source/spa2-overview-th"

PREFIXES: dict[str, str] = {
    "ck": CK,
    "id": ID,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
}

XSD = PREFIXES["xsd"]
