#!/usr/bin/env bash
# A benchmark agent: takes Claude Code's headless argv, speaks just enough stream-json for troupe (an init
# line and a successful result) and does what the prompt says, one word pair at a time:
#   sleep SECONDS   wait that long (the agent's "thinking time")
#   edit PATH       append a line to PATH (relative to the working directory)
#   wait PATH       wait until PATH exists (an absolute path: a gate the benchmark opens)
# Everything else in the prompt is ignored. No subprocess but `sleep`, so it costs a few milliseconds.
set -u -f
prompt="" session="bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --session-id) session="$2"; shift 2 ;;
    --) prompt="$2"; shift 2 ;;
    *) shift ;;
  esac
done
printf '{"type":"system","subtype":"init","session_id":"%s","model":"bench"}\n' "$session"
set -- $prompt
while [ $# -gt 0 ]; do
  case "$1" in
    sleep) sleep "$2"; shift 2 ;;
    edit) printf 'edited by %s\n' "$session" >> "$2"; shift 2 ;;
    wait) while [ ! -e "$2" ]; do sleep 0.05; done; shift 2 ;;
    *) shift ;;
  esac
done
printf '{"type":"result","subtype":"success","is_error":false,"result":"done","num_turns":1,"total_cost_usd":0,"session_id":"%s"}\n' "$session"
