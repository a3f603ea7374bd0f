#!/usr/bin/env bash
# A fake agent for troupe's tests: takes Claude Code's headless argv and speaks its stream-json, doing what
# the prompt says, one directive a line:
#   write PATH TEXT   write TEXT (and a newline) to PATH, through a Write tool call
#   argv PATH         write this process's arguments to PATH, one a line
#   try-write PATH REPORT  try to write a line to PATH (bash expands it: $TROUPE_WORKER, $((...))); append
#                     "PATH written" or "PATH refused" (PATH as given) to REPORT; the agent goes on either way
#   run COMMAND...    run COMMAND with bash, through a Bash tool call; if it fails, end with an error result
#   exit N            exit with code N at once, without a result
#   error TEXT        end with an error result (is_error: true, API status 500)
#   garbage           print a line that is not JSON
#   hang              print nothing more and never end
#   linger            after the result, stay alive (as the real CLI can with background tasks)
#   sleep SECONDS     pause, printing nothing
#   tick N            print a progress line every 0.2 s, N times
#   env NAME          print the value of environment variable NAME in a line
#   env-escaped NAME  the same, its first character written as a JSON \u escape
#   env-escaped-all NAME  the same, every character written as a JSON \u escape
#   leave-merge       start a merge that conflicts and leave it unfinished
#   spawn SECONDS     start a background sleep that keeps this agent's stdout open
#   fail-first PATH   exit 4 without a result if PATH does not exist yet (and create it): the first attempt fails
#   ratelimit PATH [MS]  the first time (as fail-first): report a 429 retry (asking for a wait of MS, default 300),
#                     then an error result with status 429
#   hang-once PATH    never end, the first time (PATH does not exist yet; it is created)
#   bigline KB        print one assistant line of about KB kilobytes
#   deep N            print one assistant line whose JSON nests N deep ({} is 1; N at least 2)
#   deep-tab N        the same, with a tab between two of its tokens
#   noise MB          print MB megabytes of random bytes without a newline (binary noise), then a newline
#   lock-first PATH   as fail-first, but leave git's index.lock behind, as an agent killed mid-commit does
#   once PATH FILE T  the first time (PATH does not exist yet; it is created), write T to FILE
#   exit-if PATH N    exit with code N, without a result, if PATH exists in the working directory
#   denied TOOL       report in the result that a call of TOOL was refused (a permission denial)
#   chaos             kill itself with SIGKILL about a third of the time, hang about a tenth of the time
#   ignore-term       ignore SIGTERM from here on (so does what it starts): only SIGKILL ends it
# Run with --json-schema (as the planner and reviewers are), it only answers, and heeds only these:
#   answer JSON              end with JSON as the structured output (a later answer wins)
#   answer-once PATH JSON    the same, only the first time (PATH does not exist yet; it is created)
#   no-answer                end with a text result and no structured output
#   consult-exit N           exit with code N at once, without a result
#   consult-argv PATH        write this process's arguments to PATH, one a line
#   consult-hang-once PATH   never end, the first time (PATH does not exist yet; it is created)
#   consult-hang-nth N PATH  never end, the Nth time (each call adds a line to PATH)
# Anything else in the prompt is ignored. Ends with a successful result unless told otherwise. With --resume ID it
# does what the session's prompts said, then the new one.
set -u -f

prompt="" session="fake-session" consult=0 answer="" denials="" resume=""
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --session-id) session="$2"; shift 2 ;;
    --resume) resume="$2"; shift 2 ;;
    --json-schema) consult=1; shift 2 ;;
    --) prompt="$2"; shift 2 ;;
    *) shift ;;
  esac
done

esc() { local s="${1//\\/\\\\}"; s="${s//\"/\\\"}"; printf '%s' "$s"; }
say() { printf '%s\n' "$1"; }
escn() { local s; s=$(esc "$1"); s="${s//$'\n'/\\n}"; s="${s//$'\t'/\\t}"; printf '%s' "$s"; }

# Sessions, as the CLI keeps them: by id, in the agent's temporary folder. Resumed (--resume ID), the agent goes on
# with its session's task: it does what the session's prompts said, then what the new one says.
sessions="${CLAUDE_CODE_TMPDIR:-${TMPDIR:-/tmp}}/fake-agent-sessions"
if [ -n "$resume" ]; then
  if [ ! -f "$sessions/$resume" ]; then
    say "{\"type\":\"result\",\"subtype\":\"error_during_execution\",\"is_error\":true,\"num_turns\":0,\"total_cost_usd\":0,\"errors\":[\"No conversation found with session ID: $resume\"],\"session_id\":\"$session\"}"
    exit 1
  fi
  prompt="$(cat "$sessions/$resume")"$'\n'"$prompt"
fi
mkdir -p "$sessions" && printf '%s' "$prompt" > "$sessions/$session"

say "{\"type\":\"system\",\"subtype\":\"init\",\"cwd\":\"$(esc "$PWD")\",\"session_id\":\"$session\",\"model\":\"fake\",\"permissionMode\":\"acceptEdits\"}"
linger=0 n=0
while IFS= read -r line; do
  set -- $line
  [ $# -gt 0 ] || continue
  verb="$1"; shift
  if [ "$consult" = 1 ]; then
    case "$verb" in
      answer) answer="$*" ;;
      answer-once) if [ ! -e "$1" ]; then : > "$1"; shift; answer="$*"; fi ;;
      no-answer) answer="" ;;
      consult-exit) exit "$1" ;;
      consult-argv) mkdir -p "$(dirname "$1")" && printf '%s\n' "${args[@]}" > "$1" ;;
      consult-hang-once) if [ ! -e "$1" ]; then : > "$1"; while true; do sleep 1; done; fi ;;
      consult-hang-nth)
        echo call >> "$2"
        if [ "$(wc -l < "$2")" -eq "$1" ]; then while true; do sleep 1; done; fi ;;
    esac
    continue
  fi
  case "$verb" in
    write)
      path="$1"; shift; text="$*"; n=$((n + 1))
      say "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_$n\",\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_$n\",\"name\":\"Write\",\"input\":{\"file_path\":\"$(esc "$PWD/$path")\",\"content\":\"$(esc "$text")\"}}]},\"session_id\":\"$session\"}"
      mkdir -p "$(dirname "$path")" && printf '%s\n' "$text" > "$path"
      say "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"toolu_$n\",\"type\":\"tool_result\",\"content\":\"ok\",\"is_error\":false}]},\"session_id\":\"$session\"}"
      ;;
    argv) mkdir -p "$(dirname "$1")" && printf '%s\n' "${args[@]}" > "$1" ;;
    try-write)
      target=$(bash -c "printf '%s' \"$1\"")
      if (printf 'planted\n' > "$target") 2>/dev/null; then outcome=written; else outcome=refused; fi
      printf '%s %s\n' "$1" "$outcome" >> "$2" ;;
    run)
      command="$*"; n=$((n + 1))
      say "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_$n\",\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_$n\",\"name\":\"Bash\",\"input\":{\"command\":\"$(escn "$command")\"}}]},\"session_id\":\"$session\"}"
      set +f; output=$(bash -c "$command" 2>&1); code=$?; set -f
      failed=false; [ "$code" = 0 ] || failed=true
      say "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"toolu_$n\",\"type\":\"tool_result\",\"content\":\"$(escn "$output")\",\"is_error\":$failed}]},\"session_id\":\"$session\"}"
      if [ "$code" != 0 ]; then
        say "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,\"result\":\"$(escn "\`$command\` failed (exit $code): $output")\",\"num_turns\":1,\"total_cost_usd\":0,\"session_id\":\"$session\"}"
        exit 1
      fi ;;
    exit) exit "$1" ;;
    error)
      say "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,\"api_error_status\":500,\"result\":\"API Error: $(esc "$*")\",\"num_turns\":1,\"total_cost_usd\":0,\"session_id\":\"$session\"}"
      exit 1 ;;
    garbage) say "this is not json {" ;;
    hang) while true; do sleep 1; done ;;
    hang-once) if [ ! -e "$1" ]; then : > "$1"; while true; do sleep 1; done; fi ;;
    linger) linger=1 ;;
    sleep) sleep "$1" ;;
    tick) for ((i = 0; i < $1; i++)); do say "{\"type\":\"system\",\"subtype\":\"tick\",\"n\":$i}"; sleep 0.2; done ;;
    env) say "{\"type\":\"user\",\"tool_use_result\":{\"stdout\":\"$1=${!1:-}\"}}" ;;
    env-escaped|env-escaped-all)
      value="${!1:-}" plain=""
      [ "$verb" = env-escaped ] && plain="${value:1}" && value="${value:0:1}"
      escaped=""
      for ((i = 0; i < ${#value}; i++)); do escaped+=$(printf '\\u%04x' "'${value:i:1}"); done
      say "{\"type\":\"user\",\"tool_use_result\":{\"stdout\":\"$1=$escaped$(esc "$plain")\"}}" ;;
    spawn) ( exec sleep "$1" ) & ;;
    fail-first) if [ ! -e "$1" ]; then : > "$1"; exit 4; fi ;;
    ratelimit)
      if [ ! -e "$1" ]; then
        : > "$1"
        say "{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":1,\"max_retries\":0,\"retry_delay_ms\":${2:-300},\"error_status\":429,\"error\":\"rate_limit\"}"
        say "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,\"api_error_status\":429,\"result\":\"API Error: Request rejected (429)\",\"total_cost_usd\":0}"
        exit 1
      fi ;;
    deep|deep-tab)
      tab=""; [ "$verb" = deep-tab ] && tab=$'\t'
      printf '{"type":"assistant",%s"deep":' "$tab"
      printf '%*s' $(($1 - 1)) '' | tr ' ' '['
      printf '%*s' $(($1 - 1)) '' | tr ' ' ']'
      printf '}\n' ;;
    noise) head -c $(($1 * 1048576)) /dev/urandom | tr -d '\n'; printf '\n' ;;
    bigline)
      printf '{"type":"assistant","message":{"content":[{"type":"text","text":"'
      head -c $(($1 * 1024)) /dev/zero | tr '\0' x
      printf '"}]}}\n' ;;
    lock-first) if [ ! -e "$1" ]; then : > "$1"; : > "$(git rev-parse --git-dir)/index.lock"; exit 4; fi ;;
    once) if [ ! -e "$1" ]; then : > "$1"; mkdir -p "$(dirname "$2")"; f="$2"; shift 2; printf '%s\n' "$*" > "$f"; fi ;;
    exit-if) if [ -e "$1" ]; then exit "$2"; fi ;;
    denied) denials="{\"tool_name\":\"$1\",\"tool_use_id\":\"toolu_denied\",\"tool_input\":{}}" ;;
    chaos)
      roll=$((RANDOM % 30))
      if [ "$roll" -lt 10 ]; then kill -9 $$; fi
      if [ "$roll" -lt 13 ]; then while true; do sleep 1; done; fi ;;
    ignore-term) trap '' TERM ;;
    leave-merge)
      git checkout -q -b side && echo side > clash.txt && git add clash.txt && git -c user.name=a -c user.email=a@b commit -qm side
      git checkout -q - && echo main > clash.txt && git add clash.txt && git -c user.name=a -c user.email=a@b commit -qm main
      git -c user.name=a -c user.email=a@b merge side >/dev/null 2>&1 || true ;;
  esac
done <<< "$prompt"

structured=""
if [ -n "$answer" ]; then structured=",\"structured_output\":$answer"; fi
say "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"Did as told.\"$structured,\"num_turns\":2,\"total_cost_usd\":0.0125,\"duration_ms\":5,\"usage\":{\"input_tokens\":100,\"output_tokens\":20,\"cache_read_input_tokens\":0,\"cache_creation_input_tokens\":0},\"modelUsage\":{\"fake\":{\"inputTokens\":100,\"outputTokens\":20,\"cacheReadInputTokens\":5,\"cacheCreationInputTokens\":0,\"costUSD\":0.0125}},\"permission_denials\":[$denials],\"session_id\":\"$session\"}"
if [ "$linger" = 1 ]; then
  while true; do sleep 1; done
fi
exit 0
