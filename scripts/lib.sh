# Shared by the scripts in this folder: where things are, which instances run, and their ports.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${CM_DATA_DIR:-$ROOT/data}
RUN_DIR=$DATA_DIR/run
PREPROCESSORS=${CM_PREPROCESSORS:-1}
CALCULATORS=${CM_CALCULATORS:-1}
# Standby replicas per scalable stage: with any, every replica of the preprocessor and the
# calculator claims a free shard's store itself (--shard auto) and a standby takes over the
# shard of a replica that dies.
STANDBYS=${CM_STANDBYS:-0}

# Ports, flags and endpoints come from topology/suite.json, the suite's one description of them
# (docs/architecture.md): TOPOLOGY_<service>_<port>_{DEFAULT,FLAG,ENV,REPLICA_BASE} and
# TOPOLOGY_<service>_<link>_{FLAG,ENV,NAMED,TO}, read by scripts/topology.py.
topology_assignments=$(python3 "$ROOT/scripts/topology.py" shell) || { echo "error: cannot read topology/suite.json" >&2; exit 1; }
eval "$topology_assignments"
unset topology_assignments
read -ra SERVICES <<<"$TOPOLOGY_SERVICES"

# A field of the topology, e.g. `topology_field preprocessor http REPLICA_BASE`.
topology_field() { local name="TOPOLOGY_$1_$2${3:+_$3}"; echo "${!name-}"; }

# Replica k (0-based) of a service: the first binds the default ports, each moved by its CM_*_PORT
# variable; the others of a scalable stage get ports of their own (replicaBase + k: preprocessor
# 81xx/56xx, calculator 82xx/57xx).
replica_port() { # service kind k
  local service=$1 kind=$2 k=${3:-0} base variable
  base=$(topology_field "$service" "$kind" REPLICA_BASE)
  if ((k > 0)) && [[ -n $base ]]; then
    echo $((base + k))
  else
    variable=$(topology_field "$service" "$kind" ENV)
    echo "${!variable:-$(topology_field "$service" "$kind" DEFAULT)}"
  fi
}

# Processes a service runs as: one per shard plus the standbys for a scalable stage, else one.
replica_count() { # service
  case $1 in
    preprocessor) echo $((PREPROCESSORS + STANDBYS)) ;;
    calculator) echo $((CALCULATORS + STANDBYS)) ;;
    *) echo 1 ;;
  esac
}

# Every CM_*_PORT variable that moves a port of the suite (its first replicas).
port_variables() {
  local service kind
  for service in $TOPOLOGY_SERVICES; do
    for kind in $(topology_field "$service" PORTS); do topology_field "$service" "$kind" ENV; done
  done
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

http_port() { replica_port "$1" http "${2:-0}"; } # service [replica]

# Every port an instance binds (HTTP and ZeroMQ).
all_ports() { # service replica
  local kind ports=()
  for kind in $(topology_field "$1" PORTS); do ports+=("$(replica_port "$1" "$kind" "$2")"); done
  echo "${ports[*]}"
}

# The default port of every service (what an image exposes): the HTTP ports, then the ZeroMQ ones.
default_ports() {
  local service kind http=() zmq=()
  for service in $TOPOLOGY_SERVICES; do
    for kind in $(topology_field "$service" PORTS); do
      if [[ $kind == http ]]; then http+=("$(topology_field "$service" "$kind" DEFAULT)"); else zmq+=("$(topology_field "$service" "$kind" DEFAULT)"); fi
    done
  done
  echo "$(printf '%s\n' "${http[@]}" | sort -n | tr '\n' ' ')$(printf '%s\n' "${zmq[@]}" | sort -n | tr '\n' ' ')" | sed 's/ $//'
}

# The endpoints of a port of every replica of a service, comma-separated; `named` writes each as
# service=tcp://... (the reporter and auth need the name to pick the server key with CURVE).
endpoints() { # service kind count [named]
  local list=() k
  for ((k = 0; k < $3; k++)); do list+=("${4:+$1=}tcp://$TOPOLOGY_HOST:$(replica_port "$1" "$2" "$k")"); done
  (IFS=,; echo "${list[*]}")
}

named_endpoints() { endpoints "$1" "$2" "$3" named; } # service kind count

# The value of a service's upstream link (topology/suite.json "links"): every replica of every
# port it names, upstream first.
link_value() { # service link
  local list=() target mark=""
  [[ $(topology_field "$1" "$2" NAMED) == 1 ]] && mark=named
  for target in $(topology_field "$1" "$2" TO); do
    list+=("$(endpoints "${target%%.*}" "${target#*.}" "$(replica_count "${target%%.*}")" "$mark")")
  done
  (IFS=,; echo "${list[*]}")
}

# The command line of an instance, wired to the others: its ports and its upstream links as the
# topology names them, then the shard flags.
instance_args() { # service replica
  local args=(--data-dir "$DATA_DIR" --instance "$(instance_name "$1" "$2")") kind link
  for kind in $(topology_field "$1" PORTS); do args+=("$(topology_field "$1" "$kind" FLAG)" "$(replica_port "$1" "$kind" "$2")"); done
  for link in $(topology_field "$1" LINKS); do args+=("$(topology_field "$1" "$link" FLAG)" "$(link_value "$1" "$link")"); done
  case $1 in
    # Tenant export and erase reach every replica (its --service-control link).
    auth) args=(serve "${args[@]}") ;;
    collector) args+=(--preprocessor-shards "$PREPROCESSORS") ;;
    preprocessor)
      args+=(--calculator-shards "$CALCULATORS")
      # With standbys a replica claims a shard and names its store after it: no --instance.
      if ((STANDBYS > 0)); then args=("${args[@]:0:2}" "${args[@]:4}" --shard auto --shards "$PREPROCESSORS")
      elif ((PREPROCESSORS > 1)); then args+=(--shard "$2"); fi ;;
    calculator)
      if ((STANDBYS > 0)); then args=("${args[@]:0:2}" "${args[@]:4}" --shard auto --shards "$CALCULATORS")
      elif ((CALCULATORS > 1)); then args+=(--shard "$2" --shards "$CALCULATORS"); fi ;;
  esac
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
