import CloudModel
import Foundation
@testable import NetworkFabric
import Testing

/// The simulated internet in the kernel: real connections between ENIs, NAT gateways, internet hosts and the
/// lambda network. Needs CAP_NET_ADMIN (fails without it).
@Suite(.serialized) struct FabricInternetKernelTests {
    let host = "203.0.113.10"

    /// `FabricInternetPlanTests.natVPC`: eni-web (10.0.1.10) has Elastic IP 192.0.2.5; eni-other (10.0.2.30, no
    /// Elastic IP) is in the second subnet, routed to the NAT gateway 10.0.1.50 (Elastic IP 192.0.2.6).
    func model(natAvailable: Bool, webOpenToInternet: Bool = false) -> FabricModel {
        var m = FabricInternetPlanTests().natVPC(available: natAvailable)
        if webOpenToInternet { m.addRules(to: "sg-web", [Fx.tcp("sgr-web-public", 8080, from: Fx.anywhere)]) }
        return m
    }

    @Test func gatewaysNATAndTheLambdaNetworkReachInternetHosts() async throws {
        try await Kernel.withFabric { fabric, envPrefix in
            let tag = fabric.names.tag
            try await fabric.reconcile(model(natAvailable: false))
            let hostNs = try await fabric.addInternetHost(Fx.ip(host))
            try Servers.start(in: hostNs, ports: [80], tag: tag)
            try Servers.start(in: fabric.interfaceNamespace("eni-web"), ports: [8080], tag: tag)
            let web = fabric.interfaceNamespace("eni-web"), other = fabric.interfaceNamespace("eni-other")

            #expect(try Servers.probe(from: web, ["\(host):80"]) == ["\(host):80": "ok 192.0.2.5"], "1:1 NAT to the Elastic IP")
            #expect(try Servers.probe(from: other, ["\(host):80"]) == ["\(host):80": "timeout"], "no route while the NAT is pending")
            let inbound = try Servers.probe(from: hostNs, ["192.0.2.5:8080", "10.0.1.10:8080"])
            #expect(inbound["192.0.2.5:8080"] == "timeout", "the SG allows only the VPC")
            #expect(!(inbound["10.0.1.10:8080"] ?? "").hasPrefix("ok"), "private addresses are not on the internet: \(inbound)")

            try await fabric.reconcile(model(natAvailable: true, webOpenToInternet: true))
            #expect(try Servers.probe(from: other, ["\(host):80"]) == ["\(host):80": "ok 192.0.2.6"], "seen as the NAT's Elastic IP")
            #expect(try Servers.probe(from: hostNs, ["192.0.2.5:8080"]) == ["192.0.2.5:8080": "ok \(host)"])

            let env = envPrefix + "1"
            try Kernel.addNamespace(env)
            _ = try await fabric.attach(environmentNamespace: env, to: .lambdaNetwork)
            let fromLambda = try Servers.probe(from: env, ["\(host):80", "10.0.1.10:8080"])
            #expect(fromLambda["\(host):80"] == "ok 100.64.0.1")
            #expect(!(fromLambda["10.0.1.10:8080"] ?? "").hasPrefix("ok"), "no way into a VPC's private range: \(fromLambda)")

            let outsider = try LinuxFabric(instanceTag: tag)
            let seen = try await outsider.doctor(model(natAvailable: true, webOpenToInternet: true), ignoringEnvironmentLinks: true)
            #expect(seen.problems == [] && seen.namespaces.contains(hostNs))
            #expect(try await fabric.doctor().problems == [])

            // Detaching the gateway cuts the VPC off; the core stays for the host and the lambda network.
            var detached = model(natAvailable: true, webOpenToInternet: true)
            detached.internetGateways = []
            try await fabric.reconcile(detached)
            #expect(try Servers.probe(from: web, ["\(host):80"]) != ["\(host):80": "ok 192.0.2.5"])
            #expect(try await fabric.doctor().problems == [])

            Servers.stopAll(tag: tag)
            try await fabric.removeInternetHost(Fx.ip(host))
            #expect(!Kernel.namespaces().contains(hostNs))
        }
    }
}
