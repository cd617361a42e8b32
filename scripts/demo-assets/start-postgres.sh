#!/bin/sh
# User data of the demo's database instance: a real PostgreSQL listening on the instance's private address,
# with one table. Runs inside the instance's network namespace; everything it prints is the console output.
set -eu
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
DIR="$(mktemp -d /tmp/lv-demo-pg.XXXXXX)"
echo "pgdata: $DIR"
chown postgres "$DIR"
runuser -u postgres -- "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
# The VPC may connect without a password: the security groups are the guard in this demo.
echo "host all all 10.0.0.0/16 trust" >>"$DIR/data/pg_hba.conf"
runuser -u postgres -- "$PGBIN/postgres" -D "$DIR/data" -c listen_addresses='*' -c unix_socket_directories="$DIR" \
    -c logging_collector=off >"$DIR/postgres.log" 2>&1 &
until runuser -u postgres -- "$PGBIN/pg_isready" -q -h "$DIR"; do sleep 0.2; done
runuser -u postgres -- psql -q -h "$DIR" -c "create table customers (id int primary key, name text not null)" \
    -c "insert into customers values (1, 'Ada Lovelace'), (2, 'Grace Hopper'), (3, 'Alan Turing')"
echo "database ready"
wait
