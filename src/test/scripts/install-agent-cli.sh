#!/usr/bin/env bash
# Installs one pinned agent CLI from the npm registry for the tests (run by Maven before the tests): Claude Code,
# Codex, Gemini CLI or OpenCode. Each package ships what it runs (a native binary in an optional dependency, or a
# node bundle); nothing is fetched from elsewhere. Install scripts of dependencies are not run (none is needed to run
# headless, and some would compile native code); with `postinstall`, the package's own is (Claude Code's and
# OpenCode's put their platform's binary in place).
# Usage: install-agent-cli.sh DIR PACKAGE VERSION BIN [postinstall]   -> DIR/node_modules/.bin/BIN
set -euo pipefail
dir="$1"
package="$2"
version="$3"
bin="$dir/node_modules/.bin/$4"
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "\b$version\b"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed to install $package@$version for the tests" >&2
  exit 1
fi
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --no-save --ignore-scripts --loglevel=error "$package@$version"
if [ "${5:-}" = postinstall ]; then
  (cd "$dir/node_modules/$package" && npm run --silent postinstall)
fi
"$bin" --version
