import AWSWire
import CloudModel

/// Checks a requested VpcConfig in Lambda's order (aws-behaviour.md §1) against this server's EC2 state.
public enum VpcConfigValidator {
    public static let maxSubnets = 16
    public static let maxSecurityGroups = 5

    /// Step 1, the model's constraints: ValidationException problem texts (empty when the lists are well-formed).
    public static func formatProblems(subnetIds: [String], securityGroupIds: [String]) -> [String] {
        var problems: [String] = []
        let subnetText = "[" + subnetIds.joined(separator: ", ") + "]"
        let groupText = "[" + securityGroupIds.joined(separator: ", ") + "]"
        if subnetIds.count > maxSubnets {
            problems.append("Value '\(subnetText)' at 'vpcConfig.subnetIds' failed to satisfy constraint: Member must have length less than or equal to \(maxSubnets)")
        }
        if !subnetIds.allSatisfy({ matches($0, prefix: "subnet-", upper: false) }) {
            problems.append("Value '\(subnetText)' at 'vpcConfig.subnetIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: subnet-[0-9a-z]*]")
        }
        if securityGroupIds.count > maxSecurityGroups {
            problems.append("Value '\(groupText)' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length less than or equal to \(maxSecurityGroups)")
        }
        if !securityGroupIds.allSatisfy({ matches($0, prefix: "sg-", upper: true) }) {
            problems.append("Value '\(groupText)' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: sg-[0-9a-zA-Z]*]")
        }
        return problems
    }

    /// Steps 2–8: coexistence, security groups, subnets, one VPC, tenancy, free addresses. Returns the stored form
    /// with the derived VpcId. Empty lists detach (`VpcId: ""`).
    public static func resolve(subnetIds: [String], securityGroupIds: [String], in state: CloudState) throws(AWSError) -> LambdaVpcConfig {
        if subnetIds.isEmpty != securityGroupIds.isEmpty { throw LambdaErrors.vpcListsMustCoexist }
        if subnetIds.isEmpty { return LambdaVpcConfig(subnetIds: [], securityGroupIds: [], vpcId: "") }
        var groups: [SecurityGroup] = []
        for id in securityGroupIds {
            guard let g = state.securityGroups[id] else { throw LambdaErrors.securityGroupNotFound(id) }
            groups.append(g)
        }
        var subnets: [Subnet] = []
        for id in subnetIds {
            guard let s = state.subnets[id] else { throw LambdaErrors.subnetNotFound(id) }
            subnets.append(s)
        }
        let vpcId = subnets[0].vpcId
        if subnets.contains(where: { $0.vpcId != vpcId }) || groups.contains(where: { $0.vpcId != vpcId }) {
            throw LambdaErrors.differentVpcs
        }
        if state.vpcs[vpcId]?.instanceTenancy == "dedicated" { throw LambdaErrors.dedicatedTenancy }
        let config = LambdaVpcConfig(subnetIds: subnetIds, securityGroupIds: securityGroupIds, vpcId: vpcId)
        // A subnet needs a free address only when its ENI does not exist yet.
        for key in config.hyperplaneKeys where state.hyperplaneENIs[key.id] == nil {
            guard let subnet = state.subnets[key.subnetId] else { continue }
            if SubnetUsage.available(subnet, in: state) <= 0 { throw LambdaErrors.subnetOutOfAddresses(subnet.id) }
        }
        return config
    }

    static func matches(_ id: String, prefix: String, upper: Bool) -> Bool {
        guard id.count <= 1024, id.hasPrefix(prefix) else { return false }
        return id.dropFirst(prefix.count).allSatisfy { c in
            c.isASCII && (c.isNumber || c.isLowercase || (upper && c.isUppercase))
        }
    }
}

/// Address accounting of a subnet from the interfaces placed in it.
public enum SubnetUsage {
    public static func used(_ subnetId: String, in state: CloudState) -> Set<IPv4Address> {
        var s: Set<IPv4Address> = []
        for eni in state.networkInterfaces.values where eni.subnetId == subnetId { s.insert(eni.privateIpAddress) }
        return s
    }

    public static func available(_ subnet: Subnet, in state: CloudState) -> Int {
        SubnetAddressing.available(subnet.cidrBlock, inUse: used(subnet.id, in: state).count)
    }
}
