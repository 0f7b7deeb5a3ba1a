#!/usr/bin/env bash
# Per-call latency of the same read through each front door of a node (loopback, embedded default, shell session):
# GET /sessions/{id}, MCP tools/call get_session, A2A tasks/get. curl -w time_total, N calls each after 20 warm-up.
set -euo pipefail
N=${N:-200}; PORT=${PORT:-18080}; H=127.0.0.1:$PORT
cd "$(dirname "$0")/../../src/AgentCluster.Silo"   # run after dotnet build -c Release, from anywhere
PORT=$PORT dotnet bin/Release/net10.0/AgentCluster.Silo.dll > /tmp/latency-node.log 2>&1 & pid=$!
trap 'kill $pid' EXIT
for i in $(seq 60); do curl -sf $H/health > /dev/null && break; sleep 1; done
curl -s -X POST $H/sessions -H 'content-type: application/json' -d '{"session_id":"lat-1","runtime":"shell","prompt":"echo ready"}' > /dev/null
for i in $(seq 60); do curl -s $H/sessions/lat-1 | grep -q '"result"' && break; sleep 1; done
time_of() { for i in $(seq $((N + 20))); do curl -s -o /dev/null -w '%{time_total}\n' "$@"; done | tail -n $N | sort -n | awk '{a[NR]=$1} END {printf "p50 %.2f ms  p95 %.2f ms\n", a[int(NR*0.5)]*1000, a[int(NR*0.95)]*1000}'; }
echo "GET /sessions/{id}:        $(time_of $H/sessions/lat-1)"
echo "MCP tools/call get_session: $(time_of $H/mcp -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_session","arguments":{"session_id":"lat-1"}}}')"
echo "A2A tasks/get:             $(time_of $H/a2a -H 'content-type: application/json' \
  -d '{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"lat-1-t1"}}')"
