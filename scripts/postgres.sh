#!/usr/bin/env bash
# Install (from Debian's packages, if missing) and start a local PostgreSQL server for the tests,
# then create the role and database Open LRS uses. Prints the SQLAlchemy URL on its last line.
# Usage: scripts/postgres.sh            (needs root, as on CI and the dev machines)
set -euo pipefail
# The postgres user cannot enter the caller's directory; run its commands from /.
cd /

PGPORT="${LRS_PG_PORT:-5432}"
PGUSER_NAME="${LRS_PG_USER:-lrs}"
PGPASS="${LRS_PG_PASSWORD:-lrs-test-only}"
PGDB="${LRS_PG_DB:-lrs_test}"
# PostgreSQL's own cache, shared_buffers: its default is 128MB, where a production server has
# about a quarter of its memory. LRS_PG_SHARED_BUFFERS=6GB scripts/postgres.sh starts the
# server with 6GB (only when it starts it; docs/performance.md has the 10M runs with both).
PGSHARED="${LRS_PG_SHARED_BUFFERS:+-c shared_buffers=$LRS_PG_SHARED_BUFFERS}"

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "installing PostgreSQL from Debian's packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA="${LRS_PG_DATA:-/var/tmp/open-lrs-pg}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  su postgres -c "$PGBIN/initdb -D '$PGDATA' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >&2
fi

if ! su postgres -c "$PGBIN/pg_ctl -D '$PGDATA' status" >/dev/null 2>&1; then
  mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql
  su postgres -c "$PGBIN/pg_ctl -D '$PGDATA' -l '$PGDATA/server.log' -w \
    -o '-p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 $PGSHARED' start" >&2
fi

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PGPORT -U postgres -tAc \"$1\""; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_NAME'")" != "1" ]; then
  psql_admin "CREATE ROLE $PGUSER_NAME LOGIN CREATEDB PASSWORD '$PGPASS'" >&2
fi
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname='$PGDB'")" != "1" ]; then
  psql_admin "CREATE DATABASE $PGDB OWNER $PGUSER_NAME" >&2
fi

echo "postgresql+psycopg://$PGUSER_NAME:$PGPASS@127.0.0.1:$PGPORT/$PGDB"
