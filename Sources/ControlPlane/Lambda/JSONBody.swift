import AWSWire
import Foundation

/// A Lambda request's JSON body with typed, absent-tolerant accessors; a member of the wrong JSON type
/// is Lambda's InvalidRequestContentException, as its deserializer reports it.
struct JSONBody {
    let object: [String: Any]

    init(object: [String: Any]) { self.object = object }

    /// Parses the body; an empty body is `{}` (botocore sends none for operations without members).
    init(_ bytes: [UInt8]) throws(AWSError) {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { object = [:]; return }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) } catch {
            let preview = String(decoding: bytes.prefix(40), as: UTF8.self)
            throw LambdaErrors.unparsableBody("Unrecognized token '\(preview)': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
        }
        guard let o = parsed as? [String: Any] else {
            throw LambdaErrors.unparsableBody("Cannot deserialize value of a request structure from a non-object value")
        }
        object = o
    }

    /// True when the member is present (even when null or empty): "absent" and "empty" differ for VpcConfig.
    func has(_ k: String) -> Bool { object[k] != nil && !(object[k] is NSNull) }

    func string(_ k: String) throws(AWSError) -> String? {
        guard let v = present(k) else { return nil }
        guard let s = v as? String else { throw LambdaErrors.wrongType(k, expected: "java.lang.String") }
        return s
    }

    func int(_ k: String) throws(AWSError) -> Int? {
        guard let v = present(k) else { return nil }
        guard let n = v as? NSNumber, !Self.isBool(n), let i = Int(exactly: n.doubleValue) else {
            throw LambdaErrors.wrongType(k, expected: "java.lang.Integer")
        }
        return i
    }

    func double(_ k: String) throws(AWSError) -> Double? {
        guard let v = present(k) else { return nil }
        guard let n = v as? NSNumber, !Self.isBool(n) else { throw LambdaErrors.wrongType(k, expected: "java.lang.Double") }
        return n.doubleValue
    }

    func bool(_ k: String) throws(AWSError) -> Bool? {
        guard let v = present(k) else { return nil }
        if let n = v as? NSNumber, Self.isBool(n) { return n.boolValue }
        throw LambdaErrors.wrongType(k, expected: "java.lang.Boolean")
    }

    func stringList(_ k: String) throws(AWSError) -> [String]? {
        guard let v = present(k) else { return nil }
        guard let a = v as? [Any] else { throw LambdaErrors.wrongType(k, expected: "java.util.ArrayList") }
        var out: [String] = []
        for e in a {
            guard let s = e as? String else { throw LambdaErrors.wrongType(k, expected: "java.lang.String") }
            out.append(s)
        }
        return out
    }

    func stringMap(_ k: String) throws(AWSError) -> [String: String]? {
        guard let v = present(k) else { return nil }
        guard let m = v as? [String: Any] else { throw LambdaErrors.wrongType(k, expected: "java.util.HashMap") }
        var out: [String: String] = [:]
        for (name, val) in m {
            guard let s = val as? String else { throw LambdaErrors.wrongType(name, expected: "java.lang.String") }
            out[name] = s
        }
        return out
    }

    func doubleMap(_ k: String) throws(AWSError) -> [String: Double]? {
        guard let v = present(k) else { return nil }
        guard let m = v as? [String: Any] else { throw LambdaErrors.wrongType(k, expected: "java.util.HashMap") }
        var out: [String: Double] = [:]
        for (name, val) in m {
            guard let n = val as? NSNumber, !Self.isBool(n) else { throw LambdaErrors.wrongType(name, expected: "java.lang.Double") }
            out[name] = n.doubleValue
        }
        return out
    }

    func object(_ k: String) throws(AWSError) -> JSONBody? {
        guard let v = present(k) else { return nil }
        guard let o = v as? [String: Any] else { throw LambdaErrors.wrongType(k, expected: "structure") }
        return JSONBody(object: o)
    }

    private func present(_ k: String) -> Any? {
        guard let v = object[k], !(v is NSNull) else { return nil }
        return v
    }

    /// JSONSerialization gives booleans as NSNumber; tell them from numbers by their Objective-C type.
    static func isBool(_ n: NSNumber) -> Bool {
        String(cString: n.objCType) == "c"
    }
}
