import AWSWire
import Foundation

/// An awsJson1_1 request body with typed accessors: a member of the wrong JSON type is a SerializationException,
/// as AWS's deserializer answers it (before any validation).
struct SSMInput {
    let object: [String: Any]

    init(object: [String: Any]) { self.object = object }

    /// An empty body reads as `{}`.
    init(_ bytes: [UInt8]) throws(AWSError) {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { object = [:]; return }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(bytes)), let o = parsed as? [String: Any] else {
            throw SSMErrors.serialization("Start of structure or map found where not expected.")
        }
        object = o
    }

    func string(_ k: String) throws(AWSError) -> String? {
        guard let v = present(k) else { return nil }
        guard let s = v as? String else { throw wrongType(k) }
        return s
    }

    func required(_ k: String, member: String) throws(AWSError) -> String {
        guard let s = try string(k) else { throw SSMErrors.missing(member) }
        return s
    }

    func int(_ k: String) throws(AWSError) -> Int? {
        guard let v = present(k) else { return nil }
        guard let n = v as? NSNumber, !Self.isBool(n), let i = Int(exactly: n.doubleValue) else { throw wrongType(k) }
        return i
    }

    func bool(_ k: String) throws(AWSError) -> Bool? {
        guard let v = present(k) else { return nil }
        guard let n = v as? NSNumber, Self.isBool(n) else { throw wrongType(k) }
        return n.boolValue
    }

    func strings(_ k: String) throws(AWSError) -> [String]? {
        guard let v = present(k) else { return nil }
        guard let a = v as? [Any] else { throw wrongType(k) }
        var out: [String] = []
        for e in a {
            guard let s = e as? String else { throw wrongType(k) }
            out.append(s)
        }
        return out
    }

    func objects(_ k: String) throws(AWSError) -> [SSMInput]? {
        guard let v = present(k) else { return nil }
        guard let a = v as? [Any] else { throw wrongType(k) }
        var out: [SSMInput] = []
        for e in a {
            guard let o = e as? [String: Any] else { throw wrongType(k) }
            out.append(SSMInput(object: o))
        }
        return out
    }

    /// `[{"Key": ..., "Value": ...}]`, in order.
    func tags(_ k: String) throws(AWSError) -> [(key: String, value: String)]? {
        guard let list = try objects(k) else { return nil }
        var out: [(key: String, value: String)] = []
        for t in list {
            out.append((try t.required("Key", member: "tags.member.key"), try t.required("Value", member: "tags.member.value")))
        }
        return out
    }

    private func present(_ k: String) -> Any? {
        guard let v = object[k], !(v is NSNull) else { return nil }
        return v
    }

    private func wrongType(_ k: String) -> AWSError {
        SSMErrors.serialization("Unexpected value type in payload for member \(k)")
    }

    /// JSONSerialization gives booleans as NSNumber; tell them from numbers by their Objective-C type.
    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }
}
