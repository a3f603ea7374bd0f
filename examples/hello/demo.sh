#!/usr/bin/env bash
# Runs the demo team end to end: copies examples/hello/project into a fresh git repository in a temporary
# directory, runs troupe on it with the built-in demo agent, and shows the merged history.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
troupe="$here/../../bin/troupe"
work="$(mktemp -d "${TMPDIR:-/tmp}/troupe-hello.XXXXXX")"

cp -R "$here/project/." "$work/"
cp "$here/goal.yaml" "$work/goal.yaml"
git -C "$work" init --quiet --initial-branch=main
git -C "$work" add -A
git -C "$work" -c user.name=demo -c user.email=demo@example.com commit --quiet -m "hello: start"

echo "Demo repository: $work"
status=0
"$troupe" run "$work/goal.yaml" "$@" || status=$?
echo
integration="$(git -C "$work" for-each-ref --format='%(refname:short)' --sort=-creatordate --count=1 'refs/heads/troupe/*')"
if [ -n "$integration" ]; then
  echo "History of $integration:"
  git -C "$work" log --oneline --graph "$integration" | head -20
fi
exit "$status"
