#!/usr/bin/env bash
# Prepares the template slave whose disk becomes the slave image (AMI): Mesos agent and
# Docker installed, the join script in place, and no state that clones must not share.
# Runs once through the configure-slave SSM document, before the image is baked. Safe to
# run twice. The agent is left stopped and disabled: each slave's user data runs
# mesos-cluster-join, which enables it.
#
# Environment (the document exports its parameters):
#   CLUSTER_NAME        the cluster's name (recorded in the image)
#   MESOS_VERSION       pinned version of the Mesos package
#   PACKAGE_REPOSITORY  https URL of the apt repository with Mesos
#   PACKAGE_KEY_URL     https URL of that repository's signing key
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

# Agent flags of every slave.
AGENT_CONTAINERIZERS=docker,mesos
# Docker image pulls can take minutes; the default (1mins) fails such tasks.
AGENT_EXECUTOR_REGISTRATION_TIMEOUT=5mins
# apt settings that keep unattended upgrades (and their dpkg lock) off the slaves.
AUTO_UPGRADES_FILE=/etc/apt/apt.conf.d/20auto-upgrades

# >>> embed mesos-cluster-join.sh
# join_script_source: the self-contained join script (common.sh inlined, as the renderer does).
join_script_source() {
  awk -v lib="$MESOS_CLUSTER_DIR/lib/common.sh" '
    $0 == "# >>> inline lib/common.sh" {
      first = 1
      while ((getline line < lib) > 0) { if (!first) print line; first = 0 }
      close(lib); skip = 1; next
    }
    $0 == "# <<< inline lib/common.sh" { skip = 0; next }
    !skip { print }
  ' "$MESOS_CLUSTER_DIR/mesos-cluster-join.sh"
}
# <<< embed mesos-cluster-join.sh

# write_agent_config ROOT: the flags every slave shares (the join script adds zk, ip, hostname).
write_agent_config() {
  local root=$1 conf
  conf=$(agent_conf_dir "$root")
  write_file "$root" "$conf/containerizers" "$AGENT_CONTAINERIZERS"
  write_file "$root" "$conf/executor_registration_timeout" "$AGENT_EXECUTOR_REGISTRATION_TIMEOUT"
  [[ -s $root$conf/work_dir ]] || write_file "$root" "$conf/work_dir" "$MESOS_AGENT_WORK_DIR"
}

# install_join_script ROOT: /usr/local/sbin/mesos-cluster-join.
install_join_script() {
  write_file "$1" "$JOIN_SCRIPT_PATH" "$(join_script_source)" 0755
}

# write_image_info ROOT: what the image holds, for people inspecting an AMI.
write_image_info() {
  local root=$1
  write_file "$root" "$IMAGE_INFO_FILE" "$(
    printf 'CLUSTER_NAME=%s\n' "$CLUSTER_NAME"
    printf 'MESOS_PACKAGE=%s\n' "$MESOS_PACKAGE"
    printf 'MESOS_VERSION=%s\n' "$MESOS_VERSION"
    printf 'PACKAGE_REPOSITORY=%s\n' "$PACKAGE_REPOSITORY"
  )"
}

# write_bake_files ROOT: the file side of the image hygiene (tests run it in a sandbox).
write_bake_files() {
  local root=$1
  remove_agent_checkpoint "$root"
  write_file "$root" "$AUTO_UPGRADES_FILE" "$(printf 'APT::Periodic::Update-Package-Lists "0";\nAPT::Periodic::Unattended-Upgrade "0";')"
  # An empty machine-id makes systemd create a new one on each clone's first boot. The SSM
  # agent identifies the instance through its metadata, not this file.
  if [[ -f $root/etc/machine-id ]]; then : >"$root/etc/machine-id"; fi
  if [[ -f $root/var/lib/dbus/machine-id && ! -L $root/var/lib/dbus/machine-id ]]; then
    rm -f "$root/var/lib/dbus/machine-id"
  fi
}

validate_slave_env() {
  require_env CLUSTER_NAME MESOS_VERSION PACKAGE_REPOSITORY PACKAGE_KEY_URL
  is_cluster_name "$CLUSTER_NAME" || die "invalid CLUSTER_NAME"
  is_version "$MESOS_VERSION" || die "invalid MESOS_VERSION"
  is_https_url "$PACKAGE_REPOSITORY" || die "invalid PACKAGE_REPOSITORY"
  is_https_url "$PACKAGE_KEY_URL" || die "invalid PACKAGE_KEY_URL"
}

install_slave_packages() {
  local pinned_mesos
  apt_update
  apt_install "${BASE_PACKAGES[@]}"
  add_package_repository "$PACKAGE_REPOSITORY" "$PACKAGE_KEY_URL"
  apt_update
  pinned_mesos=$(resolve_version "$MESOS_PACKAGE" "$MESOS_VERSION")
  apt_install --allow-change-held-packages "$DOCKER_PACKAGE" "$MESOS_PACKAGE=$pinned_mesos"
  apt-mark hold "$MESOS_PACKAGE" >/dev/null
}

# bake_hygiene: leave nothing that clones must not share, and nothing that grabs the dpkg
# lock at their boot.
bake_hygiene() {
  local agent unit
  if agent=$(agent_service); then disable_service "$agent"; fi
  for unit in unattended-upgrades apt-daily apt-daily-upgrade; do disable_service "$unit"; done
  systemctl disable --now apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true
  write_bake_files ""
  if command -v cloud-init >/dev/null 2>&1; then
    cloud-init clean --logs || die "cloud-init clean failed"
  fi
  apt_get clean
  sync
}

main() {
  require_root
  validate_slave_env
  log "configuring the template slave of cluster $CLUSTER_NAME (Mesos $MESOS_VERSION)"

  install_slave_packages
  write_agent_config ""
  disable_service "$ZOOKEEPER_SERVICE"
  disable_service "$MESOS_MASTER_SERVICE"
  if unit_exists docker; then systemctl enable --now docker >/dev/null 2>&1 || die "could not start docker"; fi
  install_join_script ""
  write_image_info ""
  bake_hygiene
  log "template slave ready for the image"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
