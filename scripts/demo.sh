#!/usr/bin/env bash
# The main job on the bundled example corpus: ingest examples/, analyse, print the briefs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
rm -f out/examples.db
mkdir -p out
.venv/bin/newsweave ingest examples --db out/examples.db
.venv/bin/newsweave articles --db out/examples.db
