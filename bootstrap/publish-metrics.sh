#!/usr/bin/env bash
# Publishes the cluster's Mesos allocation to CloudWatch, where the scaling alarms watch it.
# Runs on every master once a minute (systemd timer mesos-cluster-metrics.timer, installed
# by configure-master); only the leading master publishes, so there is one datapoint a
# minute. From its /metrics/snapshot:
#   AllocationPercent     max(CPU, memory) allocation, in percent: what the alarms watch
#   CpuAllocationPercent  master/cpus_percent x 100
#   MemAllocationPercent  master/mem_percent x 100
#   ActiveAgents          master/slaves_active
# in namespace MesosCluster, dimension ClusterId (read from CLUSTER_ID_FILE).
#
# The call to CloudWatch is made by python3 (already on the masters) with the instance
# role's credentials from IMDSv2, signed with Signature Version 4: no AWS CLI (not in
# Ubuntu 24.04's archive) and no SDK to install, nothing but the standard library.
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

# The metrics (functions/shared/documents.ts CLUSTER_METRICS; a unit test keeps them equal).
METRICS_NAMESPACE=MesosCluster
METRICS_DIMENSION=ClusterId
# Empty: https://monitoring.<region>.amazonaws.com (the Region from the instance metadata).
CLOUDWATCH_ENDPOINT=${CLOUDWATCH_ENDPOINT:-}

# allocation_figures: reads /metrics/snapshot on stdin; prints `ALLOCATION CPU MEM AGENTS`
# when that master is the elected one, else fails with 3.
# (python3 -S: the standard library is all the scripts use; without site-packages it starts faster.)
allocation_figures() {
  python3 -S -c '
import json, math, sys
m = json.load(sys.stdin)
if float(m.get("master/elected", 0)) != 1:
    sys.exit(3)
def percent(key):
    value = float(m.get(key, 0)) * 100
    return value if math.isfinite(value) else 0.0
cpu, mem = percent("master/cpus_percent"), percent("master/mem_percent")
print("%.2f %.2f %.2f %d" % (max(cpu, mem), cpu, mem, int(float(m.get("master/slaves_active", 0)))))
'
}

# put_metric_data CLUSTER_ID NAME=VALUE:UNIT...: one PutMetricData call (CloudWatch Query
# API, SigV4) with the instance role's credentials.
put_metric_data() {
  IMDS_ENDPOINT=$IMDS_ENDPOINT IMDS_TOKEN_TTL=$IMDS_TOKEN_TTL CLOUDWATCH_ENDPOINT=$CLOUDWATCH_ENDPOINT python3 -S -c '
import datetime, hashlib, hmac, json, os, sys, urllib.parse, urllib.request

imds = os.environ["IMDS_ENDPOINT"].rstrip("/")
def metadata(path, token):
    request = urllib.request.Request(imds + "/latest/" + path, headers={"X-aws-ec2-metadata-token": token})
    return urllib.request.urlopen(request, timeout=5).read().decode()
token = urllib.request.urlopen(urllib.request.Request(
    imds + "/latest/api/token", method="PUT",
    headers={"X-aws-ec2-metadata-token-ttl-seconds": os.environ["IMDS_TOKEN_TTL"]}), timeout=5).read().decode()
region = metadata("meta-data/placement/region", token).strip()
role = metadata("meta-data/iam/security-credentials/", token).split()[0]
credentials = json.loads(metadata("meta-data/iam/security-credentials/" + urllib.parse.quote(role), token))

cluster_id, namespace, dimension = sys.argv[1:4]
params = [("Action", "PutMetricData"), ("Version", "2010-08-01"), ("Namespace", namespace)]
for n, spec in enumerate(sys.argv[4:], 1):
    name, rest = spec.split("=", 1)
    value, unit = rest.split(":", 1)
    member = "MetricData.member.%d." % n
    params += [(member + "MetricName", name), (member + "Value", value), (member + "Unit", unit),
               (member + "Dimensions.member.1.Name", dimension), (member + "Dimensions.member.1.Value", cluster_id)]
body = urllib.parse.urlencode(params, quote_via=urllib.parse.quote).encode()

endpoint = os.environ.get("CLOUDWATCH_ENDPOINT") or "https://monitoring.%s.amazonaws.com" % region
url = urllib.parse.urlsplit(endpoint)
amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8", "host": url.netloc, "x-amz-date": amz_date}
if credentials.get("Token"):
    headers["x-amz-security-token"] = credentials["Token"]
signed = ";".join(sorted(headers))
canonical = "\n".join(["POST", "/", "", "".join("%s:%s\n" % (k, headers[k]) for k in sorted(headers)),
                       signed, hashlib.sha256(body).hexdigest()])
scope = "%s/%s/monitoring/aws4_request" % (amz_date[:8], region)
to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
key = ("AWS4" + credentials["SecretAccessKey"]).encode()
for part in (amz_date[:8], region, "monitoring", "aws4_request"):
    key = hmac.new(key, part.encode(), hashlib.sha256).digest()
signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
    credentials["AccessKeyId"], scope, signed, signature)
request = urllib.request.Request("%s://%s/" % (url.scheme, url.netloc), data=body, method="POST", headers=headers)
urllib.request.urlopen(request, timeout=10).read()
' "$@"
}

# publish_metrics ROOT PORT: publishes the figures if this master leads; otherwise does nothing.
publish_metrics() {
  local root=$1 port=$2 cluster_id own_ip snapshot figures allocation cpu mem agents
  if ! cluster_id=$(read_cluster_id "$root"); then
    log "no cluster id in $CLUSTER_ID_FILE; nothing to publish"
    return 0
  fi
  own_ip=$(head -n 1 "$root$MESOS_MASTER_CONF_DIR/ip" 2>/dev/null) || die "$MESOS_MASTER_CONF_DIR/ip is missing: is this a configured master?"
  is_ipv4 "$own_ip" || die "$MESOS_MASTER_CONF_DIR/ip does not hold an IPv4 address"
  snapshot=$(mesos_get "$own_ip" "$port" /metrics/snapshot) || die "the Mesos master on $own_ip:$port did not answer"
  if ! figures=$(allocation_figures <<<"$snapshot"); then
    log "not the leading master; nothing to publish"
    return 0
  fi
  read -r allocation cpu mem agents <<<"$figures"
  put_metric_data "$cluster_id" "$METRICS_NAMESPACE" "$METRICS_DIMENSION" \
    "AllocationPercent=$allocation:Percent" "CpuAllocationPercent=$cpu:Percent" \
    "MemAllocationPercent=$mem:Percent" "ActiveAgents=$agents:Count" ||
    die "PutMetricData failed"
  log "published allocation $allocation% (cpu $cpu%, mem $mem%), $agents active agents for cluster $cluster_id"
}

main() {
  publish_metrics "" "$MESOS_MASTER_PORT"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
