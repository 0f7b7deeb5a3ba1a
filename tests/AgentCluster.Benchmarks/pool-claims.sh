#!/usr/bin/env bash
# A pool of 4 and 4 simultaneous POSTs against the standalone emulator at Fly's figures (BootDelay 2 s, ResumeDelay 0.3 s,
# rate limits on), on 127.0.0.1:4299 (emulator) and :18081 (node); prints each claimed agent's startup timeline
# (claimed → poll-sent → turn-received → output-queued, ms since the process started). Run from anywhere after a Release build.
cd "$(dirname "$0")/../.."
rm -rf /tmp/emu
dotnet src/AgentCluster.FlyEmulator/bin/Release/net10.0/AgentCluster.FlyEmulator.dll --urls http://127.0.0.1:4299 --FlyEmulator:ApiToken=t --FlyEmulator:RateLimits=true --FlyEmulator:BootDelay=00:00:02 --FlyEmulator:ResumeDelay=00:00:00.3 --FlyEmulator:DataDirectory=/tmp/emu > /tmp/emu.log 2>&1 &
emu=$!
sleep 5
curl -s -XPOST -H 'Authorization: Bearer t' -H 'content-type: application/json' 127.0.0.1:4299/v1/apps -d '{"app_name":"agents","org_slug":"personal"}' >/dev/null
cd src/AgentCluster.Silo
PORT=18081 FLY_API_URL=http://127.0.0.1:4299 FLY_API_TOKEN=t FLY_AGENT_APP=agents Pool__Size=4 dotnet bin/Release/net10.0/AgentCluster.Silo.dll > /tmp/node2.log 2>&1 &
node=$!
for i in $(seq 1 40); do sleep 2; r=$(curl -s 127.0.0.1:18081/pool | grep -o '"ready":[0-9]*'); [ "$r" = '"ready":4' ] && break; done
echo "$r"; sleep 3
posts=()
for i in 1 2 3 4; do (s=$(date +%s.%N); curl -s -XPOST 127.0.0.1:18081/sessions -H 'content-type: application/json' -d '{"prompt":"echo hi","runtime":"shell"}' > /tmp/s$i.json; echo "post $i $(echo "$(date +%s.%N) - $s" | bc)") & posts+=($!); done; wait "${posts[@]}"
sleep 6
for i in 1 2 3 4; do m=$(python3 -c "import json;print(json.load(open('/tmp/s$i.json')).get('machine_id'))"); grep -h "startup since" /tmp/emu/*/$m*/*.log 2>/dev/null; done
kill $node; sleep 3; kill $emu; wait $node $emu
