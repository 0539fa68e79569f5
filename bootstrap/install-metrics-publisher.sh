#!/usr/bin/env bash
# Installs the metrics publisher on a master: /usr/local/sbin/mesos-cluster-publish-metrics,
# its oneshot service and a systemd timer that runs it every minute, and the cluster id it
# publishes under. Runs as the last step of the configure-master document (aws:runDocument),
# after the master's services answer; a document of its own keeps configure-master well
# under SSM's 64 KB. Safe to run twice.
#
# Environment (the document exports its parameters):
#   CLUSTER_ID   optional: the cluster id (the ClusterId dimension the scaling alarms watch);
#                without it the timer runs but publishes nothing
# MESOS_CLUSTER_LIB_ONLY=1 defines the functions without running main (unit tests).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -euo pipefail

# >>> sources only
# The folder of the sources, where the embed function below finds them (not in the document).
MESOS_CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# <<< sources only

METRICS_SCRIPT_PATH=/usr/local/sbin/mesos-cluster-publish-metrics
METRICS_UNIT=mesos-cluster-metrics
SYSTEMD_UNIT_DIR=/etc/systemd/system

# >>> embed publish-metrics.sh
# metrics_script_source: the self-contained metrics publisher (libraries inlined, as the renderer does).
metrics_script_source() {
  awk -v dir="$MESOS_CLUSTER_DIR" '
    /^# >>> inline lib\/[a-z0-9-]+\.sh$/ {
      lib = dir "/" substr($0, 14)
      first = 1
      while ((getline line < lib) > 0) { if (!first) print line; first = 0 }
      close(lib); skip = 1; next
    }
    /^# <<< inline lib\/[a-z0-9-]+\.sh$/ { skip = 0; next }
    !skip { print }
  ' "$MESOS_CLUSTER_DIR/publish-metrics.sh"
}
# <<< embed publish-metrics.sh

# The library (lib/common.sh, lib/cluster.sh) comes from the publisher itself, which has it
# inlined: one copy in the document instead of two.
# Sourced with MESOS_CLUSTER_LIB_ONLY=1, so that only its functions and settings are defined.
lib_only=${MESOS_CLUSTER_LIB_ONLY:-}
MESOS_CLUSTER_LIB_ONLY=1
# shellcheck source=/dev/null
source <(metrics_script_source)
MESOS_CLUSTER_LIB_ONLY=$lib_only

# install_metrics_publisher ROOT [CLUSTER_ID]: the publisher, its service and its timer (every
# minute, on the minute), and the cluster id it publishes under when one is given.
install_metrics_publisher() {
  local root=$1 cluster_id=${2:-}
  write_file "$root" "$METRICS_SCRIPT_PATH" "$(metrics_script_source)" 0755
  write_file "$root" "$SYSTEMD_UNIT_DIR/$METRICS_UNIT.service" "$(
    printf '%s\n' \
      '[Unit]' \
      'Description=Publish the Mesos allocation of this cluster to CloudWatch (leading master only)' \
      'After=network-online.target mesos-master.service' \
      '' \
      '[Service]' \
      'Type=oneshot' \
      "ExecStart=$METRICS_SCRIPT_PATH" \
      'TimeoutStartSec=50'
  )"
  write_file "$root" "$SYSTEMD_UNIT_DIR/$METRICS_UNIT.timer" "$(
    printf '%s\n' \
      '[Unit]' \
      'Description=Publish the Mesos allocation every minute' \
      '' \
      '[Timer]' \
      'OnCalendar=*-*-* *:*:00' \
      'AccuracySec=1s' \
      '' \
      '[Install]' \
      'WantedBy=timers.target'
  )"
  if [[ -n $cluster_id ]]; then
    is_cluster_id "$cluster_id" || die "invalid CLUSTER_ID"
    write_file "$root" "$CLUSTER_ID_FILE" "$cluster_id"
  fi
}

main() {
  if [[ -n ${CLUSTER_ID:-} ]]; then is_cluster_id "$CLUSTER_ID" || die "invalid CLUSTER_ID"; fi
  require_root
  install_metrics_publisher "" "${CLUSTER_ID:-}"
  systemctl daemon-reload
  systemctl enable --now "$METRICS_UNIT.timer" >/dev/null 2>&1 || die "could not start $METRICS_UNIT.timer"
  [[ -n ${CLUSTER_ID:-} ]] || log "no CLUSTER_ID given: the metrics timer runs but publishes nothing"
  log "metrics publisher installed ($METRICS_UNIT.timer)"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
