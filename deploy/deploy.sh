#!/usr/bin/env bash
# First-time set-up and every update of AgentCluster on Fly.io, idempotent: run it again after any change.
#   1. checks flyctl, your login and the settings (deploy/.env, or the environment)
#   2. creates the orchestrator app and the image-only agents' app(s), if missing
#   3. builds and pushes the agent image, tagged (registry.fly.io/<AGENT_APP>:<tag>)
#   4. stages the nodes' secrets: a deploy token of the agents' app (first run only; an org token when there are
#      several agents' apps), REDIS_URL, the API key's hash, the model key
#   5. deploys the nodes (fly.orchestrator.toml), pointed at the agents' app(s) and the image just pushed
# Usage: deploy/deploy.sh   (settings: cp deploy/.env.example deploy/.env and fill it in)
#        AGENT_APPS=acme-agents-1,acme-agents-2 deploy/deploy.sh   several agents' apps (docs/operations.md, "Several agents' apps")
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(dirname "$here")"

fail() { printf 'deploy: %s\n' "$*" >&2; exit 1; }
say() { printf '\ndeploy: %s\n' "$*"; }

# Settings: deploy/.env (or ENV_FILE) first; anything already exported wins over it.
env_file="${ENV_FILE:-$here/.env}"
if [ -f "$env_file" ]; then
  exported="$(export -p)"
  set -a
  # shellcheck source=/dev/null
  . "$env_file"
  set +a
  eval "$exported"
fi

fly="$(command -v fly || command -v flyctl || true)"
[ -n "$fly" ] || fail "flyctl is not installed: curl -L https://fly.io/install.sh | sh  (https://fly.io/docs/flyctl/install/)"
"$fly" auth whoami >/dev/null 2>&1 || fail "not logged in to Fly: run '$fly auth login' first"

# Several agents' apps (AGENT_APPS=a,b,c): Fly limits machine creates per app, so each app adds its own budget.
# The first is the main one (AGENT_APP, whose registry holds the image) unless AGENT_APP names another of them.
agent_apps=()
if [ -n "${AGENT_APPS:-}" ]; then
  IFS=',' read -r -a listed <<<"$AGENT_APPS"
  for app in "${listed[@]}"; do
    app="${app#"${app%%[![:space:]]*}"}"; app="${app%"${app##*[![:space:]]}"}" # trimmed
    [ -n "$app" ] || continue
    [[ "$app" =~ ^[a-z0-9][a-z0-9-]{0,62}$ ]] \
      || fail "AGENT_APPS names '$app': a Fly app name is lowercase letters, digits and dashes, beginning with a letter or digit"
    for seen in "${agent_apps[@]}"; do [ "$seen" != "$app" ] || fail "AGENT_APPS names '$app' more than once"; done
    agent_apps+=("$app")
  done
  [ ${#agent_apps[@]} -gt 0 ] || fail "AGENT_APPS is set but names no app"
  if [ -z "${AGENT_APP:-}" ]; then
    AGENT_APP="${agent_apps[0]}"
  elif ! printf '%s\n' "${agent_apps[@]}" | grep -qx "$AGENT_APP"; then
    fail "AGENT_APP '$AGENT_APP' is not one of AGENT_APPS ($AGENT_APPS): list it there, or leave AGENT_APP unset (the first is then the main app)"
  fi
fi

missing=()
for name in ORCH_APP AGENT_APP REDIS_URL; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
[ ${#missing[@]} -eq 0 ] || fail "set ${missing[*]} in $env_file (see deploy/.env.example)"
[ ${#agent_apps[@]} -gt 0 ] || agent_apps=("$AGENT_APP")
FLY_ORG="${FLY_ORG:-personal}"
API_KEY_NAME="${API_KEY_NAME:-admin}"
IMAGE_TAG="${IMAGE_TAG:-$(git -C "$top" rev-parse --short HEAD 2>/dev/null || true)-$(date -u +%Y%m%d%H%M%S)}"
IMAGE_TAG="${IMAGE_TAG#-}"
[[ "$API_KEY_NAME" =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || fail "API_KEY_NAME '$API_KEY_NAME' must be 1-64 letters, digits, _, - or ."
[ -z "${API_KEY_SHA256:-}" ] || [[ "$API_KEY_SHA256" =~ ^[0-9a-fA-F]{64}$ ]] \
  || fail "API_KEY_SHA256 must be the SHA-256 of the key, 64 hex digits: printf %s \"\$KEY\" | sha256sum"

# Fly makes a first deploy's Machines in the config's primary region; REGION, when set, must agree with it.
toml_region="$(sed -n 's/^primary_region *= *"\([a-z0-9]*\)".*/\1/p' "$top/fly.orchestrator.toml")"
if [ -n "${REGION:-}" ] && [ "$REGION" != "$toml_region" ]; then
  fail "REGION is '$REGION' but fly.orchestrator.toml and fly.agent.toml say primary_region = \"$toml_region\": edit them or REGION"
fi

app_exists() { "$fly" machines list -a "$1" --json >/dev/null 2>&1; }
secret_names() {
  local json
  json="$("$fly" secrets list -a "$ORCH_APP" --json)"
  grep -Eio '"name": *"[^"]+"' <<<"$json" | sed -E 's/.*"([^"]+)"$/\1/' || true
}

for app in "$ORCH_APP" "${agent_apps[@]}"; do
  if app_exists "$app"; then
    say "app $app exists"
  else
    say "creating app $app in org $FLY_ORG"
    "$fly" apps create "$app" --org "$FLY_ORG"
  fi
done

image="registry.fly.io/$AGENT_APP:$IMAGE_TAG"
say "building and pushing the agent image $image"
# --build-only: the agents' app runs no service of its own; the nodes make its Machines, one per session. With
# several agents' apps they all use this image: Fly's registry is scoped to the organization, not the app.
(cd "$top" && "$fly" deploy -c fly.agent.toml -a "$AGENT_APP" --build-only --push --image-label "$IMAGE_TAG")

existing="$(secret_names)"
has_secret() { grep -qx "$1" <<<"$existing"; }
api_key_prefix="Auth__ApiKeys__"
if [ -z "${API_KEY_SHA256:-}" ] && ! grep -q "^$api_key_prefix" <<<"$existing"; then
  fail "the nodes need an API key (they listen beyond loopback): make one and set API_KEY_SHA256 to its hash:
  KEY=\"ack_\$(openssl rand -hex 32)\"; echo \"\$KEY\"        # give this to clients; keep no other copy
  printf %s \"\$KEY\" | sha256sum | cut -d' ' -f1             # API_KEY_SHA256="
fi

# Secrets go to flyctl on stdin, never on a command line another process could read; staged, they reach the
# nodes with the deploy below.
secrets=()
if has_secret FLY_API_TOKEN && [ -z "${ROTATE_AGENT_TOKEN:-}" ]; then
  say "FLY_API_TOKEN is set already (ROTATE_AGENT_TOKEN=1 makes a new one)"
  # A token made for one agents' app manages no other: going from one app to several needs a new one.
  [ ${#agent_apps[@]} -eq 1 ] || say "with several agents' apps the nodes' token must cover all of them: if it was made when there was one, run again with ROTATE_AGENT_TOKEN=1"
elif [ ${#agent_apps[@]} -eq 1 ]; then
  say "creating a deploy token of $AGENT_APP for the nodes (it manages that app's Machines, nothing else)"
  token="$("$fly" tokens create deploy -a "$AGENT_APP" --name "agentcluster nodes ($ORCH_APP)")"
  secrets+=("FLY_API_TOKEN=$token")
else
  # A deploy token is one app's; an org deploy token covers every app of the organization, the agents' apps included.
  say "creating an org deploy token of $FLY_ORG for the nodes (it manages the Machines of ${agent_apps[*]}, and of every other app in $FLY_ORG)"
  token="$("$fly" tokens create org -o "$FLY_ORG" --name "agentcluster nodes ($ORCH_APP)")"
  secrets+=("FLY_API_TOKEN=$token")
fi
secrets+=("REDIS_URL=$REDIS_URL")
[ -z "${API_KEY_SHA256:-}" ] || secrets+=("$api_key_prefix$API_KEY_NAME=$API_KEY_SHA256")
[ -z "${ANTHROPIC_API_KEY:-}" ] || secrets+=("ANTHROPIC_API_KEY=$ANTHROPIC_API_KEY")
say "staging secrets on $ORCH_APP: ${secrets[*]%%=*}"
printf '%s\n' "${secrets[@]}" | "$fly" secrets import --stage -a "$ORCH_APP"

say "deploying the nodes of $ORCH_APP"
# Several agents' apps reach the nodes as Fly__AgentApps__N (FLY_AGENT_APPS: Fly refuses FLY_ names in a config's env).
apps_env=()
if [ ${#agent_apps[@]} -gt 1 ]; then
  for i in "${!agent_apps[@]}"; do apps_env+=(-e "Fly__AgentApps__$i=${agent_apps[$i]}"); done
fi
# OPERATORS (key names) may open /dashboard and scrape /metrics; none by default.
(cd "$top" && "$fly" deploy -c fly.orchestrator.toml -a "$ORCH_APP" \
  -e "Fly__AppName=$AGENT_APP" "${apps_env[@]}" -e "Sessions__AgentImage=$image" -e "Auth__Operators=${OPERATORS:-}")

say "done: https://$ORCH_APP.fly.dev (try: curl -s https://$ORCH_APP.fly.dev/health)
  more nodes: $fly scale count 3 -a $ORCH_APP"
