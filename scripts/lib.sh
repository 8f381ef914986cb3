# Shared by the scripts in this folder: where things are and which ports each service uses.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${CM_DATA_DIR:-$ROOT/data}
RUN_DIR=$DATA_DIR/run
SERVICES=(auth collector preprocessor calculator reporter)

# HTTP port of each service (health, metrics, API).
http_port() {
  case $1 in
    collector) echo "${CM_COLLECTOR_HTTP_PORT:-8080}" ;;
    preprocessor) echo "${CM_PREPROCESSOR_HTTP_PORT:-8081}" ;;
    calculator) echo "${CM_CALCULATOR_HTTP_PORT:-8082}" ;;
    reporter) echo "${CM_REPORTER_HTTP_PORT:-8083}" ;;
    auth) echo "${CM_AUTH_HTTP_PORT:-8084}" ;;
  esac
}

# Every port a service binds (HTTP and ZeroMQ).
all_ports() {
  case $1 in
    collector) echo "$(http_port collector) ${CM_COLLECTOR_INGEST_PORT:-5560} ${CM_COLLECTOR_OUTBOX_PORT:-5561} ${CM_COLLECTOR_CONTROL_PORT:-5571}" ;;
    preprocessor) echo "$(http_port preprocessor) ${CM_PREPROCESSOR_OUTBOX_PORT:-5562} ${CM_PREPROCESSOR_CONTROL_PORT:-5572}" ;;
    calculator) echo "$(http_port calculator) ${CM_CALCULATOR_OUTBOX_PORT:-5563} ${CM_CALCULATOR_CONTROL_PORT:-5573}" ;;
    reporter) echo "$(http_port reporter) ${CM_REPORTER_CONTROL_PORT:-5574}" ;;
    auth) echo "$(http_port auth) ${CM_AUTH_CONTROL_PORT:-5570}" ;;
  esac
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
  local file=$RUN_DIR/$1.pid
  [[ -f $file ]] || return 1
  local pid
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then echo "$pid"; else rm -f "$file"; return 1; fi
}

reporter_url() { echo "http://127.0.0.1:$(http_port reporter)"; }
collector_url() { echo "http://127.0.0.1:$(http_port collector)"; }
