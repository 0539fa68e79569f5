#!/usr/bin/env bash
# Prints the number of active agents registered with the cluster's leading Mesos master,
# as one integer on stdout. Runs on a master through the count-agents SSM document.
#
# Only the elected master counts agents, so this asks each master listed in /etc/mesos/zk
# (this one included) for /metrics/snapshot and reads the elected one's
# master/slaves_active. While no master is elected it prints 0 (the workflow polls again).
# No parameters. MESOS_CLUSTER_LIB_ONLY=1 defines the functions without running main.
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

# elected_active_agents: reads a /metrics/snapshot JSON on stdin; prints master/slaves_active
# if that master is the elected one, else fails.
elected_active_agents() {
  python3 -c '
import json, sys
metrics = json.load(sys.stdin)
if float(metrics.get("master/elected", 0)) != 1:
    sys.exit(3)
print(int(float(metrics.get("master/slaves_active", 0))))
'
}

# count_active_agents ROOT PORT: the elected master's count of active agents, or 0.
count_active_agents() {
  local root=$1 port=$2 zk host snapshot count
  [[ -s $root$MESOS_CONF_DIR/zk ]] || die "$MESOS_CONF_DIR/zk is missing: is this a configured master?"
  zk=$(head -n 1 "$root$MESOS_CONF_DIR/zk")
  is_zk_url "$zk" || die "$MESOS_CONF_DIR/zk does not hold a valid zk URL"
  is_port "$port" || die "invalid port '$port'"
  while read -r host; do
    snapshot=$(curl -fsS --connect-timeout 3 --max-time 10 "http://$host:$port/metrics/snapshot" 2>/dev/null) || {
      log "master $host did not answer"
      continue
    }
    if count=$(elected_active_agents <<<"$snapshot" 2>/dev/null); then
      printf '%s\n' "$count"
      return 0
    fi
  done < <(zk_url_hosts "$zk")
  log "no elected Mesos master answered; reporting 0 agents"
  printf '0\n'
}

main() {
  count_active_agents "" "$MESOS_MASTER_PORT"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
