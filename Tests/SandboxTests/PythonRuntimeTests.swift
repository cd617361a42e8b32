import Foundation
import Testing
@testable import Sandbox

@Suite(.serialized) struct PythonRuntimeTests {
    @Test func handlerResultIsThePayloadWithAWSLogLines() async throws {
        let f = SandboxFixture()
        let spec = try f.python("echo", """
            def handler(event, context):
                print("hello from", context.function_name)
                return {"got": event, "requestId": context.aws_request_id}
            """)
        let out = try await f.invoke(spec, #"{"x":1}"#, tail: true)
        await f.close()
        #expect(out.functionError == nil)
        #expect(out.json["got"] as? [String: Int] == ["x": 1])
        #expect(out.executedVersion == "$LATEST")
        #expect(out.initDurationMs != nil)
        let tail = try #require(out.logTail)
        let id = try #require(out.json["requestId"] as? String)
        #expect(tail.contains("START RequestId: \(id) Version: $LATEST\n"))
        #expect(tail.contains("hello from echo\n"))
        #expect(tail.contains("END RequestId: \(id)\n"))
        #expect(tail.contains("REPORT RequestId: \(id)\tDuration: "))
        #expect(tail.contains("\tMemory Size: 128 MB\tMax Memory Used: "))
        #expect(tail.contains("\tInit Duration: "))
    }

    @Test func raisedExceptionIsUnhandledWithTheRuntimesErrorJSON() async throws {
        let f = SandboxFixture()
        let spec = try f.python("raiser", """
            def handler(event, context):
                raise ValueError("bad input")
            """)
        let out = try await f.invoke(spec)
        await f.close()
        #expect(out.functionError == "Unhandled")
        #expect(out.json["errorType"] as? String == "ValueError")
        #expect(out.json["errorMessage"] as? String == "bad input")
        #expect(out.json["stackTrace"] is [Any])
    }

    @Test func warmEnvironmentIsReused() async throws {
        let f = SandboxFixture()
        let spec = try f.python("pid", """
            import uuid
            ENVIRONMENT = uuid.uuid4().hex
            def handler(event, context):
                return ENVIRONMENT
            """)
        let first = try await f.invoke(spec)
        let second = try await f.invoke(spec)
        #expect(f.pool.stats().environments == 1)
        await f.close()
        #expect(first.text == second.text)
        #expect(first.initDurationMs != nil)
        #expect(second.initDurationMs == nil)
    }

    @Test func timeoutKillsTheEnvironmentWithAWSsError() async throws {
        let f = SandboxFixture()
        let spec = try f.python("slow", """
            import time, uuid
            ENVIRONMENT = uuid.uuid4().hex
            def handler(event, context):
                if event.get("sleep"):
                    time.sleep(30)
                return ENVIRONMENT
            """, timeout: 1)
        let before = try await f.invoke(spec)
        let start = Date()
        let out = try await f.invoke(spec, #"{"sleep":true}"#, tail: true)
        let elapsed = Date().timeIntervalSince(start)
        let after = try await f.invoke(spec)
        await f.close()
        #expect(elapsed < 3)
        #expect(out.functionError == "Unhandled")
        #expect(out.json["errorType"] as? String == "Sandbox.Timedout")
        let message = try #require(out.json["errorMessage"] as? String)
        #expect(message.hasSuffix("Error: Task timed out after 1.00 seconds"))
        #expect(out.logTail?.contains("Task timed out after 1.00 seconds") == true)
        #expect(after.text != before.text, "a fresh environment after the timeout")
        #expect(after.initDurationMs != nil)
    }

    @Test func exitingRuntimeGivesRuntimeExitErrorThenAFreshEnvironment() async throws {
        let f = SandboxFixture()
        let spec = try f.python("exiter", """
            import os
            def handler(event, context):
                if event.get("die"):
                    os._exit(3)
                return "ok"
            """)
        let out = try await f.invoke(spec, #"{"die":true}"#)
        let again = try await f.invoke(spec)
        await f.close()
        #expect(out.functionError == "Unhandled")
        #expect(out.json["errorType"] as? String == "Runtime.ExitError")
        let message = try #require(out.json["errorMessage"] as? String)
        #expect(message.hasPrefix("RequestId: "))
        #expect(message.hasSuffix("Error: Runtime exited with error: exit status 3"))
        #expect(again.text == "\"ok\"")
        #expect(again.initDurationMs != nil)
    }

    @Test func importErrorIsTheRuntimesInitError() async throws {
        let f = SandboxFixture()
        let spec = try f.function("noimport", runtime: "python3.12", handler: "missing.handler",
                                  files: ["app.py": ("x = 1\n", false)])
        let out = try await f.invoke(spec)
        await f.close()
        #expect(out.functionError == "Unhandled")
        #expect(out.json["errorType"] as? String == "Runtime.ImportModuleError")
    }

    @Test func environmentVariablesAreAWSsAndTheFunctionsOnly() async throws {
        setenv("LV_SERVER_ONLY_SECRET", "leak", 1)
        let f = SandboxFixture()
        let spec = try f.python("envs", """
            import os
            def handler(event, context):
                return {"env": dict(os.environ), "cwd": os.getcwd()}
            """, environment: ["MY_SETTING": "on"])
        let out = try await f.invoke(spec)
        let isolated = f.pool.isolatesNetwork
        await f.close()
        let env = try #require(out.json["env"] as? [String: String])
        #expect(env["MY_SETTING"] == "on")
        #expect(env["LV_SERVER_ONLY_SECRET"] == nil)
        #expect(env["_HANDLER"] == "app.handler")
        #expect(env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12")
        #expect(env["AWS_LAMBDA_FUNCTION_NAME"] == "envs")
        #expect(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128")
        #expect(env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST")
        #expect(env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand")
        #expect(env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/envs")
        #expect(env["AWS_REGION"] == "us-east-1")
        #expect(env["AWS_DEFAULT_REGION"] == "us-east-1")
        #expect(env["TZ"] == ":UTC")
        #expect(env["AWS_ACCESS_KEY_ID"] != nil && env["AWS_SECRET_ACCESS_KEY"] != nil && env["AWS_SESSION_TOKEN"] != nil)
        #expect(env["LAMBDA_TASK_ROOT"] == out.json["cwd"] as? String)
        let stream = try #require(env["AWS_LAMBDA_LOG_STREAM_NAME"])
        #expect(stream.range(of: #"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$"#, options: .regularExpression) != nil)
        if isolated { #expect(env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001") }
    }

    @Test func concurrentInvocationsStartMoreEnvironmentsAndAllAreAnswered() async throws {
        let f = SandboxFixture()
        let spec = try f.python("parallel", """
            import time, uuid
            ENVIRONMENT = uuid.uuid4().hex
            def handler(event, context):
                time.sleep(0.3)
                return {"n": event["n"], "environment": ENVIRONMENT}
            """)
        let outs = try await withThrowingTaskGroup(of: InvocationOutput.self) { group in
            for n in 0..<20 { group.addTask { try await f.invoke(spec, #"{"n":\#(n)}"#) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let environments = f.pool.stats().environments
        await f.close()
        #expect(outs.count == 20)
        #expect(Set(outs.compactMap { $0.json["n"] as? Int }) == Set(0..<20))
        #expect(Set(outs.compactMap { $0.json["environment"] as? String }).count > 1)
        #expect(environments > 1)
    }

    @Test func reservedConcurrencyThrottles() async throws {
        let f = SandboxFixture()
        let spec = try f.python("limited", """
            import time
            def handler(event, context):
                time.sleep(1)
                return 1
            """)
        await #expect(throws: SandboxError.throttled(reason: .reservedFunctionConcurrentInvocationLimitExceeded)) {
            _ = try await f.invoke(spec, reserved: 0)
        }
        async let slow = f.invoke(spec, reserved: 1)
        try await Task.sleep(for: .milliseconds(300))
        await #expect(throws: SandboxError.throttled(reason: .reservedFunctionConcurrentInvocationLimitExceeded)) {
            _ = try await f.invoke(spec, reserved: 1)
        }
        let first = try await slow
        await f.close()
        #expect(first.text == "1")
    }

    @Test func accountLimitThrottles() async throws {
        let f = SandboxFixture(accountConcurrencyLimit: 1)
        let spec = try f.python("acct", """
            import time
            def handler(event, context):
                time.sleep(1)
                return 1
            """)
        async let slow = f.invoke(spec)
        try await Task.sleep(for: .milliseconds(300))
        await #expect(throws: SandboxError.throttled(reason: .concurrentInvocationLimitExceeded)) {
            _ = try await f.invoke(spec)
        }
        _ = try await slow
        await f.close()
    }

    @Test func idleEnvironmentsAreReaped() async throws {
        let f = SandboxFixture()
        let spec = try f.python("idle", "def handler(e, c):\n    return 1\n")
        _ = try await f.invoke(spec)
        #expect(f.pool.stats().environments == 1)
        f.pool.reapIdle(olderThan: 0)
        for _ in 0..<100 where f.pool.stats().environments > 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(f.pool.stats().environments == 0)
        let again = try await f.invoke(spec)
        await f.close()
        #expect(again.initDurationMs != nil)
    }
}
