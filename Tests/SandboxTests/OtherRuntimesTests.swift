import Foundation
import Testing
@testable import Sandbox

@Suite(.serialized) struct OtherRuntimesTests {
    static let curlBootstrap = """
        #!/bin/sh
        set -eu
        API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
        HEADERS="$(mktemp)"
        while true; do
          EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
          ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)"
          echo "handling $ID"
          curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"echo\\":$EVENT,\\"handler\\":\\"$_HANDLER\\"}" >/dev/null
        done
        """

    @Test func providedBootstrapShellScriptWithCurl() async throws {
        let f = SandboxFixture()
        let spec = try f.function("shell", runtime: "provided.al2023", handler: "function.handler",
                                  files: ["bootstrap": (Self.curlBootstrap, true)])
        let out = try await f.invoke(spec, #"{"a":[1,2]}"#, tail: true)
        let warm = try await f.invoke(spec, #"{"a":3}"#)
        await f.close()
        #expect(out.functionError == nil, "\(out.text)")
        #expect(out.json["echo"] as? [String: [Int]] == ["a": [1, 2]])
        #expect(out.json["handler"] as? String == "function.handler")
        #expect(out.logTail?.contains("handling ") == true)
        #expect(warm.json["echo"] as? [String: Int] == ["a": 3])
    }

    @Test func missingBootstrapIsInvalidEntrypoint() async throws {
        let f = SandboxFixture()
        let spec = try f.function("nobootstrap", runtime: "provided.al2", handler: "x",
                                  files: ["README": ("no bootstrap here", false)])
        let out = try await f.invoke(spec)
        await f.close()
        #expect(out.functionError == "Unhandled")
        #expect(out.json["errorType"] as? String == "Runtime.InvalidEntrypoint")
    }

    /// A Python bootstrap that breaks the protocol on purpose and reports what the Runtime API answered.
    static let protocolProbe = """
        #!/usr/bin/env python3
        import http.client, json, os
        host = os.environ["AWS_LAMBDA_RUNTIME_API"]
        def call(method, path, body=None):
            c = http.client.HTTPConnection(host)
            c.request(method, "/2018-06-01/runtime" + path, body)
            r = c.getresponse()
            return r.status, r.getheaders(), r.read().decode()
        _, headers, _ = call("GET", "/invocation/next")
        first = dict(headers)["Lambda-Runtime-Aws-Request-Id"]
        wrong = call("POST", "/invocation/not-a-request/response", "{}")
        ok = call("POST", "/invocation/%s/response" % first, json.dumps({"wrong": [wrong[0], wrong[2]]}))
        _, headers, _ = call("GET", "/invocation/next")
        second = dict(headers)["Lambda-Runtime-Aws-Request-Id"]
        again = call("POST", "/invocation/%s/response" % first, "{}")
        unknown = call("GET", "/2018-06-01/nothing")
        call("POST", "/invocation/%s/response" % second,
             json.dumps({"accepted": [ok[0], ok[2]], "again": [again[0], again[2]], "unknown": unknown[0]}))
        call("GET", "/invocation/next")
        """

    @Test func runtimeAPIAnswersWrongIdsAndOrderLikeAWS() async throws {
        let f = SandboxFixture()
        let spec = try f.function("probe", runtime: "provided.al2023", handler: "x",
                                  files: ["bootstrap": (Self.protocolProbe, true)])
        let first = try await f.invoke(spec)
        let second = try await f.invoke(spec)
        await f.close()
        let wrong = try #require(first.json["wrong"] as? [Any])
        #expect(wrong.first as? Int == 400)
        #expect((wrong.last as? String).map { $0.contains(#""errorType":"InvalidRequestID""#) } == true)
        let accepted = try #require(second.json["accepted"] as? [Any])
        #expect(accepted.first as? Int == 202)
        #expect(accepted.last as? String == #"{"status":"OK"}"#)
        let again = try #require(second.json["again"] as? [Any])
        #expect(again.first as? Int == 403)
        #expect((again.last as? String).map { $0.contains(#""errorType":"InvalidStateTransition""#) } == true)
        #expect(second.json["unknown"] as? Int == 404)
    }

    @Test func nodeAsyncHandlerCallbackHandlerAndErrors() async throws {
        let f = SandboxFixture()
        let code = """
            exports.handler = async (event, context) => {
              console.log('event', JSON.stringify(event));
              if (event.fail) throw new TypeError('nope');
              return { got: event, fn: context.functionName, exec: process.env.AWS_EXECUTION_ENV,
                       remaining: context.getRemainingTimeInMillis() > 0 };
            };
            exports.cb = (event, context, callback) => { setTimeout(() => callback(null, { cb: event.n }), 5); };
            """
        let spec = try f.function("nodefn", runtime: "nodejs20.x", handler: "index.handler",
                                  files: ["index.js": (code, false)])
        let cbSpec = try f.function("nodecb", runtime: "nodejs20.x", handler: "index.cb", files: ["index.js": (code, false)])
        let ok = try await f.invoke(spec, #"{"k":"v"}"#, tail: true)
        let failed = try await f.invoke(spec, #"{"fail":true}"#)
        let cb = try await f.invoke(cbSpec, #"{"n":7}"#)
        await f.close()
        #expect(ok.functionError == nil, "\(ok.text)")
        #expect(ok.json["got"] as? [String: String] == ["k": "v"])
        #expect(ok.json["fn"] as? String == "nodefn")
        #expect(ok.json["exec"] as? String == "AWS_Lambda_nodejs20.x")
        #expect(ok.json["remaining"] as? Bool == true)
        #expect(ok.logTail?.contains("\tINFO\tevent {\"k\":\"v\"}") == true)
        #expect(failed.functionError == "Unhandled")
        #expect(failed.json["errorType"] as? String == "TypeError")
        #expect(failed.json["errorMessage"] as? String == "nope")
        #expect(failed.json["trace"] is [String])
        #expect(cb.json["cb"] as? Int == 7)
    }

    @Test func nodeMissingHandlerIsAnInitError() async throws {
        let f = SandboxFixture()
        let spec = try f.function("nodemissing", runtime: "nodejs20.x", handler: "index.nothere",
                                  files: ["index.js": ("exports.handler = async () => 1;", false)])
        let out = try await f.invoke(spec)
        await f.close()
        #expect(out.functionError == "Unhandled")
        #expect(out.json["errorType"] as? String == "Runtime.HandlerNotFound")
    }

    @Test func aRuntimeWithoutItsOwnInterpreterFailsSayingWhatIsMissing() async throws {
        let f = SandboxFixture()
        let node = try f.function("node99", runtime: "nodejs99.x", handler: "index.handler",
                                  files: ["index.js": ("exports.handler = async () => 1;", false)])
        let python = try f.function("py99", runtime: "python3.99", handler: "app.handler",
                                    files: ["app.py": ("def handler(e, c):\n    return 1\n", false)])
        let java = try f.function("java", runtime: "java17", handler: "example.Handler::handleRequest",
                                  files: ["x.txt": ("", false)])
        let outs = [try await f.invoke(node), try await f.invoke(python), try await f.invoke(java)]
        await f.close()
        for out in outs {
            #expect(out.functionError == "Unhandled")
            #expect(out.json["errorType"] as? String == "Runtime.Unavailable")
        }
        #expect((outs[0].json["errorMessage"] as? String)?.contains("nodejs99.x needs Node.js 99") == true)
        #expect((outs[1].json["errorMessage"] as? String)?.contains("no python3.99 interpreter") == true)
        #expect((outs[2].json["errorMessage"] as? String)?.contains("no runtime interface client for java17") == true)
    }
}
