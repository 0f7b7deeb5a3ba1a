#!/usr/bin/env bash
# Installs the Claude Code CLI pinned in package.json (exact version, package-lock.json) into
# tools/claude-code/node_modules, where the claude-code runtime's tests look for it. Idempotent: does nothing
# when that version is there and runs. The CLI wants Node.js >= node_major_needed to install: a machine
# without Node or npm gets Debian's (apt-get, as root); one whose Node is older (Debian 12's is 18, this
# project's machines have 20) gets Node from the npm registry into tools/claude-code/node (pinned in its
# package-lock.json), used for this install only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
claude="$here/node_modules/.bin/claude"
pinned="$(sed -n 's/.*"@anthropic-ai\/claude-code": *"\([^"]*\)".*/\1/p' "$here/package.json")"
# engines.node of the pinned @anthropic-ai/claude-code (see package-lock.json); npm runs its postinstall,
# which puts the platform's native binary in place.
node_major_needed=22

if [ -x "$claude" ] && version="$("$claude" --version 2>/dev/null)" && [ "${version%% *}" = "$pinned" ]; then
    echo "claude-code: $version already installed ($claude)"
    exit 0
fi

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "claude-code: Node.js with npm is needed; run this as root to install it with apt-get, or install it yourself" >&2
        exit 1
    fi
    echo "claude-code: installing nodejs and npm with apt-get (found node: $(node --version 2>/dev/null || echo none), npm: $(npm --version 2>/dev/null || echo none))"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
fi

if [ "$(node_major)" -lt "$node_major_needed" ]; then
    echo "claude-code: node $(node --version) is older than the CLI's >= $node_major_needed: npm ci in $here/node"
    (cd "$here/node" && npm ci --no-audit --no-fund)
    export PATH="$here/node/node_modules/.bin:$PATH"
    if [ "$(node_major)" -lt "$node_major_needed" ]; then
        echo "claude-code: $here/node gave node $(node --version 2>/dev/null || echo none); the CLI needs >= $node_major_needed" >&2
        exit 1
    fi
fi

echo "claude-code: npm ci in $here (node $(node --version), npm $(npm --version))"
(cd "$here" && npm ci --no-audit --no-fund)

if ! version="$("$claude" --version 2>&1)"; then
    echo "claude-code: installed, but $claude does not run: $version" >&2
    exit 1
fi
echo "claude-code: $version installed ($claude)"
