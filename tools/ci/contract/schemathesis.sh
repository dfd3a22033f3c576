#!/usr/bin/env bash
# Runs Schemathesis from a cached virtualenv outside the checkout, installing it from PyPI on
# first use (or when requirements.txt changes), the way tools/ci/infra-checks.sh caches its tools.
#
#   tools/ci/contract/schemathesis.sh --install-only
#   tools/ci/contract/schemathesis.sh run <schema-url> [options]   (what the contract test runs)
set -Eeuo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${CONTRACT_TOOLS_CACHE:-$HOME/.cache/pricewatch/contract-tools}"
VENV="$CACHE/venv"
STAMP="$VENV/.requirements.sha256"
want="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/schemathesis" || ! -f "$STAMP" || "$(cat "$STAMP")" != "$want" ]]; then
  printf 'installing schemathesis into %s ...\n' "$VENV" >&2
  mkdir -p "$CACHE"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  timeout "${INSTALL_TIMEOUT:-900}" "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    -r "$HERE/requirements.txt"
  echo "$want" >"$STAMP"
fi
[[ "${1:-}" == "--install-only" ]] && exit 0
exec "$VENV/bin/schemathesis" "$@"
