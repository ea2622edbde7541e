#!/usr/bin/env bash
# The main job on the bundled example corpus: ingest examples/, analyse it, and write the
# brief of every story as Markdown (printed) and as one self-contained HTML file.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p out
rm -f out/examples.db out/examples.db-wal out/examples.db-shm
.venv/bin/newsweave ingest examples --db out/examples.db
.venv/bin/newsweave stories --db out/examples.db
.venv/bin/newsweave brief examples --db out/examples.db --format html -o out/briefs.html
.venv/bin/newsweave brief examples --db out/examples.db --format md -o out/briefs.md
cat out/briefs.md
echo
echo "demo: briefs written to out/briefs.md and out/briefs.html; the store is out/examples.db" >&2
echo "      (try: .venv/bin/newsweave serve --db out/examples.db)" >&2
