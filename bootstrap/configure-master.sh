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
#   PACKAGE_SOURCE      mirror (the .deb files the document downloaded from the stack's
#                       bucket, checked against MESOS_PACKAGE_SHA256 / MARATHON_PACKAGE_SHA256)
#                       or vendor (PACKAGE_REPOSITORY); optional, vendor when empty
#   MESOS_PACKAGE_KEY, MESOS_PACKAGE_SHA256, MARATHON_PACKAGE_KEY, MARATHON_PACKAGE_SHA256
#                       the mirrored .deb files and their SHA256 (mirror only)
#   PACKAGE_REPOSITORY  https URL of the apt repository with Mesos and Marathon (vendor)
#   PACKAGE_KEY_URL     https URL of that repository's signing key (vendor)
#   CLUSTER_ID          optional: the cluster id, under which the leading master publishes
#                       its allocation to CloudWatch every minute (the document's last step,
#                       install-metrics-publisher, installs the publisher and its timer)
#
# On a live ensemble (this master's ZooKeeper already serves a quorum) a re-run restarts the
# masters one at a time, so the ZooKeeper quorum is never lost; see restart_services.
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

# write_mesos_master_config ROOT MASTER_IPS OWN_IP HOSTNAME CLUSTER_NAME: the master's flags,
# both as the environment file the package's unit reads (MESOS_ZK names the ensemble
# explicitly) and as the flag files of its init wrapper, with the same values.
write_mesos_master_config() {
  local root=$1 ips=$2 own_ip=$3 hostname=$4 cluster=$5 zk quorum work_dir
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
  work_dir=$(head -n 1 "$root$MESOS_MASTER_CONF_DIR/work_dir")
  write_file "$root" "$MESOS_MASTER_DEFAULTS_FILE" "$(
    printf 'MESOS_ZK=%s\n' "$zk"
    printf 'MESOS_QUORUM=%s\n' "$quorum"
    printf 'MESOS_IP=%s\n' "$own_ip"
    printf 'MESOS_HOSTNAME=%s\n' "$hostname"
    printf 'MESOS_HOSTNAME_LOOKUP=false\n'
    printf 'MESOS_CLUSTER=%s\n' "$cluster"
    printf 'MESOS_WORK_DIR=%s\n' "$work_dir"
  )"
}

# write_marathon_config ROOT MASTER_IPS OWN_IP [JAVA_HOME]: Marathon's environment file and
# its runtime directory. Marathon advertises OWN_IP (the private address): a standby
# Marathon proxies requests to the leader at that address, and the cluster's security
# groups open 8080 between masters only on their private addresses.
write_marathon_config() {
  local root=$1 ips=$2 own_ip=$3 java_home=${4:-} zk content
  is_ipv4 "$own_ip" || die "invalid Marathon address '$own_ip'"
  zk=$(zk_url "$ips")
  content=$(
    printf 'MARATHON_MASTER=%s\n' "$zk"
    printf 'MARATHON_ZK=%s\n' "${zk%/mesos}/marathon"
    printf 'MARATHON_HOSTNAME=%s\n' "$own_ip"
    printf 'MARATHON_HTTP_ADDRESS=%s\n' "0.0.0.0"
    printf 'MARATHON_HTTP_PORT=%s\n' "$MARATHON_PORT"
    if [[ -n $java_home ]]; then printf 'JAVA_HOME=%s\n' "$java_home"; fi
  )
  write_file "$root" "$MARATHON_DEFAULTS_FILE" "$content"
  # systemd recreates the unit's runtime directory at every boot.
  write_file "$root" "$MARATHON_TMPFILES_FILE" "d $MARATHON_RUN_DIR 0755 $MARATHON_USER $MARATHON_USER -"
}

# ensure_marathon_user: the system user the Marathon unit runs as (when the package did not create it).
ensure_marathon_user() {
  if ! id "$MARATHON_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$MARATHON_USER" ||
      die "could not create the $MARATHON_USER user"
    log "created the $MARATHON_USER user"
  fi
  systemd-tmpfiles --create "$MARATHON_TMPFILES_FILE" >/dev/null 2>&1 || install -d -m 0755 -o "$MARATHON_USER" -g "$MARATHON_USER" "$MARATHON_RUN_DIR"
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
  PACKAGE_SOURCE=${PACKAGE_SOURCE:-vendor}
  is_package_source "$PACKAGE_SOURCE" || die "invalid PACKAGE_SOURCE: must be mirror or vendor"
  if [[ $PACKAGE_SOURCE == mirror ]]; then
    require_env MESOS_PACKAGE_KEY MESOS_PACKAGE_SHA256 MARATHON_PACKAGE_KEY MARATHON_PACKAGE_SHA256
    is_package_key "$MESOS_PACKAGE_KEY" || die "invalid MESOS_PACKAGE_KEY"
    is_sha256 "$MESOS_PACKAGE_SHA256" || die "invalid MESOS_PACKAGE_SHA256"
    is_package_key "$MARATHON_PACKAGE_KEY" || die "invalid MARATHON_PACKAGE_KEY"
    is_sha256 "$MARATHON_PACKAGE_SHA256" || die "invalid MARATHON_PACKAGE_SHA256"
  fi
}

# install_master_packages: ZooKeeper and Java from Ubuntu; Mesos and Marathon from the
# mirror (checked .deb files, nothing from the vendor) or from the vendor's repository.
install_master_packages() {
  local pinned_mesos pinned_marathon mesos_deb marathon_deb
  if [[ $PACKAGE_SOURCE == mirror ]]; then
    mesos_deb=$(verify_mirrored_package "" "$MESOS_PACKAGE $MESOS_VERSION" "$MESOS_PACKAGE_KEY" "$MESOS_PACKAGE_SHA256")
    marathon_deb=$(verify_mirrored_package "" "$MARATHON_PACKAGE $MARATHON_VERSION" "$MARATHON_PACKAGE_KEY" "$MARATHON_PACKAGE_SHA256")
    apt_update
    apt_install "${BASE_PACKAGES[@]}"
    apt_install --allow-change-held-packages "${ZOOKEEPER_PACKAGES[@]}" "$JAVA_PACKAGE" "$mesos_deb" "$marathon_deb"
  else
    apt_update
    apt_install "${BASE_PACKAGES[@]}"
    add_package_repository "$PACKAGE_REPOSITORY" "$PACKAGE_KEY_URL"
    apt_update
    pinned_mesos=$(resolve_version "$MESOS_PACKAGE" "$MESOS_VERSION")
    pinned_marathon=$(resolve_version "$MARATHON_PACKAGE" "$MARATHON_VERSION")
    apt_install --allow-change-held-packages "${ZOOKEEPER_PACKAGES[@]}" "$JAVA_PACKAGE" \
      "$MESOS_PACKAGE=$pinned_mesos" "$MARATHON_PACKAGE=$pinned_marathon"
  fi
  apt-mark hold "$MESOS_PACKAGE" "$MARATHON_PACKAGE" >/dev/null
}

# services_active: ZooKeeper, the Mesos master and Marathon all run.
services_active() {
  systemctl is-active --quiet "$ZOOKEEPER_SERVICE" &&
    systemctl is-active --quiet "$MESOS_MASTER_SERVICE" &&
    systemctl is-active --quiet "$MARATHON_SERVICE"
}

# wait_for_turn MASTER_IPS OWN_IP: on a live ensemble, waits for this master's slot
# ((myid - 1) x ROLLING_RESTART_SLOT) and then until every other ZooKeeper serves, so that
# stopping this one leaves a quorum.
wait_for_turn() {
  local ips=$1 own=$2 myid deadline
  myid=$(zoo_myid "$ips" "$own")
  if ((myid > 1)); then
    log "rolling restart: master $myid waits $(((myid - 1) * ROLLING_RESTART_SLOT))s for its turn"
    sleep $(((myid - 1) * ROLLING_RESTART_SLOT))
  fi
  deadline=$((SECONDS + ROLLING_QUORUM_TIMEOUT))
  until others_serve "$ips" "$own"; do
    ((SECONDS < deadline)) ||
      die "rolling restart: the other masters' ZooKeeper did not all serve within ${ROLLING_QUORUM_TIMEOUT}s; not restarting, so the quorum stays"
    sleep "$SERVICE_WAIT_INTERVAL"
  done
}

# restart_services MASTER_IPS OWN_IP ROLLING: (re)starts ZooKeeper, the Mesos master and
# Marathon. ROLLING=1 (a live ensemble): this master waits for its turn, restarts
# ZooKeeper and waits until it has rejoined the quorum before the Mesos master and Marathon.
restart_services() {
  local ips=$1 own=$2 rolling=$3 deadline
  if ((rolling == 1)); then wait_for_turn "$ips" "$own"; fi
  enable_restart "$ZOOKEEPER_SERVICE"
  if ((rolling == 1)); then
    deadline=$((SECONDS + SERVICE_WAIT_TIMEOUT))
    until zk_mode "$own" >/dev/null; do
      ((SECONDS < deadline)) || die "ZooKeeper on $own did not rejoin the ensemble within ${SERVICE_WAIT_TIMEOUT}s"
      sleep "$SERVICE_WAIT_INTERVAL"
    done
  fi
  enable_restart "$MESOS_MASTER_SERVICE"
  enable_restart "$MARATHON_SERVICE"
}

# java_home: the JVM of JAVA_PACKAGE, if installed where Ubuntu puts it.
java_home() {
  local dir
  dir="/usr/lib/jvm/java-11-openjdk-$(dpkg --print-architecture)"
  if [[ -d $dir ]]; then printf '%s\n' "$dir"; fi
}

main() {
  local own_ip hostname agent rolling=0
  require_root
  validate_master_env
  own_ip=$(own_private_ip)
  zoo_myid "$MASTER_IPS" "$own_ip" >/dev/null
  hostname=$(own_public_ip_or "$own_ip")
  log "configuring master $own_ip (hostname $hostname) of cluster $CLUSTER_NAME, masters $MASTER_IPS, packages from $PACKAGE_SOURCE"
  # A ZooKeeper that already serves a quorum here means a re-run on a live ensemble.
  if [[ $MASTER_IPS == *,* ]] && zk_mode "$own_ip" >/dev/null; then
    rolling=1
    log "the ensemble is live: restarting one master at a time"
  fi

  install_master_packages
  ensure_marathon_user

  FILES_CHANGED=0
  write_zookeeper_config "" "$MASTER_IPS" "$own_ip"
  if id zookeeper >/dev/null 2>&1; then chown -R zookeeper:zookeeper "$ZOO_DATA_DIR"; fi
  write_mesos_master_config "" "$MASTER_IPS" "$own_ip" "$hostname" "$CLUSTER_NAME"
  write_marathon_config "" "$MASTER_IPS" "$own_ip" "$(java_home)"
  systemctl daemon-reload

  if agent=$(agent_service); then disable_service "$agent"; fi
  if ((rolling == 1 && FILES_CHANGED == 0)) && services_active; then
    log "configuration unchanged and every service runs: nothing to restart"
  else
    restart_services "$MASTER_IPS" "$own_ip" "$rolling"
  fi

  wait_for_http "http://$own_ip:$MESOS_MASTER_PORT/health" "$SERVICE_WAIT_TIMEOUT" ||
    die "the Mesos master did not answer on :$MESOS_MASTER_PORT within ${SERVICE_WAIT_TIMEOUT}s"
  wait_for_http "http://$own_ip:$MARATHON_PORT/ping" "$SERVICE_WAIT_TIMEOUT" ||
    die "Marathon did not answer on :$MARATHON_PORT within ${SERVICE_WAIT_TIMEOUT}s"
  log "master $own_ip ready: Mesos http://$hostname:$MESOS_MASTER_PORT, Marathon http://$hostname:$MARATHON_PORT"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
