#!/usr/bin/env bash
# Runs the review demo team end to end (see examples/demo.sh).
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/demo.sh" review "$@"
