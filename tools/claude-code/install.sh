#!/usr/bin/env bash
# Installs the Claude Code CLI pinned in package.json (exact version, package-lock.json) into
# tools/claude-code/node_modules, where the claude-code runtime's tests look for it. Idempotent: does nothing
# when that CLI is there and runs. Installs Node.js (Debian's packages, as root) only when it is missing or
# older than the CLI needs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
claude="$here/node_modules/.bin/claude"
# engines.node of the pinned @anthropic-ai/claude-code (see package-lock.json); npm runs its postinstall,
# which puts the platform's native binary in place.
node_major_needed=18

if [ -x "$claude" ] && version="$("$claude" --version 2>/dev/null)"; then
    echo "claude-code: $version already installed ($claude)"
    exit 0
fi

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if ! command -v node >/dev/null || [ "$(node_major)" -lt "$node_major_needed" ] || ! command -v npm >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "claude-code: Node.js >= $node_major_needed with npm is needed; run this as root to install it with apt-get, or install it yourself" >&2
        exit 1
    fi
    packages="npm"
    if ! command -v node >/dev/null || [ "$(node_major)" -lt "$node_major_needed" ]; then packages="nodejs npm"; fi
    echo "claude-code: installing $packages with apt-get (found node: $(node --version 2>/dev/null || echo none), npm: $(npm --version 2>/dev/null || echo none))"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y $packages
    if [ "$(node_major)" -lt "$node_major_needed" ]; then
        echo "claude-code: apt-get gave node $(node --version); the CLI needs >= $node_major_needed" >&2
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
