# A local Leadflow cluster for the proof scripts (scripts/e2e, scripts/chaos, scripts/bench,
# scripts/hostile): N instances of every service, isolated in their own database and topic
# prefix, against the embedded broker and PostgreSQL. Source it after lib.sh; do not run it.
#
#   cluster_init e2e            # names the run (database e2e_<stamp>, topics e2e_<stamp>.*)
#   cluster_build release       # builds the services, leadctl and leadflow-proof (debug|release)
#   cluster_start_mailbox       # demo SMTP sink the notifiers deliver to
#   cluster_start ingest 1      # starts instance 1 of ingest (stable instance id and port)
#   cluster_start_all 2         # two instances of every service, then waits until ready
#   cluster_kill scoring 2 KILL # signals one instance (KILL, STOP, CONT, TERM)
#   cluster_restart scoring 2   # starts it again with the same instance id and port
#   cluster_url ingest 1        # http://127.0.0.1:<port>
#   cluster_seed                # leadctl seed against instance 1; writes $CLUSTER_DIR/seed.env
#   cluster_psql "SELECT …"     # SQL against the run's database
#   cluster_stop                # stops everything it started; drops the database unless KEEP=1

CLUSTER_SERVICES=(ingest scoring routing notifier analytics)

# Names the run and creates its database. Sets CLUSTER_NAME, CLUSTER_DB, CLUSTER_PREFIX, CLUSTER_DIR.
cluster_init() {
    local kind=$1
    CLUSTER_NAME="${kind}_$(date +%Y%m%d_%H%M%S)_$RANDOM"
    CLUSTER_DB="$CLUSTER_NAME"
    CLUSTER_PREFIX="$CLUSTER_NAME."
    CLUSTER_DIR="$LEADFLOW_RUN_DIR/cluster/$CLUSTER_NAME"
    mkdir -p "$CLUSTER_DIR"
    step "Run $CLUSTER_NAME: database $CLUSTER_DB, topics ${CLUSTER_PREFIX}*, state in ${CLUSTER_DIR#"$LEADFLOW_ROOT"/}"
    cluster_psql_admin "CREATE DATABASE $CLUSTER_DB" >/dev/null
    trap cluster_stop EXIT
}

# Builds the five services and leadctl; sets CLUSTER_BIN.
cluster_build() {
    local config=${1:-release} product
    step "Building every product: the services, leadctl, leadflow-proof ($config)"
    # One invocation for everything: SwiftPM then compiles independent modules in parallel (one
    # `--product` build per tool was a minute slower from cold) and an up-to-date check costs once.
    (cd "$LEADFLOW_ROOT" && swift build -c "$config" 2>&1 | { grep -E "error|warning: " | grep -v "unhandled" || true; })
    CLUSTER_BIN="$(cd "$LEADFLOW_ROOT" && swift build -c "$config" --show-bin-path)"
    for product in "${CLUSTER_SERVICES[@]/#/leadflow-}" leadctl leadflow-proof; do
        [ -x "$CLUSTER_BIN/$product" ] || die "build did not produce $product"
    done
}

cluster_psql_admin() {
    PGPASSWORD="$LEADFLOW_PG_PASSWORD" psql -h "$LEADFLOW_PG_HOST" -p "$LEADFLOW_PG_PORT" \
        -U "$LEADFLOW_PG_USER" -d postgres -qAtX -c "$1"
}

# Runs SQL against the run's database and prints unaligned rows.
cluster_psql() {
    PGPASSWORD="$LEADFLOW_PG_PASSWORD" psql -h "$LEADFLOW_PG_HOST" -p "$LEADFLOW_PG_PORT" \
        -U "$LEADFLOW_PG_USER" -d "$CLUSTER_DB" -qAtX -v ON_ERROR_STOP=1 -c "$1"
}

cluster_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts the demo SMTP sink (scripts/mailbox.py) on a free port; sets CLUSTER_SMTP_PORT.
cluster_start_mailbox() {
    CLUSTER_SMTP_PORT="$(cluster_free_port)"
    mkdir -p "$CLUSTER_DIR/mail"
    /usr/bin/python3 "$LEADFLOW_ROOT/scripts/mailbox.py" 127.0.0.1 "$CLUSTER_SMTP_PORT" "$CLUSTER_DIR/mail" \
        >"$CLUSTER_DIR/mailbox.log" 2>&1 &
    echo $! > "$CLUSTER_DIR/mailbox.pid"
    wait_for_port 127.0.0.1 "$CLUSTER_SMTP_PORT" 15 "mailbox"
    note "mailbox on 127.0.0.1:$CLUSTER_SMTP_PORT (messages in ${CLUSTER_DIR#"$LEADFLOW_ROOT"/}/mail)"
}

# The instance's port (allocated on first start, kept across restarts).
cluster_port() {
    local svc=$1 i=$2 file="$CLUSTER_DIR/$1-$2.port"
    [ -f "$file" ] || cluster_free_port > "$file"
    cat "$file"
}

cluster_url() { printf 'http://127.0.0.1:%s' "$(cluster_port "$1" "$2")"; }
cluster_pid() { cat "$CLUSTER_DIR/$1-$2.pid" 2>/dev/null || true; }

# Starts one instance in the background with a stable instance id (static group membership,
# so a restart after kill -9 takes its partitions back at once). Extra environment for every
# instance can be passed in CLUSTER_EXTRA_ENV (space-separated NAME=value words).
cluster_start() {
    local svc=$1 i=$2 port
    port="$(cluster_port "$svc" "$i")"
    # shellcheck disable=SC2086
    env LEADFLOW_PG_DATABASE="$CLUSTER_DB" LEADFLOW_TOPIC_PREFIX="$CLUSTER_PREFIX" \
        LEADFLOW_CONSUMER_GROUP="${CLUSTER_PREFIX}$svc" LEADFLOW_INSTANCE_ID="$CLUSTER_NAME-$svc-$i" \
        LEADFLOW_HTTP_PORT="$port" LEADFLOW_LOG_LEVEL="${CLUSTER_LOG_LEVEL:-warning}" \
        LEADFLOW_KAFKA_SESSION_TIMEOUT_MS="${CLUSTER_SESSION_TIMEOUT_MS:-6000}" \
        LEADFLOW_KAFKA_MAX_POLL_INTERVAL_MS="${CLUSTER_MAX_POLL_INTERVAL_MS:-10000}" \
        LEADFLOW_NOTIFIER_SMTP_HOST=127.0.0.1 LEADFLOW_NOTIFIER_SMTP_PORT="${CLUSTER_SMTP_PORT:-2525}" \
        LEADFLOW_PUBLIC_INGEST_URL="$(cluster_url ingest 1)" \
        ${CLUSTER_EXTRA_ENV:-} \
        "$CLUSTER_BIN/leadflow-$svc" >>"$CLUSTER_DIR/$svc-$i.log" 2>&1 &
    echo $! > "$CLUSTER_DIR/$svc-$i.pid"
    echo "$svc-$i" >> "$CLUSTER_DIR/instances"
}

# Waits until an instance answers /health/ready (fails if it exits).
cluster_wait_ready() {
    local svc=$1 i=$2 url pid
    url="$(cluster_url "$svc" "$i")"; pid="$(cluster_pid "$svc" "$i")"
    for _ in $(seq 900); do
        curl -fs "$url/health/ready" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$CLUSTER_DIR/$svc-$i.log" >&2; die "$svc-$i exited"; }
        sleep 0.1
    done
    die "$svc-$i did not become ready; see $CLUSTER_DIR/$svc-$i.log"
}

# Starts N instances of every service and waits until all are ready.
cluster_start_all() {
    local n=${1:-1} svc i
    step "Starting $n instance(s) of every service"
    for svc in "${CLUSTER_SERVICES[@]}"; do
        for i in $(seq 1 "$n"); do cluster_start "$svc" "$i"; done
    done
    for svc in "${CLUSTER_SERVICES[@]}"; do
        for i in $(seq 1 "$n"); do cluster_wait_ready "$svc" "$i"; done
        note "$svc: $n ready ($(for i in $(seq 1 "$n"); do printf '%s ' "$(cluster_url "$svc" "$i")"; done))"
    done
}

# Sends a signal to one instance (KILL, STOP, CONT, TERM).
cluster_kill() {
    local svc=$1 i=$2 sig=${3:-KILL} pid
    pid="$(cluster_pid "$svc" "$i")"
    [ -n "$pid" ] && kill -"$sig" "$pid" 2>/dev/null || true
    if [ "$sig" = KILL ]; then wait "$pid" 2>/dev/null || true; fi
}

# Starts a stopped or killed instance again with the same instance id and port.
cluster_restart() {
    local svc=$1 i=$2
    cluster_start "$svc" "$i"
    cluster_wait_ready "$svc" "$i"
}

# Seeds the demo world (locations, teams, members, recipients, a source and its API key)
# through instance 1 of each service; writes and sources $CLUSTER_DIR/seed.env.
cluster_seed() {
    step "Seeding the demo world through the admin APIs"
    {
        for svc in "${CLUSTER_SERVICES[@]}"; do
            printf 'LEADFLOW_%s_URL=%s\n' "${svc^^}" "$(cluster_url "$svc" 1)"
        done
    } > "$CLUSTER_DIR/seed.env"
    set -a
    # shellcheck disable=SC1091
    . "$CLUSTER_DIR/seed.env"
    set +a
    LEADFLOW_PG_DATABASE="$CLUSTER_DB" "$CLUSTER_BIN/leadctl" seed --write-env "$CLUSTER_DIR/seed.env" \
        >"$CLUSTER_DIR/seed.log" 2>&1 || { cat "$CLUSTER_DIR/seed.log" >&2; die "seeding failed"; }
    set -a
    # shellcheck disable=SC1091
    . "$CLUSTER_DIR/seed.env"
    set +a
}

# Resident set size of an instance in KiB (0 if it is not running).
cluster_rss_kib() {
    local pid; pid="$(cluster_pid "$1" "$2")"
    awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0
}

# Stops every instance it started (TERM, then KILL after 15 s), the mailbox, and drops the
# run's database and topics' consumer state unless KEEP=1.
cluster_stop() {
    trap - EXIT
    [ -n "${CLUSTER_DIR:-}" ] || return 0
    local entry pid
    if [ -f "$CLUSTER_DIR/instances" ]; then
        for entry in $(sort -u "$CLUSTER_DIR/instances"); do
            pid="$(cat "$CLUSTER_DIR/$entry.pid" 2>/dev/null || true)"
            [ -n "$pid" ] && { kill -CONT "$pid" 2>/dev/null; kill -TERM "$pid" 2>/dev/null; } || true
        done
        for entry in $(sort -u "$CLUSTER_DIR/instances"); do
            pid="$(cat "$CLUSTER_DIR/$entry.pid" 2>/dev/null || true)"
            [ -n "$pid" ] || continue
            for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        done
    fi
    [ -f "$CLUSTER_DIR/mailbox.pid" ] && kill "$(cat "$CLUSTER_DIR/mailbox.pid")" 2>/dev/null || true
    if [ "${KEEP:-0}" != 1 ] && [ -n "${CLUSTER_DB:-}" ]; then
        cluster_psql_admin "DROP DATABASE IF EXISTS $CLUSTER_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    if [ -n "${CLUSTER_PG_DIR:-}" ]; then
        as_pg_user "$(pg_bin pg_ctl)" -D "$CLUSTER_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        [ "${KEEP:-0}" = 1 ] || rm -rf "$CLUSTER_PG_DIR"
    fi
}

# --- Additions for the proof scripts (scripts/e2e, scripts/chaos) -------------------------------

# Starts a private PostgreSQL server for this run only (its own data folder and a free port) and
# points LEADFLOW_PG_PORT at it, so a script may crash-restart PostgreSQL without touching the
# stack's shared one. Call it before cluster_init. Sets CLUSTER_PG_DIR; cluster_stop removes it.
cluster_private_postgres() {
    local port dir
    port="$(cluster_free_port)"
    dir="/var/tmp/leadflow-pg-$$-$RANDOM"
    step "Starting a private PostgreSQL for this run on 127.0.0.1:$port (data in $dir)"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    printf '%s\n' "$LEADFLOW_PG_PASSWORD" > "$dir/pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/pwfile"
    as_pg_user "$(pg_bin initdb)" -D "$dir/data" -U "$LEADFLOW_PG_USER" --pwfile="$dir/pwfile" \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || die "initdb failed; see $dir/initdb.log"
    cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 400
shared_buffers = 128MB
CONF
    CLUSTER_PG_DIR="$dir"
    as_pg_user "$(pg_bin pg_ctl)" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
        || die "private PostgreSQL did not start; see $dir/postgres.log"
    LEADFLOW_PG_PORT="$port"
    export LEADFLOW_PG_PORT
}

# Crash-restarts the run's private PostgreSQL: an immediate shutdown (no checkpoint, like a
# crash; every client connection is cut), DOWN seconds of downtime, then a start with recovery.
cluster_restart_postgres() {
    local down=${1:-5}
    [ -n "${CLUSTER_PG_DIR:-}" ] || die "cluster_restart_postgres needs cluster_private_postgres"
    as_pg_user "$(pg_bin pg_ctl)" -D "$CLUSTER_PG_DIR/data" -m immediate -w stop >/dev/null
    sleep "$down"
    as_pg_user "$(pg_bin pg_ctl)" -D "$CLUSTER_PG_DIR/data" -l "$CLUSTER_PG_DIR/postgres.log" -w -t 120 start >/dev/null \
        || die "private PostgreSQL did not come back; see $CLUSTER_PG_DIR/postgres.log"
}

# Runs leadctl against the run (its database and topic prefix).
cluster_leadctl() {
    LEADFLOW_PG_DATABASE="$CLUSTER_DB" LEADFLOW_TOPIC_PREFIX="$CLUSTER_PREFIX" "$CLUSTER_BIN/leadctl" "$@"
}

# How many events each consumer has not applied yet, judged from the effects upstream services
# recorded (so no service's own state is needed to judge it): one SQL expression per service.
cluster_behind_expr() {
    case $1 in
        ingest) echo "(SELECT count(*) FROM routing.assignments a WHERE NOT EXISTS (SELECT 1 FROM ingest.processed_events p WHERE p.consumer = 'ingest.assigned' AND p.event_id = a.event_id))" ;;
        scoring) echo "(SELECT count(*) FROM ingest.leads l WHERE NOT EXISTS (SELECT 1 FROM scoring.leads s WHERE s.lead_id = l.id AND s.known))" ;;
        routing) echo "(SELECT count(*) FROM scoring.score_changes c WHERE NOT EXISTS (SELECT 1 FROM routing.processed_events p WHERE p.event_id = c.event_id))" ;;
        notifier) echo "(SELECT count(*) FROM routing.assignments a WHERE NOT EXISTS (SELECT 1 FROM notifier.processed_events p WHERE p.event_id = a.event_id))" ;;
        analytics) echo "(SELECT count(*) FROM scoring.score_changes c WHERE NOT EXISTS (SELECT 1 FROM analytics_projection.processed_events p WHERE p.event_id = c.event_id))
            + (SELECT count(*) FROM routing.assignments a WHERE NOT EXISTS (SELECT 1 FROM analytics_projection.processed_events p WHERE p.event_id = a.event_id))" ;;
    esac
}
cluster_behind_sql() {
    local svc parts=()
    for svc in "${CLUSTER_SERVICES[@]}"; do parts+=("$(cluster_behind_expr "$svc")"); done
    local IFS=+; echo "${parts[*]}"
}

# Prints "service count" for every service that has events to apply (see cluster_behind_expr).
cluster_behind() {
    local svc n
    for svc in "${CLUSTER_SERVICES[@]}"; do
        n="$(cluster_psql "SELECT $(cluster_behind_expr "$svc")" 2>/dev/null || echo "?")"
        [ "$n" = 0 ] || echo "$svc $n"
    done
}

# Prints how far the pipeline got, one line: leads in ingest / scored / assigned / projected,
# work waiting (deliveries not yet final + events some consumer has not applied yet, see
# cluster_behind), outbox rows not yet published, and a counter of everything processed so far.
cluster_progress() {
    cluster_psql "SELECT
        (SELECT count(*) FROM ingest.leads) || ' ' ||
        (SELECT count(*) FROM scoring.leads WHERE known AND score IS NOT NULL) || ' ' ||
        (SELECT count(DISTINCT lead_id) FROM routing.assignments) || ' ' ||
        (SELECT count(*) FROM analytics_projection.leads WHERE known) || ' ' ||
        ((SELECT count(*) FROM notifier.deliveries WHERE state IN ('pending', 'sending')) + $(cluster_behind_sql)) || ' ' ||
        ((SELECT count(*) FROM ingest.outbox WHERE published_at IS NULL) + (SELECT count(*) FROM scoring.outbox WHERE published_at IS NULL)
         + (SELECT count(*) FROM routing.outbox WHERE published_at IS NULL) + (SELECT count(*) FROM notifier.outbox WHERE published_at IS NULL)) || ' ' ||
        ((SELECT count(*) FROM ingest.processed_events) + (SELECT count(*) FROM scoring.processed_events) + (SELECT count(*) FROM routing.processed_events)
         + (SELECT count(*) FROM notifier.processed_events) + (SELECT count(*) FROM analytics_projection.processed_events)
         + (SELECT count(*) FROM notifier.deliveries WHERE state = 'sent'))" 2>/dev/null || echo "? ? ? ? ? ? ?"
}

# Waits until the pipeline has drained: every ingest lead scored, assigned and projected, no
# delivery waiting, every outbox published, and nothing processed for QUIET seconds (default 10).
# Gives up after TIMEOUT seconds (default 900), or — when STALL is given — as soon as nothing at
# all moved for STALL seconds while work remains (a consumer that stopped), and returns 1.
# Sets CLUSTER_DRAIN_SECONDS.
cluster_wait_drained() {
    local timeout=${1:-900} quiet=${2:-10} stall=${3:-0} start now last="" since line leads scored assigned projected waiting unpublished work
    start=$(date +%s); since=$start
    while :; do
        now=$(date +%s)
        line="$(cluster_progress)"
        read -r leads scored assigned projected waiting unpublished work <<<"$line"
        if [ "$line" != "$last" ]; then last="$line"; since=$now; fi
        if [ "$leads" != "?" ] && [ "$leads" = "$scored" ] && [ "$leads" = "$assigned" ] && [ "$leads" = "$projected" ] \
            && [ "$waiting" = 0 ] && [ "$unpublished" = 0 ] && [ $((now - since)) -ge "$quiet" ]; then
            CLUSTER_DRAIN_SECONDS=$((now - start))
            return 0
        fi
        if [ "$stall" -gt 0 ] && [ $((now - since)) -ge "$stall" ]; then
            note "no progress for ${stall}s: leads $leads, scored $scored, assigned $assigned, projected $projected, waiting $waiting, outbox unpublished $unpublished"
            CLUSTER_DRAIN_SECONDS=$((now - start))
            return 1
        fi
        if [ $((now - start)) -ge "$timeout" ]; then
            note "not drained after ${timeout}s: leads $leads, scored $scored, assigned $assigned, projected $projected, waiting $waiting, outbox unpublished $unpublished"
            CLUSTER_DRAIN_SECONDS=$((now - start))
            return 1
        fi
        if [ $(((now - start) % 15)) -eq 0 ]; then
            note "$(date +%T) leads $leads, scored $scored, assigned $assigned, projected $projected, waiting $waiting (deliveries + events not yet applied), outbox unpublished $unpublished"
        fi
        sleep 1
    done
}

# What a liveness probe would do for a consumer group that stopped making progress: restarts
# every instance (1..N, same instance ids) of each service that is still behind, reporting each
# restart through the function named by $2 (e.g. `note`).
cluster_restart_stalled() {
    local instances=$1 report=${2:-note} svc i
    for svc in $(cluster_behind | awk '{print $1}'); do
        for i in $(seq 1 "$instances"); do cluster_kill "$svc" "$i" KILL; done
        for i in $(seq 1 "$instances"); do cluster_start "$svc" "$i"; done
        for i in $(seq 1 "$instances"); do cluster_wait_ready "$svc" "$i"; done
        "$report" "supervisor restart of every $svc instance (same instance ids)"
    done
}

# Adds a national location to the seeded world so that every lead, wherever it comes from, is
# assigned to a person and notified: location loc-national covers every postal area (a longer
# prefix, such as the demo's Columbus areas, still wins), with one contact and a round-robin team
# of three online members without a capacity cap, each with an e-mail recipient in the notifier.
# Needs cluster_seed first (it uses LEADFLOW_OPERATOR_TOKEN).
cluster_seed_national() {
    step "Adding a national location with a round-robin team (every lead gets an owner and a location)"
    local routing notifier hours put
    routing="$(cluster_url routing 1)"; notifier="$(cluster_url notifier 1)"
    hours='[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}]'
    put() {
        curl -fsS -X PUT -H "Authorization: Bearer $LEADFLOW_OPERATOR_TOKEN" -H 'Content-Type: application/json' \
            --data "$2" "$1" >/dev/null || die "PUT $1 failed"
    }
    put "$routing/v1/routing/locations/loc-national" '{"name":"Lakeshore Auto National Desk","postalAreas":["0","1","2","3","4","5","6","7","8","9"],
        "timeZone":"America/New_York","contacts":[{"id":"contact-national","name":"National internet sales","email":"national.sales@example.com"}],
        "responseSlaSeconds":86400}'
    put "$routing/v1/routing/teams/team-national" '{"name":"National desk","locationId":"loc-national","priority":1,"rule":{"strategy":"round_robin"}}'
    for m in eve finn gus; do
        put "$routing/v1/routing/members/member-$m" "{\"teamId\":\"team-national\",\"name\":\"${m^} National\",\"email\":\"member-$m@example.com\",
            \"timeZone\":\"America/New_York\",\"workingHours\":$hours,\"online\":true}"
        put "$notifier/v1/recipients/member-$m" "{\"kind\":\"member\",\"name\":\"${m^} National\",\"email\":\"member-$m@example.com\",
            \"channels\":[\"email\"],\"timeZone\":\"America/New_York\",\"teamId\":\"team-national\",\"active\":true}"
    done
    put "$notifier/v1/recipients/contact-national" '{"kind":"location_contact","name":"National internet sales","email":"contact-national@example.com",
        "channels":["email"],"timeZone":"America/New_York","locationId":"loc-national","active":true}'
}

# --- Measuring helpers (scripts/bench, scripts/hostile) ---

# Starts the minimal counting SMTP sink (scripts/smtp-sink.py: no parsing, no files) instead of
# the mailbox, for load where aiosmtpd itself would be the bottleneck; sets CLUSTER_SMTP_PORT.
# Its counts land in $CLUSTER_DIR/smtp-sink.json when cluster_stop stops it.
cluster_start_smtp_sink() {
    CLUSTER_SMTP_PORT="$(cluster_free_port)"
    /usr/bin/python3 "$LEADFLOW_ROOT/scripts/smtp-sink.py" 127.0.0.1 "$CLUSTER_SMTP_PORT" "$CLUSTER_DIR/smtp-sink.json" \
        >"$CLUSTER_DIR/smtp-sink.log" 2>&1 &
    echo $! > "$CLUSTER_DIR/mailbox.pid"
    wait_for_port 127.0.0.1 "$CLUSTER_SMTP_PORT" 15 "SMTP sink"
    note "SMTP sink on 127.0.0.1:$CLUSTER_SMTP_PORT (counts only)"
}

# CPU time an instance has used so far, in clock ticks (utime + stime of /proc/<pid>/stat; 0 if gone).
cluster_cpu_ticks() {
    local pid; pid="$(cluster_pid "$1" "$2")"
    pid_cpu_ticks "$pid"
}

# CPU ticks (utime + stime) of any process id; 0 if it is gone.
pid_cpu_ticks() {
    # The command name (field 2) may hold spaces: cut at the last ')' first.
    [ -n "${1:-}" ] || { echo 0; return; }
    local stat; stat="$(cat "/proc/$1/stat" 2>/dev/null || true)"
    [ -n "$stat" ] || { echo 0; return; }
    stat="${stat##*) }"
    # shellcheck disable=SC2086
    set -- $stat
    echo $(( ${12} + ${13} ))
}

# Peak resident set size of an instance in KiB (VmHWM; 0 if it is not running).
cluster_hwm_kib() {
    local pid; pid="$(cluster_pid "$1" "$2")"
    awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0
}

# Whether an instance's process is alive and answers /health/ready.
cluster_healthy() {
    local pid; pid="$(cluster_pid "$1" "$2")"
    kill -0 "$pid" 2>/dev/null && curl -fs --max-time 5 "$(cluster_url "$1" "$2")/health/ready" >/dev/null 2>&1
}

# Makes every lead routable and notifiable for load: the demo seed only covers Columbus/Dublin
# postal areas and caps members at 50 open leads, so most generated leads would park in the
# unassigned queue (no owner, no e-mail). Adds a central team (no location: it takes the leads no
# location covers) with two uncapped, always-online members and their recipients, and lifts the
# cap of the demo members. Needs cluster_seed first (uses LEADFLOW_OPERATOR_TOKEN).
cluster_open_world() {
    step "Opening the world for load: central team, uncapped members, their recipients"
    local auth=(-H "Authorization: Bearer $LEADFLOW_OPERATOR_TOKEN" -H 'Content-Type: application/json')
    local hours='[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}]'
    curl -fsS -o /dev/null -X PUT "${auth[@]}" "$LEADFLOW_ROUTING_URL/v1/routing/teams/team-central" \
        -d '{"name":"Central desk","priority":1,"rule":{"strategy":"round_robin"}}' || die "could not create team-central"
    local entry id team name
    for entry in member-eve:team-central:"Eve Evans" member-finn:team-central:"Finn Fox" \
                 member-ann:team-suv:"Ann Avery" member-bob:team-suv:"Bob Baker" member-cara:team-sedan:"Cara Chen" member-dan:team-dublin:"Dan Diaz"; do
        IFS=: read -r id team name <<< "$entry"
        curl -fsS -o /dev/null -X PUT "${auth[@]}" "$LEADFLOW_ROUTING_URL/v1/routing/members/$id" \
            -d "{\"teamId\":\"$team\",\"name\":\"$name\",\"email\":\"$id@example.com\",\"timeZone\":\"UTC\",\"workingHours\":$hours,\"online\":true}" \
            || die "could not update $id"
        curl -fsS -o /dev/null -X PUT "${auth[@]}" "$LEADFLOW_NOTIFIER_URL/v1/recipients/$id" \
            -d "{\"kind\":\"member\",\"name\":\"$name\",\"email\":\"$id@example.com\",\"channels\":[\"email\"],\"timeZone\":\"UTC\",\"teamId\":\"$team\",\"includeCollaborators\":true,\"active\":true}" \
            || die "could not update the recipient $id"
    done
}
