#!/usr/bin/env bash
# The Marathon smoke test of a new cluster: a tiny app (one nginx container with a port)
# that Marathon deploys on the agents, watched until it runs, then removed. Runs on one
# master through the marathon-smoke-test document, once per action; the waiting is the
# create workflow's poll loop, not this script's.
#
# Environment (the document exports its parameter):
#   SMOKE_TEST_ACTION   deploy   PUT the app (idempotent: the same app id and definition)
#                       status   print one line: `running <tasks running>` (every instance's
#                                task is TASK_RUNNING), `deploying <tasks staged> <tasks running>`
#                                or `absent`, and,
#                                after either of the first two, `last failure: <message>`
#                                when Marathon reports one
#                       remove   DELETE the app (an absent app is already removed)
# Marathon answers on this master's private address (a standby proxies to the leader).
# MESOS_CLUSTER_LIB_ONLY=1 defines the functions without running main (unit tests).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -euo pipefail

# >>> inline lib/common.sh
MESOS_CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -f $MESOS_CLUSTER_DIR/lib/common.sh ]] || {
  echo "lib/common.sh not found beside $0; run the rendered document script instead" >&2
  exit 1
}
# shellcheck source=lib/common.sh
source "$MESOS_CLUSTER_DIR/lib/common.sh"
# <<< inline lib/common.sh

# The app: the seed's example corrected (a real image, a port, valid JSON, Marathon 1.5+
# networking), small enough for any agent. A fixed id, so every action names the same app.
SMOKE_APP_ID=/mesos-cluster-smoke-test
SMOKE_APP_JSON='{
  "id": "/mesos-cluster-smoke-test",
  "instances": 1,
  "cpus": 0.1,
  "mem": 64,
  "networks": [{ "mode": "container/bridge" }],
  "container": {
    "type": "DOCKER",
    "docker": { "image": "nginx:1.27-alpine" },
    "portMappings": [{ "containerPort": 80, "hostPort": 0, "protocol": "tcp", "name": "http" }]
  }
}'
MARATHON_HTTP_CONNECT_TIMEOUT=3
MARATHON_HTTP_MAX_TIME=20

# marathon_url ROOT: Marathon on this master's private address (MESOS_MASTER_CONF_DIR/ip).
marathon_url() {
  local ip
  ip=$(head -n 1 "$1$MESOS_MASTER_CONF_DIR/ip" 2>/dev/null) || die "$MESOS_MASTER_CONF_DIR/ip is missing: is this a configured master?"
  is_ipv4 "$ip" || die "$MESOS_MASTER_CONF_DIR/ip does not hold an IPv4 address"
  printf 'http://%s:%s\n' "$ip" "$MARATHON_PORT"
}

# marathon_call METHOD URL [BODY]: prints the body and, on the last line, the HTTP status.
marathon_call() {
  local method=$1 url=$2 body=${3:-}
  local -a args=(-sS -X "$method" --connect-timeout "$MARATHON_HTTP_CONNECT_TIMEOUT" --max-time "$MARATHON_HTTP_MAX_TIME" -w '\n%{http_code}')
  if [[ -n $body ]]; then args+=(-H 'Content-Type: application/json' --data "$body"); fi
  curl "${args[@]}" "$url" || die "Marathon did not answer $method $url"
}

# split_status RESPONSE: the HTTP status (last line) into STATUS, the body into BODY.
split_status() {
  STATUS=${1##*$'\n'}
  BODY=${1%$'\n'*}
}

# deploy_app BASE_URL: creates or updates the app; Marathon answers 200 or 201 (a deployment started).
deploy_app() {
  split_status "$(marathon_call PUT "$1/v2/apps$SMOKE_APP_ID" "$SMOKE_APP_JSON")"
  [[ $STATUS == 200 || $STATUS == 201 ]] || die "Marathon refused the smoke test app (HTTP $STATUS): ${BODY:0:300}"
  log "smoke test app $SMOKE_APP_ID deployed"
}

# app_status: reads GET /v2/apps/<id> on stdin; prints the status line(s).
app_status() {
  python3 -S -c '
import json, sys
app = json.load(sys.stdin).get("app", {})
running, staged = (int(app.get(k, 0) or 0) for k in ("tasksRunning", "tasksStaged"))
if running >= int(app.get("instances", 1) or 1):
    print("running %d" % running)
else:
    print("deploying %d %d" % (staged, running))
failure = (app.get("lastTaskFailure") or {}).get("message")
if failure:
    print("last failure: " + " ".join(str(failure).split())[:200])
'
}

# status_app BASE_URL: prints the status of the app.
status_app() {
  split_status "$(marathon_call GET "$1/v2/apps$SMOKE_APP_ID")"
  if [[ $STATUS == 404 ]]; then
    printf 'absent\n'
    return 0
  fi
  [[ $STATUS == 200 ]] || die "Marathon answered HTTP $STATUS for the smoke test app: ${BODY:0:300}"
  app_status <<<"$BODY"
}

# remove_app BASE_URL: deletes the app (force: also while it deploys); 404 means already gone.
remove_app() {
  split_status "$(marathon_call DELETE "$1/v2/apps$SMOKE_APP_ID?force=true")"
  [[ $STATUS == 200 || $STATUS == 202 || $STATUS == 404 ]] || die "Marathon did not remove the smoke test app (HTTP $STATUS): ${BODY:0:300}"
  log "smoke test app $SMOKE_APP_ID removed"
}

main() {
  local base
  require_env SMOKE_TEST_ACTION
  [[ $SMOKE_TEST_ACTION =~ ^(deploy|status|remove)$ ]] || die "invalid SMOKE_TEST_ACTION: must be deploy, status or remove"
  base=$(marathon_url "")
  case $SMOKE_TEST_ACTION in
    deploy) deploy_app "$base" ;;
    status) status_app "$base" ;;
    remove) remove_app "$base" ;;
  esac
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
