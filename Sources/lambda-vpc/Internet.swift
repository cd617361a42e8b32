import AWSWire
import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NetworkFabric

/// `lambda-vpc internet`: the simulated internet's hosts.
struct Internet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hosts on the simulated internet that VPCs reach through internet and NAT gateways.",
        subcommands: [InternetRun.self])
}

/// `lambda-vpc internet run --address A -- CMD ARGS`: CMD in a new internet host holding address A.
struct InternetRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command on a new internet host (its own namespace holding the address) until it exits.",
        discussion: """
            The server builds the host; the command runs in it until it exits (the host is then removed) or the \
            server stops (the server ends it). With --name, functions and instances resolve that name to the host \
            meanwhile. Exits with the command's status. Needs root.
            """)

    @Option(help: "The server's endpoint. [env: AWS_ENDPOINT_URL] (default: http://127.0.0.1:4599)")
    var endpoint: String?

    @Option(help: "The host's address, in 203.0.113.0/24 or 198.51.100.0/24.")
    var address: String

    @Option(help: "A DNS name the VPC resolver answers with the address while the host runs (www.example.com).")
    var name: String?

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command to run after --") }
        guard geteuid() == 0 else { throw ValidationError("internet run needs root: it runs the command in a network namespace") }
        if let problem = SimulatedInternet.hostAddressProblem(address, inUse: []) { throw ValidationError(problem) }
        if let name, let problem = SimulatedInternet.hostNameProblem(name) { throw ValidationError(problem) }
    }

    func run() async throws {
        let base = (endpoint ?? ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? "http://127.0.0.1:4599")
            .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard let hostsURL = URL(string: base + "/_lambda-vpc/internet/hosts") else {
            throw ValidationError("--endpoint must be a URL like http://127.0.0.1:4599 (got '\(base)')")
        }
        var create = URLRequest(url: hostsURL)
        create.httpMethod = "POST"
        create.setValue("application/json", forHTTPHeaderField: "Content-Type")
        create.httpBody = try JSONSerialization.data(withJSONObject: ["address": address].merging(name.map { ["name": $0] } ?? [:]) { a, _ in a })
        guard let (status, body) = await Self.send(Self.signed(create)) else {
            Self.fail("cannot reach the lambda-vpc server at \(base)")
        }
        guard status == 201, let namespace = body["namespace"] as? String else {
            Self.fail("\(body["message"] as? String ?? "the server answered \(status)")")
        }

        let child = Child(command: ["netns", "exec", namespace] + command)
        let exit = await child.run()

        var remove = URLRequest(url: hostsURL.appendingPathComponent(address))
        remove.httpMethod = "DELETE"
        // The server may be gone (it stopped, which is why the command ended): nothing left to remove then.
        _ = await Self.send(Self.signed(remove))
        throw ExitCode(exit)
    }

    /// Signs a request to the internal endpoint with SigV4 and the credentials AWS tools read from the environment
    /// (`test`/`test` when none are set): a server under `--enforce-iam` admits only its root there.
    static func signed(_ request: URLRequest) -> URLRequest {
        let env = ProcessInfo.processInfo.environment
        guard let url = request.url, let host = url.host else { return request }
        let signer = SigV4Signer(accessKeyID: env["AWS_ACCESS_KEY_ID"] ?? "test",
                                 secretAccessKey: env["AWS_SECRET_ACCESS_KEY"] ?? "test",
                                 sessionToken: env["AWS_SESSION_TOKEN"],
                                 region: env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1", service: "lambda-vpc")
        var headers: [(name: String, value: String)] = [(name: "host", value: url.port.map { "\(host):\($0)" } ?? host)]
        if let type = request.value(forHTTPHeaderField: "Content-Type") { headers.append((name: "content-type", value: type)) }
        let wire = signer.sign(WireRequest(method: request.httpMethod ?? "GET", rawPath: url.path, headers: headers,
                                           body: Array(request.httpBody ?? Data())), at: Date())
        var out = request
        for (name, value) in wire.headers where name != "host" { out.setValue(value, forHTTPHeaderField: name) }
        return out
    }

    /// The status and JSON body of the answer; nil when the server cannot be reached.
    static func send(_ request: URLRequest) async -> (Int, [String: Any])? {
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        Foundation.exit(1)
    }

    /// The command, run through `ip netns exec` with default signal handling and nothing blocked (this process's
    /// threads may block signals), SIGTERM passed on to it.
    final class Child: @unchecked Sendable {
        let argv: [String]
        let forward = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())

        init(command: [String]) { argv = [InternetRun.ipTool] + command }

        /// Runs it to the end; its exit status, 128+N when killed by signal N, 127 when it could not start.
        func run() async -> Int32 {
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var defaults = sigset_t(), none = sigset_t()
            sigemptyset(&defaults)
            for s in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, s) }
            sigemptyset(&none)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
            let cArgs = argv.map { strdup($0) } + [nil]
            defer { cArgs.forEach { free($0) } }
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, argv[0], nil, &attributes, cArgs, environ)
            guard rc == 0 else {
                FileHandle.standardError.write(Data("Error: cannot run \(argv[0]): \(String(cString: strerror(rc)))\n".utf8))
                return 127
            }
            // This process outlives the command to remove the host: Ctrl-C reaches the command through the terminal,
            // a SIGTERM sent here is passed on.
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
            let child = pid
            forward.setEventHandler { _ = kill(child, SIGTERM) }
            forward.resume()
            return await withCheckedContinuation { done in
                Thread.detachNewThread {
                    var status: Int32 = 0
                    while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                    let signalled = status & 0x7f
                    done.resume(returning: signalled == 0 ? (status >> 8) & 0xff : 128 + signalled)
                }
            }
        }
    }

    static let ipTool: String = {
        for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/ip") {
            return dir + "/ip"
        }
        return "/usr/sbin/ip"
    }()
}
