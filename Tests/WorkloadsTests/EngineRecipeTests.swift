import CloudModel
import ControlPlane
import Foundation
import Testing
@testable import Workloads

/// What each managed engine's sandbox runs: pure recipes, checked as text.
@Suite struct EngineRecipeTests {
    func spec(_ kind: EngineSpec.Kind, port: Int, password: String = "pa'ss") -> EngineSpec {
        EngineSpec(key: "rds/us-east-1/db1", kind: kind, networkInterfaceId: "eni-1", privateIp: IPv4Address("10.0.1.4")!, port: port,
                   masterUsername: "username", masterPassword: password, databaseName: "ExampleDB", generation: 2)
    }

    @Test func postgresRunsAsPostgresWithTheMasterUserAndDatabase() {
        let r = EngineRecipe.make(spec(.postgres, port: 5432), home: "/d/rds/us-east-1/db1", postgresBin: "/pg/bin")
        #expect(r.script.contains("setpriv --reuid=postgres --regid=postgres --init-groups /pg/bin/initdb -D \"$H/pgdata\" -U 'username'"))
        #expect(r.script.contains("printf '%s' 'pa'\\''ss' >/tmp/pw"))
        #expect(r.script.contains("exec setpriv --reuid=postgres --regid=postgres --init-groups /pg/bin/postgres -D \"$H/pgdata\" -c listen_addresses='*' -c port=5432"))
        #expect(r.files["create.sql"] == "CREATE DATABASE \"ExampleDB\";\n")
        #expect(r.files["password.sql"] == "ALTER ROLE \"username\" PASSWORD 'pa''ss';\n")
        #expect(r.files["generation"] == "2" && r.postmasterPid == "/d/rds/us-east-1/db1/pgdata/postmaster.pid")
    }

    @Test func mariadbSetsTheUserAtEveryStartAndSwitchesUser() {
        let r = EngineRecipe.make(spec(.mariadb, port: 3306, password: "a\\b'c"), home: "/d/x")
        #expect(r.script.contains("exec /usr/sbin/mariadbd --no-defaults --datadir=\"$H/mysql\" --user=mysql --bind-address=0.0.0.0 --port=3306"))
        let sql = r.files["init.sql"] ?? ""
        #expect(sql.contains("ALTER USER 'username'@'%' IDENTIFIED BY 'a\\\\b''c';"))
        #expect(sql.contains("CREATE DATABASE IF NOT EXISTS `ExampleDB`;"))
    }

    @Test func cachesListenOnTheirPortAsTheirOwnUsers() {
        #expect(EngineRecipe.make(spec(.memcached, port: 11211), home: "/d/c").script.contains("exec memcached -u memcache -l 0.0.0.0 -p 11211"))
        #expect(EngineRecipe.make(spec(.redis, port: 6379), home: "/d/c").script.contains("setpriv --reuid=redis --regid=redis --init-groups redis-server --bind 0.0.0.0 --port 6379"))
    }

    @Test func readinessReadsTheNamespacesListeningSockets() {
        #expect(ManagedEngines.listens(pid: getpid(), port: 1) == false)
    }
}
