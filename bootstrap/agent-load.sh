#!/usr/bin/env bash
# Prints the tasks on every Mesos agent registered with the cluster's leading master, one
# line per agent: `<agent-ip> <tasks>`, ordered by address. Tasks are those staging,
# starting, running or being killed. Agents being drained are listed too, so a drain can be
# watched to its end. Runs on a master through the agent-load SSM document.
#
# Fails (exit 1) when no elected master answers: an empty answer would read as "no tasks".
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
# >>> inline lib/cluster.sh
# shellcheck source=lib/cluster.sh
source "$MESOS_CLUSTER_DIR/lib/cluster.sh"
# <<< inline lib/cluster.sh

# agent_load_lines: reads /master/state-summary on stdin; prints `<ip> <tasks>` per agent, by
# address. The address is the one in the agent's pid (slave(1)@IP:PORT), else its hostname.
# (python3 -S: the standard library is all the scripts use; without site-packages it starts faster.)
agent_load_lines() {
  python3 -S -c '
import json, re, sys
LIVE = ("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING")
IPV4 = re.compile(r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$")
rows = []
for agent in json.load(sys.stdin).get("slaves", []):
    pid = re.match(r"^[^@]*@([0-9.]+):[0-9]+$", str(agent.get("pid", "")))
    ip = pid.group(1) if pid else str(agent.get("hostname", ""))
    if not IPV4.match(ip):
        print("skipping agent %s: no IPv4 address" % str(agent.get("id", "?"))[:80], file=sys.stderr)
        continue
    tasks = sum(int(agent.get(state) or 0) for state in LIVE)
    rows.append((tuple(int(octet) for octet in ip.split(".")), ip, tasks))
for _, ip, tasks in sorted(rows):
    print(ip, tasks)
'
}

# agent_load ROOT PORT: the load lines of the cluster, from its leading master.
agent_load() {
  local root=$1 port=$2 leader summary
  leader=$(leading_master "$root" "$port") || die "no elected Mesos master answered"
  summary=$(mesos_get "$leader" "$port" /master/state-summary) ||
    die "the leading master $leader did not answer /master/state-summary"
  agent_load_lines <<<"$summary"
}

main() {
  agent_load "" "$MESOS_MASTER_PORT"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
