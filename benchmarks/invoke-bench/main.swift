// Sandbox invoke benchmark: warm round trip of a no-op function through SandboxPool (p50/p99), throughput with
// 8 concurrent callers, and cold starts (python via awslambdaric, provided via a C-compiled or shell bootstrap).
// Run: swift build -c release --product invoke-bench && .build/release/invoke-bench [iterations]
import Foundation
import Logging
import Sandbox

func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }

func makeZip(_ dir: String, _ files: [String: (String, Bool)]) throws -> String {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (name, (content, exec)) in files {
        try content.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: exec ? 0o755 : 0o644], ofItemAtPath: dir + "/" + name)
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
    p.arguments = ["-q", "-r", dir + ".zip", "."]
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    try p.run()
    p.waitUntilExit()
    return dir + ".zip"
}

func spec(_ name: String, _ runtime: String, _ handler: String, _ zip: String) -> FunctionSpec {
    FunctionSpec(name: name, functionArn: "arn:aws:lambda:us-east-1:123456789012:function:\(name)", runtime: runtime,
                 handler: handler, codeZipPath: zip, codeSha256: name + "-" + UUID().uuidString, timeoutSeconds: 30)
}

func input() -> InvocationInput { InvocationInput(requestId: UUID().uuidString.lowercased(), payload: Array("{}".utf8)) }

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 2000 : 2000
let dataDir = NSTemporaryDirectory() + "lv-bench-" + UUID().uuidString.prefix(8)
var logger = Logger(label: "bench")
logger.logLevel = .error
let pool = SandboxPool(config: SandboxConfig(dataDir: dataDir), logger: logger)
print("network namespaces: \(pool.isolatesNetwork)")

let noop = spec("noop", "python3.12", "app.handler",
                try makeZip(dataDir + "/noop", ["app.py": ("def handler(event, context):\n    return None\n", false)]))
for _ in 0..<200 { _ = try await pool.invoke(noop, input()) }
var samples: [Double] = []
for _ in 0..<iterations {
    let t = ContinuousClock.now
    _ = try await pool.invoke(noop, input())
    let d = ContinuousClock.now - t
    samples.append(Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000)
}
samples.sort()
print(String(format: "warm invoke (pool, python no-op): p50 %.3f ms  p99 %.3f ms  (%d samples)",
             percentile(samples, 0.5), percentile(samples, 0.99), samples.count))

let total = iterations * 2
let start = ContinuousClock.now
try await withThrowingTaskGroup(of: Void.self) { group in
    for _ in 0..<8 {
        group.addTask { for _ in 0..<(total / 8) { _ = try await pool.invoke(noop, input()) } }
    }
    try await group.waitForAll()
}
let elapsed = ContinuousClock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(String(format: "throughput, 8 concurrent callers: %.0f invokes/s (%d environments)", Double(total) / seconds,
             pool.stats(functionArn: noop.functionArn).environments))

func coldStarts(_ label: String, runs: Int, make: (Int) throws -> FunctionSpec) async throws {
    var cold: [Double] = []
    for i in 0..<runs {
        let s = try make(i)
        let t = ContinuousClock.now
        let out = try await pool.invoke(s, input())
        let d = ContinuousClock.now - t
        precondition(out.functionError == nil, "\(label) failed: \(String(decoding: out.payload, as: UTF8.self))")
        cold.append(Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000)
        pool.invalidate(functionArn: s.functionArn)
    }
    cold.sort()
    print(String(format: "cold start %@: p50 %.1f ms  min %.1f ms  max %.1f ms  (%d runs)", label,
                 percentile(cold, 0.5), cold.first!, cold.last!, cold.count))
}

// Same code each run (unpacked once), a new function each time so every run is a cold start.
let pyZip = try makeZip(dataDir + "/pycold", ["app.py": ("def handler(event, context):\n    return 1\n", false)])
try await coldStarts("python3.12", runs: 15) { i in
    var s = spec("pycold\(i)", "python3.12", "app.handler", pyZip)
    s.codeSha256 = "pycold"
    return s
}
let shZip = try makeZip(dataDir + "/shcold", ["bootstrap": ("""
    #!/bin/sh
    API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
    while true; do
      ID=$(curl -sS -D - -o /dev/null "$API/invocation/next" | tr -d '\\r' | sed -n 's/^[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d: //p')
      curl -sS -X POST "$API/invocation/$ID/response" -d '1' >/dev/null
    done
    """, true)])
try await coldStarts("provided (sh + curl)", runs: 15) { i in
    var s = spec("shcold\(i)", "provided.al2023", "x", shZip)
    s.codeSha256 = "shcold"
    return s
}
await pool.shutdown()
try? FileManager.default.removeItem(atPath: dataDir)
