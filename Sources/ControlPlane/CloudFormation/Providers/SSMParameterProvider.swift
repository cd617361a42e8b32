import AWSWire
import Foundation

/// AWS::SSM::Parameter through Parameter Store's own handler; `Ref` is the parameter's name.
struct SSMParameterProvider: ResourceProvider {
    let type = "AWS::SSM::Parameter"
    let replacementProperties: Set<String> = ["Name"]

    func call(_ operation: String, _ input: [String: Any], _ c: ProviderContext) throws {
        guard let ssm = c.backends.ssm else { throw ResourceFailure("Parameter Store is not available") }
        let ctx = c.context { SSMService.accessDenied($0, action: $1, resource: $2, explicit: $3) }
        let body = (try? JSONSerialization.data(withJSONObject: input)) ?? Data()
        do { _ = try ssm.handle(target: SSMService.targetPrefix + operation, body: Array(body), context: ctx) } catch let e as AWSError {
            throw ProviderContext.failure(e, service: "Ssm", requestID: ctx.requestID)
        }
    }

    func put(_ name: String, _ p: ResourceProperties, overwrite: Bool, _ c: ProviderContext) throws -> Provisioned {
        var input: [String: Any] = ["Name": name, "Value": try p.required("Value", of: type), "Type": p.string("Type") ?? "String",
                                    "Overwrite": overwrite]
        input["Description"] = p.string("Description")
        input["AllowedPattern"] = p.string("AllowedPattern")
        input["Tier"] = p.string("Tier")
        input["DataType"] = p.string("DataType")
        if !overwrite, let tags = p["Tags"]?.objectValue, !tags.isEmpty {
            input["Tags"] = tags.sorted { $0.key < $1.key }.map { ["Key": $0.key, "Value": $0.value.scalarText ?? ""] }
        }
        try call("PutParameter", input, c)
        return Provisioned(name, attributes: ["Type": .string(p.string("Type") ?? "String"), "Value": .string(p.string("Value") ?? "")])
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = p.string("Name") ?? "CFN-" + PhysicalNames.generate(c, maxLength: 2000).split(separator: "-", maxSplits: 1).last!
        return try put(name, p, overwrite: false, c)
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try put(id, new, overwrite: true, c)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { try call("DeleteParameter", ["Name": id], c) } catch let f as ResourceFailure where f.reason.contains("ParameterNotFound") || f.reason.contains("NotFound") {}
        return true
    }
}
