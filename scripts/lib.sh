# Shared by the scripts in this folder: where things are, which instances run, and their ports.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${CM_DATA_DIR:-$ROOT/data}
RUN_DIR=$DATA_DIR/run
SERVICES=(auth collector preprocessor calculator reporter)
PREPROCESSORS=${CM_PREPROCESSORS:-1}
CALCULATORS=${CM_CALCULATORS:-1}
# Standby replicas per scalable stage: with any, every replica of the preprocessor and the
# calculator claims a free shard's store itself (--shard auto) and a standby takes over the
# shard of a replica that dies.
STANDBYS=${CM_STANDBYS:-0}

# Replica k (0-based) of a scalable stage: the first keeps the default ports, the others get
# ports of their own (preprocessor 81xx/56xx, calculator 82xx/57xx).
replica_port() { # stage kind k
  local stage=$1 kind=$2 k=$3
  case $stage:$kind in
    preprocessor:http) ((k == 0)) && echo "${CM_PREPROCESSOR_HTTP_PORT:-8081}" || echo $((8100 + k)) ;;
    preprocessor:outbox) ((k == 0)) && echo "${CM_PREPROCESSOR_OUTBOX_PORT:-5562}" || echo $((5600 + k)) ;;
    preprocessor:control) ((k == 0)) && echo "${CM_PREPROCESSOR_CONTROL_PORT:-5572}" || echo $((5620 + k)) ;;
    calculator:http) ((k == 0)) && echo "${CM_CALCULATOR_HTTP_PORT:-8082}" || echo $((8200 + k)) ;;
    calculator:outbox) ((k == 0)) && echo "${CM_CALCULATOR_OUTBOX_PORT:-5563}" || echo $((5700 + k)) ;;
    calculator:control) ((k == 0)) && echo "${CM_CALCULATOR_CONTROL_PORT:-5573}" || echo $((5720 + k)) ;;
  esac
}

# Instances to run: "service:replica" pairs, upstream first.
instances() {
  echo auth:0 collector:0
  for ((k = 0; k < PREPROCESSORS + STANDBYS; k++)); do echo "preprocessor:$k"; done
  for ((k = 0; k < CALCULATORS + STANDBYS; k++)); do echo "calculator:$k"; done
  echo reporter:0
}

instance_name() { echo "$1-$(($2 + 1))"; }

# The shard stores of the stages: one per shard, whichever replica holds it.
stores() {
  echo auth:0 collector:0
  for ((k = 0; k < PREPROCESSORS; k++)); do echo "preprocessor:$k"; done
  for ((k = 0; k < CALCULATORS; k++)); do echo "calculator:$k"; done
  echo reporter:0
}

# Whether a stage's process answers /health as a standby (it holds no shard, so no store).
is_standby() { # service replica
  curl -fsS "http://127.0.0.1:$(http_port "$1" "$2")/health" 2>/dev/null | grep -q '"role":"standby"'
}

http_port() { # service [replica]
  case $1 in
    collector) echo "${CM_COLLECTOR_HTTP_PORT:-8080}" ;;
    preprocessor|calculator) replica_port "$1" http "${2:-0}" ;;
    reporter) echo "${CM_REPORTER_HTTP_PORT:-8083}" ;;
    auth) echo "${CM_AUTH_HTTP_PORT:-8084}" ;;
  esac
}

# Every port an instance binds (HTTP and ZeroMQ).
all_ports() { # service replica
  case $1 in
    collector) echo "$(http_port collector) ${CM_COLLECTOR_INGEST_PORT:-5560} ${CM_COLLECTOR_OUTBOX_PORT:-5561} ${CM_COLLECTOR_CONTROL_PORT:-5571}" ;;
    preprocessor|calculator) echo "$(replica_port "$1" http "$2") $(replica_port "$1" outbox "$2") $(replica_port "$1" control "$2")" ;;
    reporter) echo "$(http_port reporter) ${CM_REPORTER_CONTROL_PORT:-5574}" ;;
    auth) echo "$(http_port auth) ${CM_AUTH_CONTROL_PORT:-5570}" ;;
  esac
}

endpoints() { # stage kind count
  local list=() k
  for ((k = 0; k < $3; k++)); do list+=("tcp://127.0.0.1:$(replica_port "$1" "$2" "$k")"); done
  (IFS=,; echo "${list[*]}")
}

# Like `endpoints`, each named by its service (service=tcp://...): the reporter needs the name
# to pick the server key when links run with CURVE.
named_endpoints() { # stage kind count
  local list=() k
  for ((k = 0; k < $3; k++)); do list+=("$1=tcp://127.0.0.1:$(replica_port "$1" "$2" "$k")"); done
  (IFS=,; echo "${list[*]}")
}

# The command line of an instance, wired to the others.
instance_args() { # service replica
  local args=(--data-dir "$DATA_DIR" --instance "$(instance_name "$1" "$2")")
  case $1 in
    auth)
      # Tenant export and erase reach every replica.
      args=(serve "${args[@]}" --service-control "collector=tcp://127.0.0.1:${CM_COLLECTOR_CONTROL_PORT:-5571},$(named_endpoints preprocessor control $((PREPROCESSORS + STANDBYS))),$(named_endpoints calculator control $((CALCULATORS + STANDBYS))),reporter=tcp://127.0.0.1:${CM_REPORTER_CONTROL_PORT:-5574}") ;;
    collector) args+=(--preprocessor-shards "$PREPROCESSORS") ;;
    preprocessor)
      args+=(--http-port "$(replica_port preprocessor http "$2")" --outbox-port "$(replica_port preprocessor outbox "$2")"
        --control-port "$(replica_port preprocessor control "$2")" --calculator-shards "$CALCULATORS"
        --collector-outbox "tcp://127.0.0.1:${CM_COLLECTOR_OUTBOX_PORT:-5561}")
      if ((STANDBYS > 0)); then args=("${args[@]:0:2}" "${args[@]:4}" --shard auto --shards "$PREPROCESSORS")
      elif ((PREPROCESSORS > 1)); then args+=(--shard "$2"); fi ;;
    calculator)
      args+=(--http-port "$(replica_port calculator http "$2")" --outbox-port "$(replica_port calculator outbox "$2")"
        --control-port "$(replica_port calculator control "$2")" --preprocessor-outbox "$(endpoints preprocessor outbox $((PREPROCESSORS + STANDBYS)))")
      if ((STANDBYS > 0)); then args=("${args[@]:0:2}" "${args[@]:4}" --shard auto --shards "$CALCULATORS")
      elif ((CALCULATORS > 1)); then args+=(--shard "$2" --shards "$CALCULATORS"); fi ;;
    reporter)
      args+=(--calculator-outbox "$(endpoints calculator outbox $((CALCULATORS + STANDBYS)))"
        --pipeline-control "collector=tcp://127.0.0.1:${CM_COLLECTOR_CONTROL_PORT:-5571},$(named_endpoints preprocessor control $((PREPROCESSORS + STANDBYS))),$(named_endpoints calculator control $((CALCULATORS + STANDBYS)))") ;;
  esac
  # Every service but auth finds auth where this script started it, even on moved ports.
  [[ $1 == auth ]] || args+=(--auth-endpoint "tcp://127.0.0.1:${CM_AUTH_CONTROL_PORT:-5570}")
  printf '%s\n' "${args[@]}"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() { # instance-name
  local file=$RUN_DIR/$1.pid
  [[ -f $file ]] || return 1
  local pid
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then echo "$pid"; else rm -f "$file"; return 1; fi
}

reporter_url() { echo "http://127.0.0.1:$(http_port reporter)"; }
collector_url() { echo "http://127.0.0.1:$(http_port collector)"; }
