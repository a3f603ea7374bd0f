#!/usr/bin/env bash
# The peer: what people run without troupe. For each task, in parallel with xargs -P:
#   git worktree add -b, run the agent there, git add -A && git commit, git merge --no-ff under a lock
# (into the integration branch checked out in the repository itself), then remove the worktree.
# Everything that touches the repository's shared state (worktree add and remove, the merge) takes the one
# lock: parallel `git worktree add`s race ("failed to read .git/worktrees/<id>/commondir"). The agent and
# the commit in its own worktree run in parallel.
#
#   bench/peer.sh REPO TASKS TEAM AGENT
#
# TASKS is a file with one task a line: "<id><TAB><prompt>". AGENT is the executable; it gets the same argv
# troupe gives an agent. With PEER_ISOLATE_CONFIG=1 each parallel slot gets its own CLAUDE_CONFIG_DIR, as
# troupe's isolate-config gives each worker one. Exits non-zero if any task failed.
set -euo pipefail

if [ "${1:-}" = "--task" ]; then
  # One task, run by xargs: $2 is the task's line.
  id="${2%%$'\t'*}" prompt="${2#*$'\t'}"
  wt="$PEER_DIR/worktrees/$id"
  lock="$PEER_DIR/repo.lock"
  flock "$lock" git -C "$PEER_REPO" worktree add -q -b "peer/$id" "$wt" "$PEER_BASE"
  if [ "${PEER_ISOLATE_CONFIG:-0}" = 1 ]; then
    export CLAUDE_CONFIG_DIR="$PEER_DIR/config/slot-$PEER_SLOT"
    mkdir -p "$CLAUDE_CONFIG_DIR"
  fi
  (cd "$wt" && "$PEER_AGENT" -p --output-format stream-json --verbose --permission-mode acceptEdits \
      --allowedTools Read,Edit,Write --session-id "$(cat /proc/sys/kernel/random/uuid)" -- "$prompt" \
      </dev/null >"$PEER_DIR/logs/$id.jsonl" 2>"$PEER_DIR/logs/$id.stderr")
  grep -q '"is_error":false' "$PEER_DIR/logs/$id.jsonl" || { echo "peer: task $id: no successful result" >&2; exit 1; }
  git -C "$wt" add -A
  git -C "$wt" commit -q -m "$id"
  flock "$lock" git -C "$PEER_REPO" merge -q --no-ff -m "Merge $id" "peer/$id"
  flock "$lock" git -C "$PEER_REPO" worktree remove --force "$wt"
  exit 0
fi

repo="$(cd "$1" && pwd)" tasks="$2" team="$3" agent="$4"
export PEER_REPO="$repo" PEER_AGENT="$agent"
export PEER_DIR="$repo/.peer" PEER_BASE="$(git -C "$repo" rev-parse HEAD)"
mkdir -p "$PEER_DIR/logs" "$PEER_DIR/worktrees"
echo ".peer/" >> "$(git -C "$repo" rev-parse --git-common-dir)/info/exclude"
git -C "$repo" checkout -q -b peer-integration
export GIT_AUTHOR_NAME=peer GIT_AUTHOR_EMAIL=peer@bench GIT_COMMITTER_NAME=peer GIT_COMMITTER_EMAIL=peer@bench
xargs -d '\n' -n 1 -P "$team" --process-slot-var=PEER_SLOT "$0" --task < "$tasks"
