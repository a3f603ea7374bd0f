#!/usr/bin/env bash
# Runs the retry demo team end to end (see examples/demo.sh): a merge conflict whose retry resumes the agent's session.
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/demo.sh" retry "$@"
