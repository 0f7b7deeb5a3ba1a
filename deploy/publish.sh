#!/usr/bin/env bash
# Publishes one part of AgentCluster for a Linux x64 image: the same commands in both Dockerfiles, in CI and in
# the tests (tests/AgentCluster.Tests/Deploy). Usage: deploy/publish.sh <orchestrator|agent|emulator> <outdir>
#   orchestrator  the node (src/AgentCluster.Silo), presets/ beside it, run by the ASP.NET Core runtime
#   agent         the in-machine agent (src/AgentCluster.Agent), the JIT build: its anthropic runtime needs the
#                 Anthropic SDK's reflection-based JSON, which a Native AOT build does not have
#   emulator      the Machines emulator (src/AgentCluster.FlyEmulator) with the agent beside it, for local compose
# Framework-dependent (the images carry the runtime) for linux-x64, the architecture of Fly's Machines.
set -euo pipefail

rid=linux-x64
usage="usage: $0 <orchestrator|agent|emulator> <outdir>"
[ $# -eq 2 ] || { echo "$usage" >&2; exit 2; }
case "$1" in
  orchestrator) project=src/AgentCluster.Silo ;;
  agent)        project=src/AgentCluster.Agent ;;
  emulator)     project=src/AgentCluster.FlyEmulator ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
out="$2"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# bin/ and obj/ go to a scratch folder, so a publish neither reuses nor disturbs a developer's own build.
artifacts="$(mktemp -d)"
trap 'rm -rf "$artifacts"' EXIT

dotnet publish "$project" -c Release -r "$rid" --self-contained false -p:PublishAot=false \
  --artifacts-path "$artifacts" -o "$out" -nologo
