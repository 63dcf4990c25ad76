# Common helpers for Leadflow's scripts. Source it; do not run it.
# Every script says what it does while it does it (`step`), fails loudly (`die`),
# and keeps its state in the run folder (.run/ by default, git-ignored).

set -euo pipefail

LEADFLOW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEADFLOW_RUN_DIR="${LEADFLOW_RUN_DIR:-$LEADFLOW_ROOT/.run}"
LEADFLOW_TOOLS_DIR="${LEADFLOW_TOOLS_DIR:-$LEADFLOW_RUN_DIR/tools}"
LEADFLOW_LOG_DIR="$LEADFLOW_RUN_DIR/logs"
LEADFLOW_PID_DIR="$LEADFLOW_RUN_DIR/pids"

# Embedded stack defaults (DESIGN.md, "Defaults of the embedded stack").
LEADFLOW_KAFKA_BROKERS="${LEADFLOW_KAFKA_BROKERS:-127.0.0.1:19092}"
LEADFLOW_PG_HOST="${LEADFLOW_PG_HOST:-127.0.0.1}"
LEADFLOW_PG_PORT="${LEADFLOW_PG_PORT:-54329}"
LEADFLOW_PG_DATABASE="${LEADFLOW_PG_DATABASE:-leadflow}"
LEADFLOW_PG_USER="${LEADFLOW_PG_USER:-leadflow}"
LEADFLOW_PG_PASSWORD="${LEADFLOW_PG_PASSWORD:-leadflow}"
export LEADFLOW_KAFKA_BROKERS LEADFLOW_PG_HOST LEADFLOW_PG_PORT LEADFLOW_PG_DATABASE \
       LEADFLOW_PG_USER LEADFLOW_PG_PASSWORD LEADFLOW_RUN_DIR

# The librdkafka we build lives in /usr/local; make sure pkg-config and the loader see it first.
export PKG_CONFIG_PATH="/usr/local/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="/usr/local/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

step() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die()  { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as an unprivileged user when we are root (initdb and postgres refuse root).
as_pg_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Postgres server binaries (Debian keeps them under /usr/lib/postgresql/N/bin).
pg_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    [ -n "$dir" ] || die "PostgreSQL server binaries not found; run scripts/setup first"
    printf '%s/%s' "$dir" "$1"
}

# Waits until a TCP port accepts connections or the timeout (seconds) passes.
wait_for_port() {
    local host=$1 port=$2 timeout=${3:-30} what=${4:-service} i
    for ((i = 0; i < timeout * 10; i++)); do
        if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "$what did not accept connections on $host:$port within ${timeout}s"
}

mkdir -p "$LEADFLOW_RUN_DIR" "$LEADFLOW_LOG_DIR" "$LEADFLOW_PID_DIR" "$LEADFLOW_TOOLS_DIR"
