# Sourced by the other scripts: make sure uv is at hand and the environment matches uv.lock.
# Needs only Python 3.11+; uv itself is installed into .tools/ the first time.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v uv >/dev/null 2>&1; then
  if [ ! -x .tools/bin/uv ]; then
    echo "Installing uv into .tools/ (first run only)..." >&2
    python3 -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check uv
  fi
  export PATH="$PWD/.tools/bin:$PATH"
fi
uv sync --frozen --quiet
