#!/usr/bin/env bash
# Sets up a fresh clone: the system libraries WeasyPrint renders with, then a virtual
# environment in .venv with the package (and, with the argument "test", its test extras).
# Nothing here or at run time downloads anything but packages from PyPI and Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

# postgresql: initdb and pg_ctl, with which the ledger tests start a throwaway server when
# none answers on 127.0.0.1:5432 (tests/ledger/ledger_postgres.py).
system_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils qpdf postgresql)
missing=()
for package in "${system_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install: system packages ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "install: warning: missing ${missing[*]} (needs root and apt-get); PDF rendering" \
         "may fail or be slower, PDF checks in the tests will be skipped, and PostgreSQL" \
         "ledger tests need a server (COMPLIANCE_TEST_POSTGRES_URL)" >&2
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# The editable install warns that a folder named like the package could shadow it: that is
# templates/, mapped into the package on purpose (pyproject's package-dir), so the notice is
# silenced rather than shown to every new user.
quiet_build="ignore::UserWarning"
if [ "${1:-}" = "test" ]; then
  PYTHONWARNINGS="$quiet_build" .venv/bin/python -m pip install -q -e ".[test]"
else
  PYTHONWARNINGS="$quiet_build" .venv/bin/python -m pip install -q -e .
fi
echo "install: ready (.venv/bin/compliance)"
