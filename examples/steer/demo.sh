#!/usr/bin/env bash
# Steers a live team (the built-in demo agent: no API key): starts examples/steer/goal.yaml in the background in
# a fresh repository, adds a task to it (troupe add), cancels one (troupe cancel, which skips what comes after
# it), stops it gracefully (troupe stop) and finishes it with troupe resume.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib.sh"
demo_repository steer
live_run

step "troupe add more-tasks.yaml   (a summary after one and two)"
"$troupe" add -C "$work" "$here/more-tasks.yaml"
step "troupe cancel three   (four comes after it, so it is skipped)"
"$troupe" cancel -C "$work" three
step "troupe stop   (what runs finishes; the rest waits)"
"$troupe" stop -C "$work"
status=0
wait "$run" || status=$?
echo "the run ended with exit $status (130: stopped, resumable)"
step "troupe resume"
"$troupe" resume -C "$work" --quiet || true
step "troupe status"
"$troupe" status -C "$work"
integration="$(git -C "$work" for-each-ref --format='%(refname:short)' --sort=-creatordate --count=1 'refs/heads/troupe/*')"
step "History of $integration"
git -C "$work" --no-pager log --oneline --graph --max-count=12 "$integration"
