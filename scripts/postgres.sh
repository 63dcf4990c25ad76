# PostgreSQL helpers for the private cluster (sourced by scripts/setup and scripts/stack).

# The cluster's folder must be reachable by the unprivileged postgres user; a checkout under a
# private home folder is not, so fall back to a per-checkout folder under /var/tmp there.
pg_cluster_dir() {
    local dir="$LEADFLOW_RUN_DIR/postgres"
    if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$LEADFLOW_RUN_DIR" 2>/dev/null; then
        dir="/var/tmp/leadflow-$(printf '%s' "$LEADFLOW_RUN_DIR" | md5sum | cut -c1-12)/postgres"
    fi
    printf '%s' "$dir"
}

postgres_running() {
    local data; data="$(pg_cluster_dir)/data"
    [ -f "$data/PG_VERSION" ] && as_pg_user "$(pg_bin pg_ctl)" -D "$data" status >/dev/null 2>&1
}

psql_admin() {
    PGPASSWORD="$LEADFLOW_PG_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h "$LEADFLOW_PG_HOST" -p "$LEADFLOW_PG_PORT" \
        -U "$LEADFLOW_PG_USER" "$@"
}

start_postgres() {
    local dir data; dir="$(pg_cluster_dir)"; data="$dir/data"
    [ -f "$data/PG_VERSION" ] || die "no PostgreSQL cluster; run scripts/setup"
    if postgres_running; then
        note "PostgreSQL already running on $LEADFLOW_PG_HOST:$LEADFLOW_PG_PORT"
    else
        step "Starting PostgreSQL on $LEADFLOW_PG_HOST:$LEADFLOW_PG_PORT (data in $data)"
        as_pg_user "$(pg_bin pg_ctl)" -D "$data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
            || die "PostgreSQL did not start; see $dir/postgres.log"
    fi
    if ! psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$LEADFLOW_PG_DATABASE'" | grep -q 1; then
        note "creating database $LEADFLOW_PG_DATABASE"
        psql_admin -d postgres -c "CREATE DATABASE \"$LEADFLOW_PG_DATABASE\""
    fi
}

stop_postgres() {
    local data; data="$(pg_cluster_dir)/data"
    postgres_running || return 0
    step "Stopping PostgreSQL"
    as_pg_user "$(pg_bin pg_ctl)" -D "$data" -m fast -w stop >/dev/null
}
