@testable import AWSWire
import Testing

@Suite struct QueryParametersTests {
    static func form(_ body: String, query: String = "", method: String = "POST",
                     contentType: String? = "application/x-www-form-urlencoded; charset=utf-8") -> QueryParameters {
        QueryParameters(request: WireRequest(method: method, rawPath: "/", rawQuery: query,
                                             headers: contentType.map { [(name: "Content-Type", value: $0)] } ?? [],
                                             body: Array(body.utf8)))
    }

    @Test func bodyWinsOverQuery() {
        let p = Self.form("Action=DescribeVpcs&Version=2016-11-15", query: "Action=DeleteVpc&DryRun=true")
        #expect(p["Action"] == "DescribeVpcs")
        #expect(p["DryRun"] == "true")
    }

    @Test func getReadsOnlyTheQuery() {
        let p = Self.form("Action=DeleteVpc", query: "Action=DescribeVpcs", method: "GET")
        #expect(p["Action"] == "DescribeVpcs")
    }

    @Test func bodyWithoutContentTypeIsAForm() {
        #expect(Self.form("Action=DescribeVpcs", contentType: nil)["Action"] == "DescribeVpcs")
    }

    @Test func jsonBodyIsNotAForm() {
        #expect(Self.form(#"{"Action":"x"}"#, contentType: "application/json").values.isEmpty)
    }

    @Test func plusInQueryOrBodyIsASpace() {
        let p = Self.form("Description=my+group", query: "GroupName=web+tier")
        #expect(p["Description"] == "my group")
        #expect(p["GroupName"] == "web tier")
    }

    @Test func flattenedListsInIndexOrderUpToTheFirstGap() {
        let p = QueryParameters(["SubnetId.2": "subnet-b", "SubnetId.1": "subnet-a", "SubnetId.3": "subnet-c", "SubnetId.5": "subnet-e"])
        #expect(p.list("SubnetId") == ["subnet-a", "subnet-b", "subnet-c"])
        #expect(p.list("VpcId").isEmpty)
    }

    @Test func structuresAreGroupedByIndexInOrder() {
        let p = QueryParameters([
            "IpPermissions.2.IpProtocol": "udp",
            "IpPermissions.1.IpProtocol": "tcp",
            "IpPermissions.1.FromPort": "22",
            "IpPermissions.1.Groups.1.GroupId": "sg-1",
            "IpPermissions.10.IpProtocol": "icmp",
            "IpPermissionsX.1.IpProtocol": "ignored",
        ])
        let s = p.structures("IpPermissions")
        #expect(s.map { $0["IpProtocol"] } == ["tcp", "udp", "icmp"])
        #expect(s[0]["FromPort"] == "22")
        #expect(s[0].structures("Groups").first?["GroupId"] == "sg-1")
    }

    @Test func filtersWithTheirValues() {
        let p = Self.form("Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.1.Value.2=vpc-2&Filter.2.Name=tag%3AName&Filter.2.Value.1=web")
        let f = p.filters()
        #expect(f.map(\.name) == ["vpc-id", "tag:Name"])
        #expect(f.map(\.values) == [["vpc-1", "vpc-2"], ["web"]])
    }

    @Test func hasPrefixTellsAbsentFromEmpty() {
        let p = QueryParameters(["Filter.1.Name": "vpc-id", "DryRun": "true"])
        #expect(p.has(prefix: "Filter"))
        #expect(p.has(prefix: "DryRun"))
        #expect(!p.has(prefix: "Filt"))
        #expect(!p.has(prefix: "SubnetId"))
    }
}
