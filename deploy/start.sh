#!/usr/bin/env bash
# Production start: refuse to start on a bad configuration, migrate, collect static files, serve.
# The environment holds the settings (see README.md, "Settings"); DEBUG must be off.
# Access lines carry the path, never the query string (search terms could be children's names).
set -euo pipefail
cd "$(dirname "$0")/.."
python manage.py check --deploy --fail-level WARNING
python manage.py migrate --no-input
python manage.py collectstatic --no-input --verbosity 0
exec gunicorn config.wsgi:application \
  --bind "${BIND:-127.0.0.1:8000}" \
  --workers "${WEB_CONCURRENCY:-3}" \
  --access-logfile - \
  --access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s' \
  --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
