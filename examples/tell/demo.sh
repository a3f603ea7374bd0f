#!/usr/bin/env bash
# Tells a live team things (the built-in demo agent: no API key): starts examples/tell/goal.yaml in the background
# in a fresh repository, tells task four (not started yet: a team of two works on one and two) to write "Quatre."
# instead, tells task one's agent at work to also write a line to notes/extra.txt (it hears it now, in the same
# attempt), and cuts task two's agent short to write "Deux." instead (troupe tell --interrupt). Then shows the notes
# and where the report shows what was told.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib.sh"
demo_repository tell
live_run

step 'troupe tell four '"'"'Write "Quatre." instead.'"'"'   (not started: told when its agent starts)'
"$troupe" tell -C "$work" four 'Write "Quatre." instead.'
step 'troupe tell one '"'"'Also write "Un." to notes/extra.txt.'"'"'   (at work: its agent hears it now)'
"$troupe" tell -C "$work" one 'Also write "Un." to notes/extra.txt.'
step 'troupe tell --interrupt two '"'"'Stop that; write "Deux." instead.'"'"'   (its turn cut short, the message next)'
"$troupe" tell --interrupt -C "$work" two 'Stop that; write "Deux." instead.'
status=0
wait "$run" || status=$?
echo "the run ended with exit $status"
integration="$(git -C "$work" for-each-ref --format='%(refname:short)' --sort=-creatordate --count=1 'refs/heads/troupe/*')"
step "The notes on $integration"
for note in one two three four extra; do
  printf '%s: %s\n' "$note" "$(git -C "$work" show "$integration:notes/$note.txt")"
done
step "troupe report   (each transcript shows what its agent was told)"
"$troupe" report -C "$work"
