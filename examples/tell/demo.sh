#!/usr/bin/env bash
# Tells a live team things (the built-in demo agent: no API key): starts examples/tell/goal.yaml in the background
# in a fresh repository, tells task four (not started yet: a team of two works on one and two) to write "Quatre."
# instead, and tells task one, whose agent is at work and runs on without the message. Then shows the notes and
# where the report shows what was told.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib.sh"
demo_repository tell
live_run

step 'troupe tell four '"'"'Write "Quatre." instead.'"'"'   (not started: told when its agent starts)'
"$troupe" tell -C "$work" four 'Write "Quatre." instead.'
step 'troupe tell one '"'"'Write "Un." instead.'"'"'   (at work: it runs on; only a next attempt would hear it)'
"$troupe" tell -C "$work" one 'Write "Un." instead.'
status=0
wait "$run" || status=$?
echo "the run ended with exit $status"
integration="$(git -C "$work" for-each-ref --format='%(refname:short)' --sort=-creatordate --count=1 'refs/heads/troupe/*')"
step "The notes on $integration"
for note in one two three four; do
  printf '%s: %s\n' "$note" "$(git -C "$work" show "$integration:notes/$note.txt")"
done
step "troupe report   (each transcript shows what its agent was told)"
"$troupe" report -C "$work"
