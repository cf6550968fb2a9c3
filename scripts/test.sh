#!/usr/bin/env bash
# The whole test suite: lint, types, then every test on SQLite and on a real PostgreSQL server,
# and the portal's journeys in Debian's Chromium (installed here if missing, which needs root).
# PostgreSQL: uses LRS_TEST_POSTGRES_URL when set; otherwise starts a local server with
# scripts/postgres.sh (installing it from Debian's packages if needed, which needs root).
# Set LRS_TEST_POSTGRES=off to run on SQLite only (not what CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== lint and types"
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/mypy

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Chromium for the portal's browser tests (Debian's package)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }; then
    echo "could not install Chromium: the browser tests (tests/web) need /usr/bin/chromium;" >&2
    echo "install Debian's chromium package as root and run make test again" >&2
    exit 1
  fi
fi

if [ -z "${LRS_TEST_POSTGRES_URL:-}" ] && [ "${LRS_TEST_POSTGRES:-on}" != "off" ]; then
  echo "== starting PostgreSQL (scripts/postgres.sh)"
  if ! url=$(bash scripts/postgres.sh | tail -n 1); then
    echo "could not start PostgreSQL: set LRS_TEST_POSTGRES_URL to a server you can use," >&2
    echo "or LRS_TEST_POSTGRES=off to test on SQLite only" >&2
    exit 1
  fi
  export LRS_TEST_POSTGRES_URL="$url"
fi
if [ -n "${LRS_TEST_POSTGRES_URL:-}" ]; then
  echo "== tests on SQLite and PostgreSQL"
else
  echo "== tests on SQLite only (LRS_TEST_POSTGRES=off)"
fi
exec $BIN/pytest --cov --cov-report=term "$@"
