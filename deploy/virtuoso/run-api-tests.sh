#!/usr/bin/env bash
# The HTTP API test modules (API_MODULES of tests/test_virtuoso_backend.py) against a replica on a
# throwaway Virtuoso 7.2: each module's `server` fixture becomes `commit-kg serve --store` reading a new
# Virtuoso database (temporary folder, 127.0.0.1, free ports) that `commit-kg load --into` wrote through
# /sparql-auth (tests/remote_support.py loaded_virtuoso, tests/conftest.py server with
# COMMIT_KG_TEST_STORE=virtuoso). tests/test_virtuoso_backend.py runs the same modules in the suite; this
# script runs them alone, with pytest's arguments, and says how long they took.
#
# Usage: deploy/virtuoso/run-api-tests.sh [pytest arguments, e.g. -x or -k coverage]
# Needs `virtuoso-t` (Debian: apt-get install virtuoso-opensource-7-bin) and the test extras
# (pip install -e '.[test]'). Prints pytest's summary; exits with pytest's code.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v virtuoso-t >/dev/null || { echo "virtuoso-t is missing: apt-get install virtuoso-opensource-7-bin" >&2; exit 2; }
modules=$(python3 -c 'import sys; sys.path.insert(0, "tests"); from test_virtuoso_backend import API_MODULES; print(" ".join("tests/" + m for m in API_MODULES))')
start=$(date +%s)
status=0
# shellcheck disable=SC2086 # the module paths are words
COMMIT_KG_TEST_STORE=virtuoso python3 -m pytest -q -n 0 -p no:cacheprovider -rf $modules "$@" || status=$?
echo "API test modules on Virtuoso: $(( $(date +%s) - start )) s"
exit $status
