#!/usr/bin/env bash
# A stand-in for flyctl in DeployScriptTests: logs every command line to $FAKE_FLY/calls, keeps the apps and the
# secrets it was given in $FAKE_FLY, and answers as flyctl does for what deploy/deploy.sh asks.
set -euo pipefail
state="$FAKE_FLY"
printf '%s\n' "$*" >>"$state/calls"
app=""
args=("$@")
for i in "${!args[@]}"; do
  if [ "${args[$i]}" = "-a" ]; then app="${args[$((i + 1))]}"; fi
done
case "$1 ${2:-}" in
  "auth whoami") echo "someone@example.com" ;;
  "machines list") [ -e "$state/app-$app" ] || { echo "Error: Could not find App \"$app\"" >&2; exit 1; }; echo "[]" ;;
  "apps create") touch "$state/app-$3" ;;
  "tokens create") echo "FlyV1 fm2_fake-deploy-token" ;;
  "secrets list")
    printf '['
    sep=""
    if [ -e "$state/secrets-$app" ]; then
      while IFS='=' read -r name _; do printf '%s{"name": "%s", "digest": "x"}' "$sep" "$name"; sep=","; done <"$state/secrets-$app"
    fi
    printf ']\n' ;;
  "secrets import") cat >>"$state/secrets-$app" ;;
  "deploy "*) ;;
  *) echo "fake fly: unexpected command: $*" >&2; exit 3 ;;
esac
