#!/usr/bin/env bash
# Installs the pinned Claude Code CLI from the npm registry for the tests (run by Maven before the tests).
# The package ships the native Linux binary in its optional dependency; nothing is fetched from elsewhere.
# Usage: install-claude-code.sh DIR VERSION   -> DIR/node_modules/.bin/claude
set -euo pipefail
dir="$1"
version="$2"
claude="$dir/node_modules/.bin/claude"
if [ -x "$claude" ] && "$claude" --version 2>/dev/null | grep -q "^$version "; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed to install @anthropic-ai/claude-code@$version for the tests" >&2
  exit 1
fi
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "@anthropic-ai/claude-code@$version"
"$claude" --version
