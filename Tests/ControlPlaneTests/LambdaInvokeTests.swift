import AWSWire
import CloudModel
@testable import ControlPlane
import Foundation
import Synchronization
import Testing

/// An invoker answering from a script, counting calls.
final class ScriptedInvoker: FunctionInvoker {
    enum Answer { case success, functionError, throttle }
    let answer = Mutex(Answer.success)
    let calls = Mutex<[InvocationRequest]>([])

    func invoke(_ request: InvocationRequest) async throws -> InvocationResult {
        calls.withLock { $0.append(request) }
        switch answer.withLock({ $0 }) {
        case .success: return InvocationResult(statusCode: 200, payload: Array("\"ok\"".utf8), executedVersion: request.config.version)
        case .functionError:
            return InvocationResult(statusCode: 200, payload: Array("{}".utf8), functionError: "Unhandled", executedVersion: request.config.version)
        case .throttle: throw LambdaErrors.throttled(reason: "ReservedFunctionConcurrentInvocationLimitExceeded")
        }
    }

    var count: Int { calls.withLock { $0.count } }
}

/// The control-plane side of running functions: Event queue and retries, concurrency settings, weighted aliases.
@Suite struct LambdaInvokeTests {
    let clock = ManualTimeSource()
    let store: StateStore
    let invoker = ScriptedInvoker()
    let service: LambdaService
    let manager: ENIManager
    let worker: AsyncInvocationWorker

    init() throws {
        store = try StateStore(durable: NullRecordStore(), clock: clock)
        let timings = LambdaTimings(eniCreateDelay: 0, eniReleaseAfter: 60, idleAfter: 86400, eniLimitPerVpc: 500)
        service = LambdaService(store: store, accountId: "123456789012", region: "us-east-1", codeStore: InMemoryCodeStore(),
                                timings: timings, invoker: invoker)
        manager = ENIManager(store: store, timings: timings, accountId: "123456789012", activity: service.activity)
        worker = AsyncInvocationWorker(service: service, logger: .init(label: "test"))
    }

    func call(_ method: String, _ path: String, json: Any? = nil, headers: [(String, String)] = [],
              body: [UInt8]? = nil) async -> (status: Int, json: [String: Any]) {
        let bytes = body ?? json.map { Array(try! JSONSerialization.data(withJSONObject: $0)) } ?? []
        let req = WireRequest(method: method, rawPath: path, rawQuery: "", headers: headers.map { (name: $0.0, value: $0.1) }, body: bytes)
        let ctx = RequestContext(requestID: "req-\(UUID().uuidString)", accountId: "123456789012", region: "us-east-1",
                                 principal: .root(accountId: "123456789012", accessKeyId: "test"), sourceIP: "127.0.0.1")
        defer { _ = try? manager.reconcileUntilStable() }
        do {
            let r = try await service.handle(req, context: ctx)
            return (r.status, (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:])
        } catch let e as AWSError {
            let r = ErrorEnvelope.restJSON(e, requestID: "x")
            return (r.status, (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:])
        } catch {
            return (599, [:])
        }
    }

    func create(_ name: String) async {
        let zip: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)
        let r = await call("POST", "/2015-03-31/functions", json: [
            "FunctionName": name, "Runtime": "python3.12", "Handler": "index.handler",
            "Role": "arn:aws:iam::123456789012:role/lambda-role", "Code": ["ZipFile": Data(zip).base64EncodedString()]])
        #expect(r.status == 201)
        _ = try? manager.reconcileUntilStable()
    }

    func invokeEvent(_ name: String, payload: String = "{}") async -> Int {
        await call("POST", "/2015-03-31/functions/\(name)/invocations", headers: [("X-Amz-Invocation-Type", "Event")],
                   body: Array(payload.utf8)).status
    }

    var queued: [AsyncInvocation] { Array(store.snapshot().asyncInvocations.values) }

    @Test func eventIsQueuedThenDeliveredOnce() async throws {
        await create("f")
        #expect(await invokeEvent("f", payload: #"{"a":1}"#) == 202)
        #expect(queued.count == 1)
        await worker.deliverDueNow()
        #expect(invoker.count == 1)
        #expect(invoker.calls.withLock { $0[0].payload } == Array(#"{"a":1}"#.utf8))
        #expect(invoker.calls.withLock { $0[0].invocationType } == "Event")
        #expect(queued.isEmpty)
        await worker.deliverDueNow()
        #expect(invoker.count == 1)
    }

    @Test func failedEventIsRetriedTwiceAfterOneThenTwoMinutes() async throws {
        await create("f")
        invoker.answer.withLock { $0 = .functionError }
        _ = await invokeEvent("f")
        await worker.deliverDueNow()
        #expect(invoker.count == 1 && queued.first?.attempts == 1)
        clock.advance(by: 59)
        await worker.deliverDueNow()
        #expect(invoker.count == 1)
        clock.advance(by: 1)
        await worker.deliverDueNow()
        #expect(invoker.count == 2 && queued.first?.attempts == 2)
        clock.advance(by: 119)
        await worker.deliverDueNow()
        #expect(invoker.count == 2)
        clock.advance(by: 1)
        await worker.deliverDueNow()
        #expect(invoker.count == 3)
        #expect(queued.isEmpty)
        let ids = Set(invoker.calls.withLock { $0.map(\.requestId) })
        #expect(ids.count == 1)
    }

    @Test func throttledEventWaitsWithoutUsingARetry() async throws {
        await create("f")
        invoker.answer.withLock { $0 = .throttle }
        _ = await invokeEvent("f")
        await worker.deliverDueNow()
        #expect(queued.first?.attempts == 0)
        invoker.answer.withLock { $0 = .success }
        clock.advance(by: 1)
        await worker.deliverDueNow()
        #expect(queued.isEmpty)
    }

    @Test func eventOlderThanMaximumAgeIsDropped() async throws {
        await create("f")
        let put = await call("PUT", "/2019-09-25/functions/f/event-invoke-config", json: ["MaximumEventAgeInSeconds": 60])
        #expect(put.status == 200)
        invoker.answer.withLock { $0 = .throttle }
        _ = await invokeEvent("f")
        await worker.deliverDueNow()
        clock.advance(by: 61)
        invoker.answer.withLock { $0 = .success }
        await worker.deliverDueNow()
        #expect(queued.isEmpty)
        #expect(invoker.count == 1)
    }

    @Test func maximumRetryAttemptsZero() async throws {
        await create("f")
        _ = await call("PUT", "/2019-09-25/functions/f/event-invoke-config", json: ["MaximumRetryAttempts": 0])
        invoker.answer.withLock { $0 = .functionError }
        _ = await invokeEvent("f")
        await worker.deliverDueNow()
        #expect(queued.isEmpty && invoker.count == 1)
    }

    @Test func eventInvokeConfigValidation() async throws {
        await create("f")
        let r = await call("PUT", "/2019-09-25/functions/f/event-invoke-config", json: ["MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 59])
        #expect(r.status == 400)
        #expect((r.json["message"] as? String)?.hasPrefix("2 validation errors detected: ") == true)
        #expect(store.snapshot().eventInvokeConfigs.isEmpty)
    }

    @Test func payloadLimits() async throws {
        await create("f")
        let big = await call("POST", "/2015-03-31/functions/f/invocations", body: [UInt8](repeating: 0x20, count: 6_291_457))
        #expect(big.status == 413)
        #expect(big.json["message"] as? String == "Request must be smaller than 6291456 bytes for the Invoke operation")
        let async = await call("POST", "/2015-03-31/functions/f/invocations", headers: [("X-Amz-Invocation-Type", "Event")],
                               body: [UInt8](repeating: 0x20, count: 262_145))
        #expect(async.status == 413)
        #expect(queued.isEmpty)
    }

    @Test func reservedConcurrencyIsPassedToTheInvokerAndLimitedByTheAccount() async throws {
        await create("f")
        await create("g")
        #expect(await call("PUT", "/2017-10-31/functions/f/concurrency", json: ["ReservedConcurrentExecutions": 900]).status == 200)
        let over = await call("PUT", "/2017-10-31/functions/g/concurrency", json: ["ReservedConcurrentExecutions": 1])
        #expect(over.status == 400)
        #expect(over.json["message"] as? String == "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
        let settings = await call("GET", "/2016-08-19/account-settings")
        #expect((settings.json["AccountLimit"] as? [String: Any])?["UnreservedConcurrentExecutions"] as? Int == 100)
        _ = await call("POST", "/2015-03-31/functions/f/invocations", body: Array("{}".utf8))
        #expect(invoker.calls.withLock { $0.last?.reservedConcurrency } == 900)
        let negative = await call("PUT", "/2017-10-31/functions/g/concurrency", json: ["ReservedConcurrentExecutions": -1])
        #expect(negative.status == 400)
    }

    @Test func weightedAliasPicksByWeight() async throws {
        await create("f")
        #expect(await call("POST", "/2015-03-31/functions/f/versions", json: [:]).status == 201)
        _ = await call("PUT", "/2015-03-31/functions/f/configuration", json: ["Description": "two"])
        _ = try? manager.reconcileUntilStable()
        #expect(await call("POST", "/2015-03-31/functions/f/versions", json: [:]).status == 201)
        let alias = await call("POST", "/2015-03-31/functions/f/aliases",
                               json: ["Name": "live", "FunctionVersion": "1", "RoutingConfig": ["AdditionalVersionWeights": ["2": 0.25]]])
        #expect(alias.status == 201)
        let s = store.snapshot()
        let ref = try FunctionReference.parse("f").get()
        let base = try service.resolve(ref, qualifier: "live", in: s)
        #expect(service.routed(base, alias: "live", in: s, random: 0.1).config.version == "2")
        #expect(service.routed(base, alias: "live", in: s, random: 0.3).config.version == "1")
        #expect(service.routed(base, alias: "live", in: s, random: 0.3).arnQualifier == "live")
    }
}
