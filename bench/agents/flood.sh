#!/usr/bin/env bash
# A benchmark agent that floods stdout: for the prompt "flood N" it prints N stream-json assistant lines of
# about 500 bytes each (2,000,000 lines is about 1 GB), then a successful result. `yes | head` writes at
# several GB/s, so the agent is never what limits the measured throughput.
set -u -f
prompt="" session="bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --session-id) session="$2"; shift 2 ;;
    --) prompt="$2"; shift 2 ;;
    *) shift ;;
  esac
done
set -- $prompt
lines="${2:-1000}"
printf '{"type":"system","subtype":"init","session_id":"%s","model":"bench"}\n' "$session"
text="$(printf '%0380d' 0 | tr 0 x)"
yes "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_bench\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"$text\"}]},\"session_id\":\"$session\"}" | head -n "$lines"
printf 'flooded\n' >> FLOOD.txt
printf '{"type":"result","subtype":"success","is_error":false,"result":"done","num_turns":1,"total_cost_usd":0,"session_id":"%s"}\n' "$session"
