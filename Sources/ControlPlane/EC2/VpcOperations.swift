import AWSWire
import CloudModel
import Foundation

extension EC2Service {
    func createVpc(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        guard let cidrText = p["CidrBlock"] else { throw EC2Errors.missingParameter("cidrBlock") }
        guard let cidr = IPv4CIDR(cidrText), (16...28).contains(cidr.prefixLength) else { throw EC2Errors.vpcRange(cidrText) }
        let tenancy = p["InstanceTenancy"] ?? "default"
        guard tenancy == "default" || tenancy == "dedicated" else {
            throw EC2Errors.invalidParameterValue("Value (\(tenancy)) for parameter instanceTenancy is invalid. Unsupported tenancy")
        }
        let vpc = try store.write { tx -> Vpc in
            let vpc = Vpc(id: ResourceID.make("vpc"), cidrBlock: cidr.normalized, cidrAssociationId: ResourceID.make("vpc-cidr-assoc"),
                          instanceTenancy: tenancy, isDefault: false, dhcpOptionsId: "dopt-" + "00000000000000000",
                          ownerId: accountId, tags: [], createdAt: tx.now)
            tx.put(vpc)
            return vpc
        }
        return EC2XML.response("CreateVpc", requestID: ctx.requestID) { w in
            w.element("vpc") { EC2XML.vpc(&$0, vpc) }
        }
    }

    func describeVpcs(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let ids = p.list("VpcId")
        var vpcs: [Vpc] = []
        if ids.isEmpty {
            vpcs = s.vpcs.values.sorted { $0.id < $1.id }
        } else {
            for id in ids {
                guard let v = s.vpcs[id] else { throw EC2Errors.vpcNotFound(id) }
                vpcs.append(v)
            }
        }
        return EC2XML.response("DescribeVpcs", requestID: ctx.requestID) { w in
            w.list("vpcSet", vpcs) { EC2XML.vpc(&$0, $1) }
        }
    }
}
