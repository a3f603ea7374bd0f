#!/usr/bin/env bash
# Runs the demo team that plans in rounds end to end (see examples/demo.sh).
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/demo.sh" rounds "$@"
