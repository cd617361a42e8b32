import ControlPlane
import Foundation

/// How one managed engine is started, as a pure value: the files written beside its data (root's, 0600) and the
/// `/bin/sh` script run as root in the engine's sandbox, which initialises the data on the first start and then
/// execs the server as its own unprivileged user (PostgreSQL refuses root; MariaDB switches with `--user`). The
/// script is the engine's PID 1, so the server replacing it is the process supervised.
struct EngineRecipe: Equatable {
    /// File name (in the engine's directory) → contents.
    var files: [String: String]
    var script: String
    /// The server is ready when it listens on this TCP port (and, for PostgreSQL, reports `ready`).
    var port: Int
    /// PostgreSQL's `postmaster.pid`, whose status line says when the server accepts connections.
    var postmasterPid: String?

    /// The recipe for `spec` with its directory at `home`; `postgresBin` is where PostgreSQL's programs are.
    static func make(_ spec: EngineSpec, home: String, postgresBin: String = EngineRecipe.postgresBin()) -> EngineRecipe {
        let h = shellQuoted(home)
        switch spec.kind {
        case .postgres:
            let user = spec.masterUsername ?? "postgres"
            let asPostgres = "setpriv --reuid=postgres --regid=postgres --init-groups"
            var files = ["password.sql": "ALTER ROLE \(sqlIdentifier(user)) PASSWORD \(postgresLiteral(spec.masterPassword ?? ""));\n",
                         "generation": "\(spec.generation)"]
            if let db = spec.databaseName { files["create.sql"] = "CREATE DATABASE \(sqlIdentifier(db));\n" }
            let single = "\(asPostgres) \(postgresBin)/postgres --single -D \"$H/pgdata\" postgres >/dev/null"
            let script = """
            set -eu
            H=\(h)
            umask 077
            mkdir -p "$H/run"
            chown postgres:postgres "$H/run"
            if [ ! -s "$H/pgdata/PG_VERSION" ]; then
                rm -rf "$H/pgdata" "$H/applied-generation"
                mkdir -p "$H/pgdata"
                chown postgres:postgres "$H/pgdata"
                printf '%s' \(shellQuoted(spec.masterPassword ?? "")) >/tmp/pw
                chown postgres /tmp/pw
                \(asPostgres) \(postgresBin)/initdb -D "$H/pgdata" -U \(shellQuoted(user)) --pwfile=/tmp/pw -A scram-sha-256 -E UTF8 --no-locale >/dev/null
                rm -f /tmp/pw
                echo "host all all 0.0.0.0/0 scram-sha-256" >>"$H/pgdata/pg_hba.conf"
                if [ -f "$H/create.sql" ]; then \(single) <"$H/create.sql"; fi
                cp "$H/generation" "$H/applied-generation"
            fi
            if ! cmp -s "$H/generation" "$H/applied-generation"; then
                \(single) <"$H/password.sql"
                cp "$H/generation" "$H/applied-generation"
            fi
            exec \(asPostgres) \(postgresBin)/postgres -D "$H/pgdata" -c listen_addresses='*' -c port=\(spec.port) -c unix_socket_directories="$H/run" -c logging_collector=off
            """
            return EngineRecipe(files: files, script: script + "\n", port: spec.port, postmasterPid: home + "/pgdata/postmaster.pid")
        case .mariadb:
            let user = sqlLiteral(spec.masterUsername ?? "admin")
            let password = sqlLiteral(spec.masterPassword ?? "")
            var sql = """
            CREATE USER IF NOT EXISTS \(user)@'%' IDENTIFIED BY \(password);
            ALTER USER \(user)@'%' IDENTIFIED BY \(password);
            GRANT ALL PRIVILEGES ON *.* TO \(user)@'%' WITH GRANT OPTION;

            """
            if let db = spec.databaseName { sql += "CREATE DATABASE IF NOT EXISTS `\(db.replacingOccurrences(of: "`", with: "``"))`;\n" }
            let script = """
            set -eu
            H=\(h)
            mkdir -p "$H/run"
            chown mysql:mysql "$H/run"
            if [ ! -d "$H/mysql/mysql" ]; then
                rm -rf "$H/mysql"
                mkdir -p "$H/mysql"
                chown mysql:mysql "$H/mysql"
                mariadb-install-db --no-defaults --datadir="$H/mysql" --user=mysql --skip-test-db --skip-name-resolve >/dev/null
            fi
            chown mysql "$H/init.sql"
            exec /usr/sbin/mariadbd --no-defaults --datadir="$H/mysql" --user=mysql --bind-address=0.0.0.0 --port=\(spec.port) \\
                --socket="$H/run/mysqld.sock" --pid-file="$H/run/mysqld.pid" --init-file="$H/init.sql" --skip-name-resolve \\
                --innodb-buffer-pool-size=32M --character-set-server=utf8mb4
            """
            return EngineRecipe(files: ["init.sql": sql], script: script + "\n", port: spec.port, postmasterPid: nil)
        case .memcached:
            let script = """
            set -eu
            exec memcached -u memcache -l 0.0.0.0 -p \(spec.port) -U 0 -m 64 -c 1024
            """
            return EngineRecipe(files: [:], script: script + "\n", port: spec.port, postmasterPid: nil)
        case .redis:
            let script = """
            set -eu
            H=\(h)
            mkdir -p "$H/data"
            chown redis:redis "$H/data"
            exec setpriv --reuid=redis --regid=redis --init-groups redis-server --bind 0.0.0.0 --port \(spec.port) --protected-mode no \\
                --dir "$H/data" --save '' --appendonly no --daemonize no\(spec.replicaOf.map { " --replicaof " + $0 } ?? "")
            """
            return EngineRecipe(files: [:], script: script + "\n", port: spec.port, postmasterPid: nil)
        }
    }

    /// The newest PostgreSQL installed (`/usr/lib/postgresql/N/bin`).
    static func postgresBin() -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        return versions.last.map { "\(root)/\($0)/bin" } ?? "\(root)/15/bin"
    }

    static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    static func sqlLiteral(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
    /// PostgreSQL's standard strings take a backslash as itself.
    static func postgresLiteral(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
    static func sqlIdentifier(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
