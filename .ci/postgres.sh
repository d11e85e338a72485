#!/usr/bin/env bash
# A throw-away PostgreSQL for the JDBC store tests (cache-jdbc), on 127.0.0.1 and a free port.
#
#   source .ci/postgres.sh; sysblocks_start_postgres   # as .ci/run does; stopped when the shell exits
#   .ci/postgres.sh mvn -B verify -pl cache-jdbc -am   # run one command against a fresh server
#
# sysblocks_start_postgres finds initdb/pg_ctl (on the PATH or under /usr/lib/postgresql/*/bin), creates
# a cluster in a fresh temporary directory with a random password, starts it listening on loopback
# only, creates the database sysblocks_test and exports
#   SYSBLOCKS_TEST_POSTGRES_URL=jdbc:postgresql://127.0.0.1:<port>/sysblocks_test?user=...&password=...
# An EXIT trap (INT and TERM exit through it) stops the server and deletes the directory, also when
# the build fails. initdb and postgres refuse to run as root: as root, the server runs as the
# unprivileged user sysblocks-ci (created if missing); as anyone else, as that user.
# Without the binaries it prints that the PostgreSQL store tests will be skipped and returns 0; if
# the binaries are there but the server does not start, it prints the server log and returns 1.

SYSBLOCKS_PG_USER=${SYSBLOCKS_PG_USER:-sysblocks-ci}
_sysblocks_pg_dir=""
_sysblocks_pg_bin=""
_sysblocks_pg_owner="" # empty: run the binaries as the current user

_sysblocks_pg_find_bin() {
  local initdb dir
  if initdb=$(command -v initdb) && command -v pg_ctl >/dev/null; then
    # /usr/local/bin/initdb may be a symlink; the real directory also holds postgres and createdb.
    dirname "$(readlink -f "$initdb")"
    return 0
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

_sysblocks_pg_run() { # runs a server binary as the cluster's owner, from the cluster's directory
  if [[ -n $_sysblocks_pg_owner ]]; then
    (cd "$_sysblocks_pg_dir" && runuser -u "$_sysblocks_pg_owner" -- "$@")
  else
    (cd "$_sysblocks_pg_dir" && "$@")
  fi
}

sysblocks_stop_postgres() {
  if [[ -n $_sysblocks_pg_dir ]]; then
    if [[ -f $_sysblocks_pg_dir/data/postmaster.pid ]]; then
      _sysblocks_pg_run "$_sysblocks_pg_bin/pg_ctl" -D "$_sysblocks_pg_dir/data" -m fast -w stop \
        >/dev/null 2>&1 || echo "postgres.sh: pg_ctl stop failed (see $_sysblocks_pg_dir/log)" >&2
    fi
    rm -rf "$_sysblocks_pg_dir"
    echo "postgres.sh: throw-away PostgreSQL stopped and removed"
    _sysblocks_pg_dir=""
    unset SYSBLOCKS_TEST_POSTGRES_URL
  fi
}

sysblocks_start_postgres() {
  if ! _sysblocks_pg_bin=$(_sysblocks_pg_find_bin); then
    echo "postgres.sh: no initdb/pg_ctl on the PATH or under /usr/lib/postgresql/*/bin:" \
      "the PostgreSQL store tests (cache-jdbc) will be SKIPPED; H2 tests still run"
    return 0
  fi
  if [[ $(id -u) -eq 0 ]]; then
    _sysblocks_pg_owner=$SYSBLOCKS_PG_USER
    if ! id -u "$_sysblocks_pg_owner" >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        "$_sysblocks_pg_owner" || {
        echo "postgres.sh: running as root and cannot create user $_sysblocks_pg_owner" >&2
        return 1
      }
    fi
  fi

  _sysblocks_pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/sysblocks-pg.XXXXXX")
  trap sysblocks_stop_postgres EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local password
  password=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '%s\n' "$password" >"$_sysblocks_pg_dir/pwfile"
  chmod 600 "$_sysblocks_pg_dir/pwfile"
  if [[ -n $_sysblocks_pg_owner ]]; then
    chown -R "$_sysblocks_pg_owner" "$_sysblocks_pg_dir"
  fi

  if ! _sysblocks_pg_run "$_sysblocks_pg_bin/initdb" -D "$_sysblocks_pg_dir/data" -U sysblocks \
    --pwfile="$_sysblocks_pg_dir/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C --no-sync \
    >"$_sysblocks_pg_dir/initdb.log" 2>&1; then
    echo "postgres.sh: initdb failed:" >&2
    cat "$_sysblocks_pg_dir/initdb.log" >&2
    return 1
  fi
  rm -f "$_sysblocks_pg_dir/pwfile"

  # A free port: pick one at random, skip it if something answers there, and try again if the
  # server still cannot bind it (another process may take it between the check and the start).
  local attempt port started=""
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    # No durability settings: the cluster is deleted afterwards, so fsync buys nothing.
    if _sysblocks_pg_run "$_sysblocks_pg_bin/pg_ctl" -D "$_sysblocks_pg_dir/data" \
      -l "$_sysblocks_pg_dir/log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$_sysblocks_pg_dir'" \
      -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
      started=yes
      break
    fi
    if ! grep -q "could not bind\|already in use" "$_sysblocks_pg_dir/log" 2>/dev/null; then
      break
    fi
  done
  if [[ -z $started ]]; then
    echo "postgres.sh: the PostgreSQL server did not start; its log:" >&2
    cat "$_sysblocks_pg_dir/log" >&2 || true
    return 1
  fi

  if ! PGPASSWORD=$password "$_sysblocks_pg_bin/createdb" -h 127.0.0.1 -p "$port" -U sysblocks \
    sysblocks_test; then
    echo "postgres.sh: createdb failed" >&2
    return 1
  fi
  export SYSBLOCKS_TEST_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$port/sysblocks_test?user=sysblocks&password=$password"
  echo "postgres.sh: throw-away PostgreSQL $("$_sysblocks_pg_bin/pg_ctl" --version | awk '{print $3}')" \
    "on 127.0.0.1:$port (data in $_sysblocks_pg_dir${_sysblocks_pg_owner:+, running as $_sysblocks_pg_owner})"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then # executed, not sourced: run "$@" against a fresh server
  set -euo pipefail
  if [[ $# -eq 0 ]]; then
    echo "usage: $0 command [args...]   (or: source $0; sysblocks_start_postgres)" >&2
    exit 2
  fi
  sysblocks_start_postgres
  "$@"
fi
