import ControlPlane
import Foundation

/// The SAM transform (`AWS::Serverless-2016-10-31`) run by AWS's own `aws-sam-translator` in a short-lived
/// `python3` process: the translator is the specification of the transform, so expanding with it gives what
/// CloudFormation gives, and a transform is rare enough (one per deployment) that a process start is cheap.
public struct SAMTranslatorProcess: TemplateTransformer {
    /// How long one transform may take before its process is killed.
    let timeout: TimeInterval

    public init(timeout: TimeInterval = 60) {
        self.timeout = timeout
    }

    public func transform(templateJSON: String, parameterValues: [String: String], region: String, accountId: String) async throws -> String {
        let request: [String: Any] = [
            "template": templateJSON, "parameters": parameterValues, "region": region, "accountId": accountId,
        ]
        let input = try JSONSerialization.data(withJSONObject: request)
        let output = try await Self.run(input: input, timeout: timeout)
        guard let answer = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw TemplateTransformError(transform: Self.name, message: "Internal transform failure.")
        }
        if let message = answer["error"] as? String { throw TemplateTransformError(transform: Self.name, message: message) }
        guard let template = answer["template"] as? String else {
            throw TemplateTransformError(transform: Self.name, message: "Internal transform failure.")
        }
        return template
    }

    static let name = "AWS::Serverless-2016-10-31"

    /// Runs the translator off the cooperative pool (it blocks on the child's pipes) and returns its stdout.
    private static func run(input: Data, timeout: TimeInterval) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(input: input, timeout: timeout) })
            }
        }
    }

    private static func runBlocking(input: Data, timeout: TimeInterval) throws -> Data {
        let requestFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("lv-sam-\(UUID().uuidString).json")
        try input.write(to: requestFile)
        defer { try? FileManager.default.removeItem(at: requestFile) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, requestFile.path]
        var env = ProcessInfo.processInfo.environment
        // The translator reaches for AWS only for AWS::Serverless::Application (the Serverless Application
        // Repository); pointing every SDK call at a closed loopback port keeps it off the real network.
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
        env["AWS_ACCESS_KEY_ID"] = "AKIDSAMTRANSLATOR"
        env["AWS_SECRET_ACCESS_KEY"] = "unused"
        p.environment = env
        let stdout = Pipe()
        let stderr = Pipe()
        p.standardOutput = stdout
        p.standardError = stderr
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw TemplateTransformError(transform: name, message: "The transform could not start: python3 not found.")
        }
        let pid = p.processIdentifier
        let killer = DispatchWorkItem { if p.isRunning { kill(pid, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let errors = Thread.detachedReader(stderr.fileHandleForReading)
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        if p.terminationStatus != 0 {
            let detail = String(decoding: errors.wait(), as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            throw TemplateTransformError(transform: name, message: "Internal transform failure. \(detail)")
        }
        return out
    }

    /// Reads the request file, expands the template and prints `{"template": JSON text}` or `{"error": message}`.
    /// Managed policy names resolve from the translator's bundled map, so no IAM call is made.
    static let script = """
        import json, os, sys
        req = json.load(open(sys.argv[1]))
        os.environ["AWS_DEFAULT_REGION"] = req["region"]
        region = req["region"]
        partition = "aws-cn" if region.startswith("cn-") else ("aws-us-gov" if region.startswith("us-gov-") else "aws")
        try:
            from samtranslator.translator.transform import transform
            from samtranslator.model.exceptions import InvalidDocumentException, ExceptionWithMessage
            from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
        except ImportError as e:
            print(json.dumps({"error": "aws-sam-translator is not installed on the server's machine (" + str(e) + ")."}))
            sys.exit(0)
        class Loader:
            def load(self):
                return get_bundled_managed_policy_map(partition) or {}
        params = dict(req["parameters"])
        params.setdefault("AWS::Region", region)
        params.setdefault("AWS::AccountId", req["accountId"])
        params.setdefault("AWS::Partition", partition)
        try:
            out = transform(json.loads(req["template"]), params, Loader())
            print(json.dumps({"template": json.dumps(out)}))
        except InvalidDocumentException as e:
            causes = " ".join(c.message for c in e.causes)
            print(json.dumps({"error": "Invalid Serverless Application Specification document. Number of errors found: %d. %s" % (len(e.causes), causes)}))
        except ExceptionWithMessage as e:
            print(json.dumps({"error": e.message}))
        """
}

extension Thread {
    /// Drains a pipe on its own thread so a chatty child cannot block on a full stderr while we read stdout.
    fileprivate static func detachedReader(_ handle: FileHandle) -> DrainedPipe {
        let drained = DrainedPipe()
        Thread.detachNewThread { drained.finish(handle.readDataToEndOfFile()) }
        return drained
    }
}

/// A pipe's bytes once its writer closed it.
private final class DrainedPipe: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    func finish(_ bytes: Data) {
        data = bytes
        done.signal()
    }

    func wait() -> Data {
        done.wait()
        done.signal()
        return data
    }
}
