import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    /// AWS keeps this many concurrent executions of the account for functions without reserved concurrency.
    static let minimumUnreservedConcurrency = 100

    func putConcurrency(_ name: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        guard let n = try b.int("ReservedConcurrentExecutions") else {
            throw LambdaErrors.validation(["Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null"])
        }
        guard n >= 0 else {
            throw LambdaErrors.validation(["Value '\(n)' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0"])
        }
        let limit = timings.concurrencyLimit
        try store.write { tx in
            guard tx.get(LambdaFunction.self, ref.name) != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
            let others = tx.all(LambdaFunction.self).filter { $0.id != ref.name }.reduce(0) { $0 + ($1.reservedConcurrency ?? 0) }
            if limit - others - n < Self.minimumUnreservedConcurrency {
                throw LambdaErrors.invalidParameter("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [\(Self.minimumUnreservedConcurrency)].")
            }
            tx.update(LambdaFunction.self, ref.name) { $0.reservedConcurrency = n }
        }
        return respond(200, ctx) { w in w.beginObject(); w.member("ReservedConcurrentExecutions", n); w.endObject() }
    }

    func getConcurrency(_ name: String, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        guard let f = store.snapshot().lambdaFunctions[ref.name] else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
        return respond(200, ctx) { w in w.beginObject(); w.member("ReservedConcurrentExecutions", f.reservedConcurrency); w.endObject() }
    }

    func deleteConcurrency(_ name: String, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        try store.write { tx in
            guard tx.update(LambdaFunction.self, ref.name, { $0.reservedConcurrency = nil }) else {
                throw LambdaErrors.functionNotFound(json.functionArn(ref.name))
            }
        }
        return empty(204, ctx)
    }

    /// The account limit minus every function's reservation (GetAccountSettings' UnreservedConcurrentExecutions).
    func unreservedConcurrency(_ s: CloudState) -> Int {
        timings.concurrencyLimit - s.lambdaFunctions.values.reduce(0) { $0 + ($1.reservedConcurrency ?? 0) }
    }
}
