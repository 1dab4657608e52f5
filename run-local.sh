#!/usr/bin/env bash
# Runs DefenderSnow locally against Azurite and the simulators (seeded with the README walkthrough's demo
# data): no Azure subscription or ServiceNow instance needed. Needs Azure Functions Core Tools (`func`) for
# the app itself; without it the rest still runs so the simulators can be explored. Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --loglevel=error
func=node_modules/.bin/func
[ -x "$func" ] || func=$(command -v func || true)

azurite_data=$(mktemp -d)
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$azurite_data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location "$azurite_data" &
pids+=($!)
dotnet run --project tools/DefenderSnow.Simulators &
pids+=($!)

if [ -z "$func" ]; then
  echo "func (Azure Functions Core Tools v4) is missing, so only Azurite and the simulators run; install it with: npm install -g azure-functions-core-tools@4 --unsafe-perm true" >&2
else
  (
    cd DefenderSnow.Functions
    [ -f local.settings.json ] || cp ../local.settings.sample.json local.settings.json
    # The queue settings became flat (SyncIntegrationsQueue, ...); a copy made before names queues the triggers cannot find.
    grep -q '"SyncIntegrationsQueue"' local.settings.json \
      || echo "DefenderSnow.Functions/local.settings.json predates the flat queue settings (README, Settings): copy local.settings.sample.json again or rename its Queues__* values" >&2
    exec "$func" start
  ) &
  pids+=($!)
fi

wait
