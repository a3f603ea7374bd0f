#!/usr/bin/env bash
# Runs an example team end to end: copies examples/NAME/project into a fresh git repository in a temporary
# directory, runs troupe on examples/NAME/goal.yaml there (the built-in demo agent: no API key), and shows
# the merged history. Usage: examples/demo.sh NAME [troupe run options]
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
name="${1:?usage: examples/demo.sh NAME (one of: $(ls -d "$examples"/*/ | xargs -n1 basename | tr '\n' ' '))}"
shift
demo_repository "$name"
status=0
"$troupe" run "$work/goal.yaml" "$@" || status=$?
echo
integration="$(git -C "$work" for-each-ref --format='%(refname:short)' --sort=-creatordate --count=1 'refs/heads/troupe/*')"
if [ -n "$integration" ]; then
  echo "History of $integration:"
  # No pipe into head: under pipefail, git killed by SIGPIPE when head stops reading would fail the demo.
  git -C "$work" --no-pager log --oneline --graph --max-count=12 "$integration"
fi
exit "$status"
