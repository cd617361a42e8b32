import AWSWire
import CloudModel
import Foundation

/// What RunInstances was asked for, validated before the transaction.
struct LaunchRequest {
    var imageId: String
    var instanceType: String
    var minCount: Int
    var maxCount: Int
    var subnetId: String
    var groupIds: [String]
    var userData: String?
    var privateIp: IPv4Address?
    var keyName: String?
    var clientToken: String?
    var instanceTags: [Tag]
    var interfaceTags: [Tag]
    /// `IamInstanceProfile.Arn` or `.Name` as given.
    var profileArn: String?
    var profileName: String?

    /// Most instances one account may have pending or running at once (EC2's classic default limit).
    static let instanceLimit = 20

    /// `defaultSubnet`: the default VPC's subnet the instance goes to when the request names none.
    init(_ p: QueryParameters, defaultSubnet: String? = nil) throws {
        imageId = p["ImageId"].flatMap { $0.isEmpty ? nil : $0 } ?? "ami-lambdavpc"
        instanceType = p["InstanceType"] ?? "t3.micro"
        let typeShape = instanceType.split(separator: ".", omittingEmptySubsequences: false)
        guard typeShape.count == 2, typeShape.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } }) else {
            throw EC2Errors.invalidInstanceType(instanceType)
        }
        func count(_ name: String) throws -> Int {
            guard let text = p[name] else { throw EC2Errors.missingParameter(name) }
            guard let n = Int(text), n >= 1 else { throw EC2Errors.invalidCount(EC2ServiceNames.lowerFirst(name), text) }
            return n
        }
        minCount = try count("MinCount")
        maxCount = try count("MaxCount")
        if minCount > maxCount { throw EC2Errors.minAboveMax(min: minCount, max: maxCount) }
        // The primary interface may also come as NetworkInterface.1 (the CLI's --network-interfaces).
        let nic = p.structures("NetworkInterface").first
        guard let subnet = p["SubnetId"] ?? nic?["SubnetId"] ?? defaultSubnet, !subnet.isEmpty else { throw EC2Errors.noDefaultVpc() }
        subnetId = subnet
        if !p.list("SecurityGroup").isEmpty { throw EC2Errors.groupNameWithSubnet() }
        groupIds = p.list("SecurityGroupId") + (nic?.list("SecurityGroupId") ?? [])
        if let text = p["PrivateIpAddress"] ?? nic?["PrivateIpAddress"] {
            guard let a = IPv4Address(text) else {
                throw EC2Errors.invalidParameterValue("Value (\(text)) for parameter privateIpAddress is invalid. Invalid format.")
            }
            if maxCount > 1 { throw EC2Errors.privateIpWithManyInstances() }
            privateIp = a
        }
        if let data = p["UserData"], !data.isEmpty {
            guard let decoded = Data(base64Encoded: data) else { throw EC2Errors.invalidUserData() }
            if decoded.count > 16384 { throw EC2Errors.userDataTooLarge() }
            userData = data
        }
        keyName = p["KeyName"].flatMap { $0.isEmpty ? nil : $0 }
        profileArn = p["IamInstanceProfile.Arn"]
        profileName = p["IamInstanceProfile.Name"]
        clientToken = p["ClientToken"].flatMap { $0.isEmpty ? nil : $0 }
        instanceTags = []
        interfaceTags = []
        for spec in p.structures("TagSpecification") {
            let type = spec["ResourceType"] ?? ""
            let tags = spec.structures("Tag").map { Tag(key: $0["Key"] ?? "", value: $0["Value"] ?? "") }
            switch type {
            case "instance": instanceTags += tags
            case "network-interface": interfaceTags += tags
            case "volume": break
            default: throw EC2Errors.invalidTagResourceType(type)
            }
        }
        if instanceTags.count > 50 || interfaceTags.count > 50 { throw EC2Errors.tagLimitExceeded() }
    }
}

/// Small naming helpers shared by request parsers that are not EC2Service methods.
enum EC2ServiceNames {
    static func lowerFirst(_ s: String) -> String { s.prefix(1).lowercased() + s.dropFirst() }
}

extension EC2Service {
    func runInstances(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let (params, templateTags) = try launchParameters(p)
        var req = try LaunchRequest(params, defaultSubnet: DefaultVpc.subnet(store.snapshot(), zone: params["Placement.AvailabilityZone"])?.id)
        req.instanceTags += templateTags
        try Self.checkImage(req.imageId)
        try checkID(req.subnetId, "subnet")
        for g in req.groupIds { try checkID(g, "sg") }
        let launched = try mutate(p) { tx -> [Instance] in
            let s = tx.state
            if let token = req.clientToken {
                let earlier = s.instances.values.filter { $0.clientToken == token }.sorted { $0.amiLaunchIndex < $1.amiLaunchIndex }
                if !earlier.isEmpty { return earlier }
            }
            if let key = req.keyName, !s.keyPairs.values.contains(where: { $0.name == key }) { throw EC2Errors.keyPairNotFound(key) }
            let iam = iamStore.snapshot()
            let profile = try Self.instanceProfile(arn: req.profileArn, name: req.profileName, in: iam)
            try Self.authorizePassRole(of: profile, in: iam, accountId: accountId, ctx)
            guard let subnet = s.subnets[req.subnetId] else { throw EC2Errors.subnetNotFound(req.subnetId) }
            var groups: [String] = []
            for g in req.groupIds where !groups.contains(g) {
                guard let sg = s.securityGroups[g] else { throw EC2Errors.groupNotFound(g) }
                if sg.vpcId != subnet.vpcId { throw EC2Errors.differentNetworks(g, req.subnetId) }
                groups.append(g)
            }
            if groups.isEmpty, let d = s.securityGroups.values.first(where: { $0.vpcId == subnet.vpcId && $0.name == "default" }) {
                groups = [d.id]
            }
            let active = s.instances.values.filter { $0.state == .pending || $0.state == .running }.count
            if active + req.minCount > LaunchRequest.instanceLimit {
                throw EC2Errors.instanceLimitExceeded(requested: active + req.minCount, limit: LaunchRequest.instanceLimit)
            }
            var used = s.usedAddresses(inSubnet: subnet.id)
            let free = Int(SubnetAddressing.available(subnet.cidrBlock, inUse: used.count))
            let count = min(req.maxCount, free, LaunchRequest.instanceLimit - active)
            if count < req.minCount { throw EC2Errors.insufficientAddresses(subnet.id) }
            let reservationId = ResourceID.make("r")
            var out: [Instance] = []
            for index in 0..<count {
                let ip = try InterfaceAddressing.pick(req.privateIp, in: subnet, used: used)
                used.insert(ip)
                let instanceId = ResourceID.make("i")
                let eni = NetworkInterface(id: ResourceID.make("eni"), subnetId: subnet.id, vpcId: subnet.vpcId,
                                           availabilityZone: subnet.availabilityZone, privateIpAddress: ip,
                                           macAddress: ResourceID.macAddress(), groupIds: groups, interfaceType: "interface",
                                           description: "", requesterId: nil, requesterManaged: false, status: "in-use",
                                           sourceDestCheck: true,
                                           attachment: .init(id: ResourceID.make("eni-attach"), attachTime: tx.now, deleteOnTermination: true,
                                                             deviceIndex: 0, instanceId: instanceId, instanceOwnerId: accountId,
                                                             status: "attached"),
                                           ownerId: accountId, tags: req.interfaceTags, createdAt: tx.now)
                tx.put(eni)
                let inst = Instance(id: instanceId, reservationId: reservationId, imageId: req.imageId, instanceType: req.instanceType,
                                    keyName: req.keyName, subnetId: subnet.id, vpcId: subnet.vpcId,
                                    availabilityZone: subnet.availabilityZone, privateIpAddress: ip, networkInterfaceId: eni.id,
                                    groupIds: groups, userData: req.userData, amiLaunchIndex: index, clientToken: req.clientToken,
                                    state: .pending, stateChangedAt: tx.now, stateTransitionReason: "", launchTime: tx.now,
                                    ownerId: accountId, tags: req.instanceTags)
                var launchedInstance = inst
                launchedInstance.iamInstanceProfileArn = profile?.arn
                launchedInstance.iamInstanceProfileId = profile?.instanceProfileId
                launchedInstance.iamInstanceProfileAssociationId = profile.map { _ in ResourceID.make("iip-assoc") }
                tx.put(launchedInstance)
                out.append(launchedInstance)
            }
            return out
        }
        let s = store.snapshot()
        return EC2XML.response("RunInstances", requestID: ctx.requestID) { w in
            EC2XML.reservation(&w, launched, state: s, region: self.region, zones: self.zones)
        }
    }

    /// Handing an instance a profile passes its role to EC2: under `--enforce-iam` the caller needs `iam:PassRole` on
    /// the role with `iam:PassedToService` = `ec2.amazonaws.com` (EC2's UnauthorizedOperation otherwise).
    static func authorizePassRole(of profile: IAMInstanceProfile?, in s: CloudState, accountId: String, _ ctx: RequestContext) throws {
        guard ctx.isAuthorizing, let profile, let roleName = profile.roleNames.first else { return }
        let roleArn = s.iamRoles[IAMName.key(roleName)]?.arn ?? "arn:aws:iam::\(accountId):role/\(roleName)"
        try ctx.authorize("iam:PassRole", roleArn) { $0.set("iam:PassedToService", "ec2.amazonaws.com") }
    }

    /// RunInstances' `IamInstanceProfile`: the profile named by ARN (or by name) must exist in IAM.
    static func instanceProfile(arn: String?, name: String?, in s: CloudState) throws -> IAMInstanceProfile? {
        if let arn {
            guard let p = s.iamInstanceProfiles.values.first(where: { $0.arn == arn }), name == nil || IAMName.key(p.name) == IAMName.key(name!) else {
                throw EC2Errors.invalidParameterValue("Value (\(arn)) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN")
            }
            return p
        }
        guard let name else { return nil }
        guard let p = s.iamInstanceProfiles[IAMName.key(name)] else {
            throw EC2Errors.invalidParameterValue("Value (\(name)) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
        }
        return p
    }

    /// The instances named by `InstanceId.N`: malformed ids first, then every unknown one in one error.
    func namedInstances(_ p: QueryParameters, in s: CloudState) throws -> [Instance] {
        let ids = p.list("InstanceId")
        if ids.isEmpty { throw EC2Errors.missingParameter("instanceId") }
        for id in ids { try checkID(id, "i") }
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        let missing = unique.filter { s.instances[$0] == nil }
        if !missing.isEmpty { throw EC2Errors.instanceNotFound(missing) }
        return unique.map { s.instances[$0]! }
    }

    /// Applies one user request to each named instance; answers EC2's current/previous state list.
    func changeInstances(_ p: QueryParameters, _ ctx: RequestContext, action: String, event: InstanceState.Event,
                         unchangedIn: Set<InstanceState>, verb: String) throws -> String {
        let changes = try mutate(p) { tx -> [(String, InstanceState, InstanceState)] in
            let instances = try namedInstances(p, in: tx.state)
            let now = tx.now
            var out: [(String, InstanceState, InstanceState)] = []
            for inst in instances {
                if unchangedIn.contains(inst.state) { out.append((inst.id, inst.state, inst.state)); continue }
                guard let next = inst.state.next(event) else { throw EC2Errors.incorrectInstanceState(inst.id, verb: verb) }
                tx.update(Instance.self, inst.id) {
                    $0.state = next
                    $0.stateChangedAt = now
                    if event == .startRequested {
                        $0.stateTransitionReason = ""
                        $0.stateReasonCode = nil
                    } else {
                        $0.stateTransitionReason = "User initiated (\(EC2XML.reasonTime(now)))"
                        $0.stateReasonCode = "Client.UserInitiatedShutdown"
                    }
                }
                out.append((inst.id, next, inst.state))
            }
            return out
        }
        return EC2XML.response(action, requestID: ctx.requestID) { w in
            w.list("instancesSet", changes) { w, c in
                w.element("instanceId", c.0)
                w.element("currentState") { EC2XML.instanceState(&$0, c.1) }
                w.element("previousState") { EC2XML.instanceState(&$0, c.2) }
            }
        }
    }

    func terminateInstances(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try changeInstances(p, ctx, action: "TerminateInstances", event: .terminateRequested,
                            unchangedIn: [.shuttingDown, .terminated], verb: "terminated")
    }

    func stopInstances(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try changeInstances(p, ctx, action: "StopInstances", event: .stopRequested, unchangedIn: [.stopping, .stopped], verb: "stopped")
    }

    func startInstances(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try changeInstances(p, ctx, action: "StartInstances", event: .startRequested, unchangedIn: [.pending, .running], verb: "started")
    }

    func getConsoleOutput(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "InstanceId")
        try checkID(id, "i")
        if isDryRun(p) {
            guard store.snapshot().instances[id] != nil else { throw EC2Errors.instanceNotFound([id]) }
            throw EC2Errors.dryRun
        }
        guard store.snapshot().instances[id] != nil else { throw EC2Errors.instanceNotFound([id]) }
        let output = runtime.consoleOutput(instanceId: id)
        let now = store.now
        return EC2XML.response("GetConsoleOutput", requestID: ctx.requestID) { w in
            w.element("instanceId", id)
            w.element("timestamp", EC2XML.timestamp(now))
            w.element("output", output.isEmpty ? nil : Data(output.utf8).base64EncodedString())
        }
    }
}
