#!/usr/bin/env bash
# Configures a Mesos master: a ZooKeeper ensemble member, the Mesos master and Marathon.
# Runs through the configure-master SSM document, on every master at once. Safe to run twice.
#
# Environment (the document exports its parameters):
#   CLUSTER_NAME        the cluster's name (Mesos cluster name)
#   MASTER_IPS          private IPv4 addresses of all masters, comma-separated, odd count;
#                       the order gives the ZooKeeper ids, so every master gets the same list
#   MESOS_VERSION       pinned version of the Mesos package
#   MARATHON_VERSION    pinned version of the Marathon package
#   PACKAGE_REPOSITORY  https URL of the apt repository with Mesos and Marathon
#   PACKAGE_KEY_URL     https URL of that repository's signing key
#   CLUSTER_ID          optional: the cluster id, under which the leading master publishes
#                       its allocation to CloudWatch every minute (mesos-cluster-metrics.timer)
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
# >>> inline lib/cluster.sh
# shellcheck source=lib/cluster.sh
source "$MESOS_CLUSTER_DIR/lib/cluster.sh"
# <<< inline lib/cluster.sh

# The metrics publisher: installed here, run every minute by a systemd timer.
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

# write_zookeeper_config ROOT MASTER_IPS OWN_IP: zoo.cfg and this master's myid under ROOT.
write_zookeeper_config() {
  local root=$1 ips=$2 own_ip=$3 cfg myid
  cfg=$(render_zoo_cfg "$ips")
  myid=$(zoo_myid "$ips" "$own_ip")
  write_file "$root" "$ZOO_CONF_DIR/zoo.cfg" "$cfg"
  # ZooKeeper reads dataDir/myid; Debian's package links it to conf/myid. Write both.
  write_file "$root" "$ZOO_CONF_DIR/myid" "$myid"
  write_file "$root" "$ZOO_DATA_DIR/myid" "$myid"
}

# write_mesos_master_config ROOT MASTER_IPS OWN_IP HOSTNAME CLUSTER_NAME: the master's flags.
write_mesos_master_config() {
  local root=$1 ips=$2 own_ip=$3 hostname=$4 cluster=$5 zk quorum
  zk=$(zk_url "$ips")
  quorum=$(mesos_quorum "$ips")
  write_file "$root" "$MESOS_CONF_DIR/zk" "$zk"
  write_file "$root" "$MESOS_MASTER_CONF_DIR/quorum" "$quorum"
  write_file "$root" "$MESOS_MASTER_CONF_DIR/ip" "$own_ip"
  write_file "$root" "$MESOS_MASTER_CONF_DIR/hostname" "$hostname"
  write_file "$root" "$MESOS_MASTER_CONF_DIR/cluster" "$cluster"
  # The replicated registry needs a work_dir; keep the package's if it set one.
  [[ -f $root$MESOS_MASTER_CONF_DIR/work_dir ]] ||
    write_file "$root" "$MESOS_MASTER_CONF_DIR/work_dir" "$MESOS_MASTER_WORK_DIR"
}

# write_marathon_config ROOT MASTER_IPS HOSTNAME [JAVA_HOME]: Marathon's environment file.
write_marathon_config() {
  local root=$1 ips=$2 hostname=$3 java_home=${4:-} zk content
  zk=$(zk_url "$ips")
  content=$(
    printf 'MARATHON_MASTER=%s\n' "$zk"
    printf 'MARATHON_ZK=%s\n' "${zk%/mesos}/marathon"
    printf 'MARATHON_HOSTNAME=%s\n' "$hostname"
    printf 'MARATHON_HTTP_PORT=%s\n' "$MARATHON_PORT"
    if [[ -n $java_home ]]; then printf 'JAVA_HOME=%s\n' "$java_home"; fi
  )
  write_file "$root" "$MARATHON_DEFAULTS_FILE" "$content"
}

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

# validate_master_env: every parameter present and well-formed.
validate_master_env() {
  if [[ -n ${CLUSTER_ID:-} ]]; then is_cluster_id "$CLUSTER_ID" || die "invalid CLUSTER_ID"; fi
  require_env CLUSTER_NAME MASTER_IPS MESOS_VERSION MARATHON_VERSION PACKAGE_REPOSITORY PACKAGE_KEY_URL
  is_cluster_name "$CLUSTER_NAME" || die "invalid CLUSTER_NAME"
  is_master_ips "$MASTER_IPS" || die "invalid MASTER_IPS: need an odd number of distinct IPv4 addresses"
  is_version "$MESOS_VERSION" || die "invalid MESOS_VERSION"
  is_version "$MARATHON_VERSION" || die "invalid MARATHON_VERSION"
  is_https_url "$PACKAGE_REPOSITORY" || die "invalid PACKAGE_REPOSITORY"
  is_https_url "$PACKAGE_KEY_URL" || die "invalid PACKAGE_KEY_URL"
}

install_master_packages() {
  local pinned_mesos pinned_marathon
  apt_update
  apt_install "${BASE_PACKAGES[@]}"
  add_package_repository "$PACKAGE_REPOSITORY" "$PACKAGE_KEY_URL"
  apt_update
  pinned_mesos=$(resolve_version "$MESOS_PACKAGE" "$MESOS_VERSION")
  pinned_marathon=$(resolve_version "$MARATHON_PACKAGE" "$MARATHON_VERSION")
  apt_install --allow-change-held-packages "${ZOOKEEPER_PACKAGES[@]}" "$JAVA_PACKAGE" \
    "$MESOS_PACKAGE=$pinned_mesos" "$MARATHON_PACKAGE=$pinned_marathon"
  apt-mark hold "$MESOS_PACKAGE" "$MARATHON_PACKAGE" >/dev/null
}

# java_home: the JVM of JAVA_PACKAGE, if installed where Ubuntu puts it.
java_home() {
  local dir
  dir="/usr/lib/jvm/java-11-openjdk-$(dpkg --print-architecture)"
  if [[ -d $dir ]]; then printf '%s\n' "$dir"; fi
}

main() {
  local own_ip hostname agent
  require_root
  validate_master_env
  own_ip=$(own_private_ip)
  zoo_myid "$MASTER_IPS" "$own_ip" >/dev/null
  hostname=$(own_public_ip_or "$own_ip")
  log "configuring master $own_ip (hostname $hostname) of cluster $CLUSTER_NAME, masters $MASTER_IPS"

  install_master_packages

  write_zookeeper_config "" "$MASTER_IPS" "$own_ip"
  if id zookeeper >/dev/null 2>&1; then chown -R zookeeper:zookeeper "$ZOO_DATA_DIR"; fi
  write_mesos_master_config "" "$MASTER_IPS" "$own_ip" "$hostname" "$CLUSTER_NAME"
  write_marathon_config "" "$MASTER_IPS" "$hostname" "$(java_home)"

  if agent=$(agent_service); then disable_service "$agent"; fi
  enable_restart "$ZOOKEEPER_SERVICE"
  enable_restart "$MESOS_MASTER_SERVICE"
  enable_restart "$MARATHON_SERVICE"

  wait_for_http "http://$own_ip:$MESOS_MASTER_PORT/health" "$SERVICE_WAIT_TIMEOUT" ||
    die "the Mesos master did not answer on :$MESOS_MASTER_PORT within ${SERVICE_WAIT_TIMEOUT}s"
  wait_for_http "http://$own_ip:$MARATHON_PORT/ping" "$SERVICE_WAIT_TIMEOUT" ||
    die "Marathon did not answer on :$MARATHON_PORT within ${SERVICE_WAIT_TIMEOUT}s"

  install_metrics_publisher "" "${CLUSTER_ID:-}"
  systemctl daemon-reload
  systemctl enable --now "$METRICS_UNIT.timer" >/dev/null 2>&1 || die "could not start $METRICS_UNIT.timer"
  [[ -n ${CLUSTER_ID:-} ]] || log "no CLUSTER_ID given: the metrics timer runs but publishes nothing"
  log "master $own_ip ready: Mesos http://$hostname:$MESOS_MASTER_PORT, Marathon http://$hostname:$MARATHON_PORT"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
