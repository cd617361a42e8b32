import IAMPolicy
import Testing

/// Where a request came from, as condition keys: AWS gives a request through a VPC endpoint the VPC keys instead of
/// `aws:SourceIp`, and `aws:SecureTransport` follows TLS.
struct NetworkOriginKeysTests {
    func context(_ network: NetworkOrigin) -> ConditionContext {
        var c = ConditionContext(["aws:SecureTransport": "false", "aws:username": "alice"])
        c.setRequestGlobals(RequestGlobals(sourceIP: "192.88.99.4", currentTime: "2026-01-01T00:00:00Z", epochTime: "1767225600",
                                           requestedRegion: "us-east-1", network: network))
        return c
    }

    @Test func aDirectRequestHasItsSourceIpAndNoVpcKeys() {
        let c = context(NetworkOrigin(sourceVpc: "vpc-1", secureTransport: true))
        #expect(c.values("aws:SourceIp") == ["192.88.99.4"])
        #expect(c.values("aws:SourceVpc") == nil && c.values("aws:VpcSourceIp") == nil && c.values("aws:SourceVpce") == nil,
                "through a NAT gateway AWS sees only the public address")
        #expect(c.values("aws:SecureTransport") == ["true"] && c.values("aws:username") == ["alice"])
    }

    @Test func aRequestThroughAVpcEndpointHasTheVpcKeysInstead() {
        let c = context(NetworkOrigin(sourceVpce: "vpce-1", sourceVpc: "vpc-1", vpcSourceIP: "10.0.1.5"))
        #expect(c.values("aws:SourceIp") == nil)
        #expect(c.values("aws:SourceVpce") == ["vpce-1"] && c.values("aws:SourceVpc") == ["vpc-1"]
                && c.values("aws:VpcSourceIp") == ["10.0.1.5"])
        #expect(c.values("aws:SecureTransport") == ["false"], "plain HTTP")
        let policy = try! CompiledPolicy(json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]}"#, id: "p")
        #expect(PolicySet([policy]).isAllowed(AuthorizationRequest(action: "s3:GetObject", context: c)))
        #expect(!PolicySet([policy]).isAllowed(AuthorizationRequest(action: "s3:GetObject",
                                                                          context: context(.direct))))
    }
}
