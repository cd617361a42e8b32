import AWSWire
import CloudModel
import Foundation
import Logging
import NetworkFabric
import Sandbox
import Synchronization
import Testing
@testable import Workloads

/// Which network a function's environments join, and how they are wired to it and unwired.
@Suite(.serialized) struct FunctionNetworkTests {
    static func config(vpc: LambdaVpcConfig?) -> FunctionConfig {
        FunctionConfig(functionName: "f", version: "$LATEST", runtime: "python3.12", role: "arn:aws:iam::123456789012:role/r",
                       handler: "index.handler", description: "", timeout: 3, memorySize: 128, environment: nil,
                       architectures: ["x86_64"], ephemeralStorageSize: 512, codeSha256: "", codeHex: "", codeSize: 0,
                       vpcConfig: vpc, lastModified: Date(), revisionId: "r", status: FunctionStatus(state: .active))
    }

    static func eni(_ id: String, subnet: String, ip: String) -> NetworkInterface {
        NetworkInterface(id: id, subnetId: subnet, vpcId: "vpc-1", availabilityZone: "us-east-1a",
                         privateIpAddress: IPv4Address(ip)!, macAddress: "02:00:00:00:00:01", groupIds: ["sg-1"],
                         interfaceType: "lambda", description: "", requesterId: nil, requesterManaged: true, status: "in-use",
                         sourceDestCheck: true, attachment: nil, ownerId: "123456789012", tags: [], createdAt: Date())
    }

    @Test func functionsWithoutSubnetsJoinTheLambdaNetwork() throws {
        let state = CloudState()
        #expect(try SandboxFunctionInvoker.networkAttachment(for: Self.config(vpc: nil), in: state) == .lambdaNetwork)
        let detached = LambdaVpcConfig(subnetIds: [], securityGroupIds: [], vpcId: "")
        #expect(try SandboxFunctionInvoker.networkAttachment(for: Self.config(vpc: detached), in: state) == .lambdaNetwork)
    }

    @Test func vpcFunctionsSitBehindTheENIOfEachSubnetInSubnetOrder() throws {
        var state = CloudState()
        let vpc = LambdaVpcConfig(subnetIds: ["subnet-b", "subnet-a"], securityGroupIds: ["sg-1"], vpcId: "vpc-1")
        for (subnet, id, ip) in [("subnet-a", "eni-a", "10.0.1.9"), ("subnet-b", "eni-b", "10.0.2.9")] {
            let key = HyperplaneKey(subnetId: subnet, securityGroupIds: ["sg-1"])
            state.hyperplaneENIs[key.id] = HyperplaneENIAllocation(key: key, requestedAt: Date(), requestedBy: "f", networkInterfaceId: id)
            state.networkInterfaces[id] = Self.eni(id, subnet: subnet, ip: ip)
        }
        // Another function's ENI (other security groups) in the same subnet is not this function's.
        let foreign = HyperplaneKey(subnetId: "subnet-a", securityGroupIds: ["sg-2"])
        state.hyperplaneENIs[foreign.id] = HyperplaneENIAllocation(key: foreign, requestedAt: Date(), requestedBy: "g", networkInterfaceId: "eni-x")
        state.networkInterfaces["eni-x"] = Self.eni("eni-x", subnet: "subnet-a", ip: "10.0.1.10")
        let a = try SandboxFunctionInvoker.networkAttachment(for: Self.config(vpc: vpc), in: state)
        #expect(a == .hyperplane([HyperplaneInterface(networkInterfaceId: "eni-a", privateIpAddress: "10.0.1.9"),
                                  HyperplaneInterface(networkInterfaceId: "eni-b", privateIpAddress: "10.0.2.9")]))
    }

    @Test func aVpcFunctionWithoutItsENIGetsAnErrorNotAnUnwiredEnvironment() {
        let vpc = LambdaVpcConfig(subnetIds: ["subnet-a"], securityGroupIds: ["sg-1"], vpcId: "vpc-1")
        #expect(throws: AWSError.self) { try SandboxFunctionInvoker.networkAttachment(for: Self.config(vpc: vpc), in: CloudState()) }
        do {
            _ = try SandboxFunctionInvoker.networkAttachment(for: Self.config(vpc: vpc), in: CloudState())
        } catch let e as AWSError {
            #expect(e.code == "EC2UnexpectedException")
            #expect(e.httpStatus == 502)
            #expect(e.message.contains("subnet subnet-a with security groups sg-1"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    // MARK: the kernel

    static func tag() -> String { String((0..<6).map { _ in "0123456789abcdef".randomElement()! }) }

    static func links(in namespace: String) -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ip", "-n", namespace, "-o", "link", "show"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return [] }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return out.split(separator: "\n").compactMap { l in
            l.split(separator: ":", maxSplits: 2).dropFirst().first?.trimmingCharacters(in: .whitespaces)
                .split(separator: "@").first.map(String.init)
        }.sorted()
    }

    static func namespaceExists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "/run/netns/" + name) }

    @Test func environmentsAttachSpreadOverTheENIsAndLeaveNothingWhenDestroyedOrWhenAttachFails() async throws {
        #expect(LinuxFabric.hasNetAdmin(), "CAP_NET_ADMIN is required for the kernel tests")
        let fabric = try LinuxFabric(instanceTag: Self.tag())
        let dataDir = NSTemporaryDirectory() + "lv-fnet-" + UUID().uuidString
        let refreshes = Mutex(0)
        let network = FabricEnvironmentNetwork(fabric: fabric, dataDir: dataDir, logger: Logger(label: "test")) {
            refreshes.withLock { $0 += 1 }
        }
        let cidr = IPv4CIDR("10.97.0.0/16")!
        let model = FabricModel(
            vpcs: [.init(id: "vpc-1", cidr: cidr)],
            subnets: [.init(id: "subnet-a", vpcId: "vpc-1", cidr: IPv4CIDR("10.97.1.0/24")!),
                      .init(id: "subnet-b", vpcId: "vpc-1", cidr: IPv4CIDR("10.97.2.0/24")!)],
            securityGroups: [.init(id: "sg-1", vpcId: "vpc-1", rules: [])],
            interfaces: [.init(id: "eni-a", subnetId: "subnet-a", address: IPv4Address("10.97.1.4")!, groupIds: ["sg-1"], interfaceType: "lambda"),
                         .init(id: "eni-b", subnetId: "subnet-b", address: IPv4Address("10.97.2.4")!, groupIds: ["sg-1"], interfaceType: "lambda")])
        try await fabric.reconcile(model)
        let both = NetworkAttachment.hyperplane([HyperplaneInterface(networkInterfaceId: "eni-a", privateIpAddress: "10.97.1.4"),
                                                 HyperplaneInterface(networkInterfaceId: "eni-b", privateIpAddress: "10.97.2.4")])
        let ledger = dataDir + "/sandbox/netns"
        do {
            // Three environments on a background thread, as the sandbox's launcher calls them: one per ENI, then either.
            let handles = try await Self.offThread { try (0..<3).map { i in try network.create(environmentId: "t\(i)\(fabric.names.tag)", attachment: both) } }
            let portsA = Self.links(in: fabric.interfaceNamespace("eni-a")).filter { $0.hasPrefix("lv-x-") }
            let portsB = Self.links(in: fabric.interfaceNamespace("eni-b")).filter { $0.hasPrefix("lv-x-") }
            #expect([portsA.count, portsB.count].sorted() == [1, 2])
            #expect(Self.links(in: handles[0].namespaceName!) == ["eth0", "lo"])
            try await Self.offThread { handles.forEach(network.destroy) }
            #expect(Self.links(in: fabric.interfaceNamespace("eni-a")).filter { $0.hasPrefix("lv-x-") } == [])
            #expect(Self.links(in: fabric.interfaceNamespace("eni-b")).filter { $0.hasPrefix("lv-x-") } == [])
            #expect(handles.allSatisfy { !Self.namespaceExists($0.namespaceName!) })

            // An ENI the fabric does not know even after a refresh: an error, and no namespace left behind.
            let missing = NetworkAttachment.hyperplane([HyperplaneInterface(networkInterfaceId: "eni-gone", privateIpAddress: "10.97.1.5")])
            let id = "tx\(fabric.names.tag)"
            await #expect(throws: SandboxError.self) { try await Self.offThread { _ = try network.create(environmentId: id, attachment: missing) } }
            #expect(refreshes.withLock { $0 } == 1)
            #expect(!Self.namespaceExists(NamespaceNetwork.prefix + id))
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: ledger)) ?? []).isEmpty)

            // Once the server stops, nothing attaches any more (the fabric is being torn down).
            network.close()
            await #expect(throws: SandboxError.shutDown) { try await Self.offThread { _ = try network.create(environmentId: id, attachment: both) } }
            #expect(!Self.namespaceExists(NamespaceNetwork.prefix + id))
        } catch {
            Issue.record("\(error)")
        }
        try await fabric.teardown()
        network.removeLeftovers()
        try? FileManager.default.removeItem(atPath: dataDir)
    }

    @Test func aReapedEnvironmentIsDetachedFromItsENI() async throws {
        #expect(LinuxFabric.hasNetAdmin(), "CAP_NET_ADMIN is required for the kernel tests")
        let fabric = try LinuxFabric(instanceTag: Self.tag())
        let dataDir = NSTemporaryDirectory() + "lv-fnet-" + UUID().uuidString
        let network = FabricEnvironmentNetwork(fabric: fabric, dataDir: dataDir, logger: Logger(label: "test")) {}
        try await fabric.reconcile(FabricModel(
            vpcs: [.init(id: "vpc-1", cidr: IPv4CIDR("10.98.0.0/16")!)],
            subnets: [.init(id: "subnet-a", vpcId: "vpc-1", cidr: IPv4CIDR("10.98.1.0/24")!)],
            securityGroups: [.init(id: "sg-1", vpcId: "vpc-1", rules: [])],
            interfaces: [.init(id: "eni-a", subnetId: "subnet-a", address: IPv4Address("10.98.1.4")!, groupIds: ["sg-1"], interfaceType: "lambda")]))
        let pool = SandboxPool(config: SandboxConfig(dataDir: dataDir), network: network, logger: Logger(label: "test"))
        let eniNamespace = fabric.interfaceNamespace("eni-a")
        do {
            let src = dataDir + "/src"
            try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
            // The environment's own address: where a datagram towards the subnet's router would leave from.
            try """
                import socket
                def handler(event, context):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.connect(("10.98.1.1", 9))
                    return s.getsockname()[0]
                """.write(toFile: src + "/app.py", atomically: true, encoding: .utf8)
            let zip = Process()
            zip.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
            zip.arguments = ["-q", "-r", dataDir + "/f.zip", "."]
            zip.currentDirectoryURL = URL(fileURLWithPath: src)
            try zip.run()
            zip.waitUntilExit()
            let spec = FunctionSpec(name: "f", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f", runtime: "python3.12",
                                    handler: "app.handler", codeZipPath: dataDir + "/f.zip", codeSha256: UUID().uuidString,
                                    networkAttachment: .hyperplane([HyperplaneInterface(networkInterfaceId: "eni-a", privateIpAddress: "10.98.1.4")]))
            let out = try await pool.invoke(spec, InvocationInput(requestId: "r1", payload: Array("{}".utf8)))
            #expect(String(decoding: out.payload, as: UTF8.self) == "\"169.254.128.2\"")
            #expect(Self.links(in: eniNamespace).filter { $0.hasPrefix("lv-x-") }.count == 1)
            pool.reapIdle(olderThan: 0)
            let deadline = Date().addingTimeInterval(10)
            while pool.stats().environments > 0, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
            #expect(pool.stats().environments == 0)
            #expect(Self.links(in: eniNamespace).filter { $0.hasPrefix("lv-x-") } == [])
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: dataDir + "/sandbox/netns")) ?? []).isEmpty)
        } catch {
            Issue.record("\(error)")
        }
        await pool.shutdown()
        try await fabric.teardown()
        try? FileManager.default.removeItem(atPath: dataDir)
    }

    /// Runs `body` on a fresh thread: the environment network blocks on the fabric's thread, never on a concurrency one.
    static func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            Thread { c.resume(with: Result { try body() }) }.start()
        }
    }
}
