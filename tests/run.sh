#!/usr/bin/env bash
# Runs every test project of the solution. Installs what the tests need on a fresh Debian machine
# (redis-server, curl, chromium; the Claude Code CLI, from the npm registry), then
# prints one line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

# redis-server for the tests that start a real Redis; curl for the README examples run as README writes them;
# Debian's Chromium for the web console's browser tests (Playwright drives /usr/bin/chromium, and downloads no browser).
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "${missing[*]} not found: installing with apt-get"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Claude Code CLI the claude-code runtime's tests run (pinned in tools/claude-code; Node via apt-get when missing,
# Node 22 from the npm registry when the machine's is older than the CLI wants).
tools/claude-code/install.sh

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
# The tests stop processes with SIGINT, as Fly and the agent do. A shell that starts this script in the background
# (`tests/run.sh &`, nohup) without job control hands it SIGINT and SIGQUIT ignored, and every process below would
# inherit that (bash cannot even trap them back): the default dispositions, as on a machine, are restored first.
env --default-signal=INT,QUIT \
  dotnet test Orleans.AgentCluster.sln -c Release --logger "trx" --results-directory "$results" "$@" || status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*' "$trx")"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
echo "${passed} passed, ${failed} failed"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then status=1; fi
exit "$status"
