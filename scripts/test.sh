#!/usr/bin/env bash
# The whole test suite. Installs what it needs: .venv with the test extras and, for the
# browser tests, Debian's Chromium when it is missing and we may install it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian's chromium for the browser tests" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: /usr/bin/chromium is missing and cannot be installed here; browser tests will skip" >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
