/// AWS::EC2::EIP: `Ref` is the public address, `AllocationId` its allocation.
struct EC2EIPProvider: ResourceProvider {
    let type = "AWS::EC2::EIP"
    let replacementProperties: Set<String> = ["Domain", "NetworkBorderGroup", "PublicIpv4Pool"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form = ["Domain": p.string("Domain") ?? "vpc"]
        c.tagSpecification("elastic-ip", p, into: &form)
        let r = try c.ec2("AllocateAddress", form)
        guard let ip = r.find("publicIp"), let allocation = r.find("allocationId") else { throw ResourceFailure("Internal Failure") }
        if let instance = p.string("InstanceId") {
            try c.ec2("AssociateAddress", ["AllocationId": allocation, "InstanceId": instance])
        }
        return Provisioned(ip, attributes: ["AllocationId": .string(allocation), "PublicIp": .string(ip)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        guard let a = c.backends.ec2.store.snapshot().addresses.values.first(where: { "\($0.publicIp)" == id }) else { return true }
        try ignoringNotFound { try c.ec2("ReleaseAddress", ["AllocationId": a.id]) }
        return true
    }
}
