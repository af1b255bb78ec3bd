# Sourced by scripts/test: the system packages the tests need (PostgreSQL for the second
# database, Chromium for the browser tests, wrk for the benchmark's smoke test), installed
# with apt when they are missing.
_missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || _missing+=(postgresql)
[ -x /usr/bin/chromium ] || _missing+=(chromium)
command -v wrk >/dev/null 2>&1 || _missing+=(wrk)
if [ ${#_missing[@]} -gt 0 ]; then
  echo "Installing system packages for the tests: ${_missing[*]}" >&2
  _sudo=""
  [ "$(id -u)" -eq 0 ] || _sudo="sudo"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: please install ${_missing[*]} (no apt-get on this machine)" >&2
    exit 1
  fi
  $_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $_sudo apt-get install -y -qq --no-install-recommends \
    "${_missing[@]}" fonts-dejavu-core >/dev/null
fi
