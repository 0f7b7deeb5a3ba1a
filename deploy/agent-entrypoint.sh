#!/bin/sh
# The agent image's entrypoint: runs its arguments (the agent) as the non-root user 'agent'. Fly mounts a
# session's workspace volume at /workspace owned by root; when started as root this hands that folder (not what is
# in it: earlier sessions' files are the agent's already) to the agent user and drops root for good.
set -eu
if [ "$(id -u)" -eq 0 ]; then
  chown agent:agent /workspace
  HOME=/home/agent USER=agent exec setpriv --reuid=agent --regid=agent --init-groups --inh-caps=-all -- "$@"
fi
exec "$@"
