"""Schemathesis against the complete OpenAPI description of the real server: generated requests for every
operation (valid and invalid by the description), each answer held to every check: no 5xx, a documented
status, content type and headers, a body that matches the documented schema, valid data accepted,
invalid data refused, unsupported methods refused.

Bounded: COMMIT_KG_FUZZ_EXAMPLES examples per operation and phase (default 8; set it higher to fuzz
longer, e.g. COMMIT_KG_FUZZ_EXAMPLES=500)."""

from __future__ import annotations

import os

import pytest
import schemathesis

EXAMPLES = int(os.environ.get("COMMIT_KG_FUZZ_EXAMPLES", "8"))
SEED = None if "COMMIT_KG_FUZZ_EXAMPLES" in os.environ else 20261207  # the default run repeats itself
REQUEST_TIMEOUT = 30  # seconds: a hung request fails the test instead of stalling the suite

# A direct POST's body is the query text: sent as plain text is.
schemathesis.serializer.alias("application/sparql-query", "text/plain")

# Where the description cannot say what "valid" means, the statuses a valid request may also get:
# a query string is any text by the description, but only SPARQL parses (400), and which formats are
# offered depends on the query's form (406); a named query takes only its own parameters (400); a
# resource path the description allows may name nothing (404, expected by Schemathesis anyway).
EXPECTED_FOR_VALID = {
    "/sparql": [200, 304, 400, 406, 413, 422],
    "/query": [200, 400, 404, 413, 422],  # 404: an `example` that names no query
    "/api/queries/{name}": [200, 400, 404, 406],
}


def config() -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        **({"seed": SEED} if SEED is not None else {}),
        "checks": {"enabled": True},
        "generation": {"max-examples": EXAMPLES},
        "operations": [
            {"include-path": path,
             "checks": {"positive_data_acceptance": {"expected-statuses": [str(s) for s in statuses]}}}
            for path, statuses in EXPECTED_FOR_VALID.items()],
    })


@pytest.fixture(scope="module")
def api_schema(server: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{server}/openapi.json", config=config())


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_holds_to_its_description(case: schemathesis.Case) -> None:
    case.call_and_validate(timeout=REQUEST_TIMEOUT)
