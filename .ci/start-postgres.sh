#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster and create the test role and an empty database (idempotent:
# the machine may be reused). Local use: sudo bash .ci/start-postgres.sh
set -euo pipefail
version=$(pg_lsclusters -h | awk 'NR==1{print $1}')
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  pg_createcluster "$version" main
fi
pg_ctlcluster "$version" main start 2>/dev/null || pg_ctlcluster "$version" main status >/dev/null
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1 -p 5432" && break
  sleep 1
done
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dashboard') THEN
    CREATE ROLE dashboard LOGIN CREATEDB PASSWORD 'dashboard';
  END IF;
END $$;
DROP DATABASE IF EXISTS dashboard_test;
CREATE DATABASE dashboard_test OWNER dashboard;
SQL
