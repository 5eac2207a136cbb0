#!/usr/bin/env bash
# Start the local PostgreSQL the tests use, if it is not already accepting connections.
# Idempotent: does nothing when it is up. Used by `make test`.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1; then
  echo "ensure-services: PostgreSQL client tools not found; installing postgresql" >&2
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "ensure-services: cannot install PostgreSQL here (need root and apt-get)" >&2
    exit 1
  fi
fi

if ! pg_up; then
  echo "ensure-services: starting PostgreSQL" >&2
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi

if ! pg_up; then
  echo "ensure-services: PostgreSQL is not accepting connections on 127.0.0.1:5432" >&2
  exit 1
fi

# Trust auth for the postgres user over TCP is how this machine is set up; check it.
psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1" >/dev/null
echo "ensure-services: PostgreSQL ready on 127.0.0.1:5432" >&2
