"""Library work behind the service's publishing routes: dumps, JSON-LD, VoID + DCAT, the SPARQL Service
Description and the ontology documentation, each a function of the build."""
