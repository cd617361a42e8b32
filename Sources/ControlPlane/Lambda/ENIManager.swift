import CloudModel
import Foundation

/// The Hyperplane ENI reconciler: from the functions and versions in the store (the desired state) it creates
/// the shared ENIs (one per subnet + security-group set), moves versions Pending → Active / Failed, marks idle
/// functions Inactive and deletes ENIs nobody uses any more. Idempotent and restart-safe: everything it needs
/// is in the store, so after a restart it simply converges again.
public final class ENIManager: Sendable {
    public let store: StateStore
    public let timings: LambdaTimings
    public let accountId: String
    public let activity: InvocationActivity
    /// Checks a VPC function's execution role before its network is provisioned; nil with `--skip-role-checks`.
    public let roleChecker: Authorizer?

    public init(store: StateStore, timings: LambdaTimings, accountId: String, activity: InvocationActivity,
                roleChecker: Authorizer? = nil) {
        self.store = store; self.timings = timings; self.accountId = accountId; self.activity = activity
        self.roleChecker = roleChecker
    }

    /// One pass; returns when the next timed step (ENI ready, release, idle) is due, or nil if none is.
    @discardableResult
    public func reconcile() throws -> Date? {
        let roleProblem: ((String, CloudState) -> String?)? = roleChecker.map { checker in
            // IAM is global: roles are read from the authorizer's store, not from this region's state.
            { role, _ in checker.eniProvisioningProblem(roleArn: role, in: checker.store.snapshot()) }
        }
        return try store.write { tx in
            Self.reconcile(&tx, timings: timings, accountId: accountId, lastInvoked: { [activity] in activity.lastInvoked($0) },
                           roleProblem: roleProblem)
        }
    }

    /// Passes until nothing changes (a pass can unblock the next: a function going idle frees its ENIs).
    @discardableResult
    public func reconcileUntilStable(maxPasses: Int = 10) throws -> Date? {
        var next: Date?
        for _ in 0..<maxPasses {
            let before = store.snapshot()
            next = try reconcile()
            if Self.sameLambdaState(before, store.snapshot()) { break }
        }
        return next
    }

    static func sameLambdaState(_ a: CloudState, _ b: CloudState) -> Bool {
        a.lambdaFunctions == b.lambdaFunctions && a.lambdaVersions == b.lambdaVersions && a.hyperplaneENIs == b.hyperplaneENIs
    }

    /// A provisioning failure as the function sees it.
    struct Failure { var code: String; var reason: String }

    /// The whole pass on a transaction: pure apart from ids and the clock in `tx.now`.
    static func reconcile(_ tx: inout Transaction, timings: LambdaTimings, accountId: String,
                          lastInvoked: (String) -> Date?, roleProblem: ((String, CloudState) -> String?)? = nil) -> Date? {
        let now = tx.now
        var next: Date?
        func due(_ d: Date) { next = next.map { min($0, d) } ?? d }

        // 1. Idle VPC functions go Inactive, with all their versions.
        var versionsByFunction: [String: [LambdaVersion]] = [:]
        for v in tx.all(LambdaVersion.self) { versionsByFunction[v.functionName, default: []].append(v) }
        for f in Array(tx.all(LambdaFunction.self)) {
            let versions = versionsByFunction[f.id] ?? []
            guard f.latest.vpcConfig?.isAttached == true || versions.contains(where: { $0.config.vpcConfig?.isAttached == true }) else {
                continue
            }
            let last = [f.lastInvokedAt, lastInvoked(f.id), f.latest.lastModified].compactMap { $0 }.max()!
            let idleAt = last.addingTimeInterval(timings.idleAfter)
            guard now >= idleAt else {
                if f.latest.status.state == .active { due(idleAt) }
                continue
            }
            if f.latest.vpcConfig?.isAttached == true, let s = FunctionStateMachine.transition(f.latest.status, .idle) {
                tx.update(LambdaFunction.self, f.id) { $0.latest.status = s; $0.latest.revisionId = newRevisionId() }
            }
            for v in versions where v.config.vpcConfig?.isAttached == true {
                if let s = FunctionStateMachine.transition(v.config.status, .idle) {
                    tx.update(LambdaVersion.self, v.id) { $0.config.status = s; $0.config.revisionId = newRevisionId() }
                }
            }
        }

        // 2. What is needed, and by whom first (the ENI's description names that function). A version waiting for
        //    its network whose role can no longer create ENIs fails instead (InsufficientRolePermissions).
        var needs: [HyperplaneKey: String] = [:]
        var configs: [FunctionConfig] = []
        for f in tx.all(LambdaFunction.self) { configs.append(f.latest) }
        for v in tx.all(LambdaVersion.self) { configs.append(v.config) }
        var roleFailures: [String: Failure] = [:]
        if let roleProblem {
            for c in configs where c.status.awaitsProvisioning && c.vpcConfig?.isAttached == true {
                if let reason = roleProblem(c.role, tx.state) {
                    roleFailures[c.functionName + ":" + c.version] = Failure(code: "InsufficientRolePermissions", reason: reason)
                }
            }
        }
        for c in configs where roleFailures[c.functionName + ":" + c.version] == nil {
            for k in c.neededHyperplaneKeys where needs[k].map({ c.functionName < $0 }) ?? true { needs[k] = c.functionName }
        }
        for (k, who) in needs where tx.get(HyperplaneENIAllocation.self, k.id) == nil {
            tx.put(HyperplaneENIAllocation(key: k, requestedAt: now, requestedBy: who))
        }

        // 3. Allocations: create when due, mark unused, release after the grace period.
        var failures: [HyperplaneKey: Failure] = [:]
        for a in Array(tx.all(HyperplaneENIAllocation.self)) {
            let needed = needs[a.key] != nil
            if let eniId = a.networkInterfaceId {
                if tx.get(NetworkInterface.self, eniId) == nil {
                    // The interface vanished behind Lambda's back: ask for a new one.
                    tx.update(HyperplaneENIAllocation.self, a.id) { $0.networkInterfaceId = nil; $0.requestedAt = now; $0.unusedSince = nil }
                    if needed { due(now.addingTimeInterval(timings.eniCreateDelay)) } else { tx.delete(HyperplaneENIAllocation.self, a.id) }
                    continue
                }
                if needed {
                    if a.unusedSince != nil {
                        tx.update(HyperplaneENIAllocation.self, a.id) { $0.unusedSince = nil }
                        Self.attach(eniId, &tx, at: now)
                    }
                } else if let since = a.unusedSince {
                    let releaseAt = since.addingTimeInterval(timings.eniReleaseAfter)
                    if now >= releaseAt {
                        tx.delete(NetworkInterface.self, eniId)
                        tx.delete(HyperplaneENIAllocation.self, a.id)
                    } else { due(releaseAt) }
                } else {
                    tx.update(HyperplaneENIAllocation.self, a.id) { $0.unusedSince = now }
                    // As on AWS, an ENI no function uses is detached (`available`) before it is deleted: Terraform
                    // waits for that state, then deletes it itself when it removes the subnet or security group.
                    tx.update(NetworkInterface.self, eniId) { $0.status = "available"; $0.attachment = nil }
                    if timings.eniReleaseAfter <= 0 {
                        tx.delete(NetworkInterface.self, eniId)
                        tx.delete(HyperplaneENIAllocation.self, a.id)
                    } else { due(now.addingTimeInterval(timings.eniReleaseAfter)) }
                }
                continue
            }
            guard needed else { tx.delete(HyperplaneENIAllocation.self, a.id); continue }
            let readyAt = a.requestedAt.addingTimeInterval(timings.eniCreateDelay)
            guard now >= readyAt else { due(readyAt); continue }
            switch provision(a, &tx, limit: timings.eniLimitPerVpc, accountId: accountId) {
            case .success(let eni):
                tx.put(eni)
                tx.update(HyperplaneENIAllocation.self, a.id) { $0.networkInterfaceId = eni.id }
            case .failure(let f):
                failures[a.key] = f.failure
                tx.delete(HyperplaneENIAllocation.self, a.id)
            }
        }

        // 4. Versions waiting for their network move on.
        func advance(_ c: FunctionConfig) -> FunctionStatus? {
            guard c.status.awaitsProvisioning else { return nil }
            if let f = roleFailures[c.functionName + ":" + c.version] {
                return FunctionStateMachine.transition(c.status, .provisioningFailed(code: f.code, reason: f.reason))
            }
            let keys = c.vpcConfig?.hyperplaneKeys ?? []
            if let f = keys.lazy.compactMap({ failures[$0] }).first {
                return FunctionStateMachine.transition(c.status, .provisioningFailed(code: f.code, reason: f.reason))
            }
            let ready = keys.allSatisfy { tx.get(HyperplaneENIAllocation.self, $0.id)?.networkInterfaceId != nil }
            return ready ? FunctionStateMachine.transition(c.status, .networkReady) : nil
        }
        for f in Array(tx.all(LambdaFunction.self)) {
            if let s = advance(f.latest) {
                tx.update(LambdaFunction.self, f.id) { $0.latest.status = s; $0.latest.revisionId = newRevisionId() }
            }
        }
        for v in Array(tx.all(LambdaVersion.self)) {
            if let s = advance(v.config) {
                tx.update(LambdaVersion.self, v.id) { $0.config.status = s; $0.config.revisionId = newRevisionId() }
            }
        }
        return next
    }

    /// Creates the ENI record for an allocation, or says why it cannot exist.
    static func provision(_ a: HyperplaneENIAllocation, _ tx: inout Transaction, limit: Int, accountId: String) -> Result<NetworkInterface, FailureError> {
        guard let subnet = tx.get(Subnet.self, a.key.subnetId) else {
            return .failure(FailureError(Failure(code: "InvalidSubnet", reason: LambdaStateReasons.invalidSubnet(a.key.subnetId))))
        }
        for g in a.key.securityGroupIds where tx.get(SecurityGroup.self, g) == nil {
            return .failure(FailureError(Failure(code: "InvalidSecurityGroup", reason: LambdaStateReasons.invalidSecurityGroup(g))))
        }
        let inVpc = tx.all(NetworkInterface.self).filter { $0.vpcId == subnet.vpcId && $0.interfaceType == "lambda" }.count
        if inVpc >= limit {
            return .failure(FailureError(Failure(code: "EniLimitExceeded", reason: LambdaStateReasons.eniLimit(subnet.vpcId))))
        }
        guard let ip = SubnetAddressing.firstFree(subnet.cidrBlock, used: SubnetUsage.used(subnet.id, in: tx.state)) else {
            return .failure(FailureError(Failure(code: "SubnetOutOfIPAddresses", reason: LambdaStateReasons.subnetOutOfAddresses(subnet.id))))
        }
        let now = tx.now
        let eni = NetworkInterface(
            id: ResourceID.make("eni"), subnetId: subnet.id, vpcId: subnet.vpcId, availabilityZone: subnet.availabilityZone,
            privateIpAddress: ip, macAddress: ResourceID.macAddress(), groupIds: a.key.securityGroupIds,
            interfaceType: "lambda",
            description: "AWS Lambda VPC ENI-\(a.requestedBy)-\(UUID().uuidString.lowercased())",
            requesterId: hyperplaneRequesterId(accountId: accountId, function: a.requestedBy), requesterManaged: true,
            status: "in-use", sourceDestCheck: true,
            attachment: .init(id: ResourceID.make("ela-attach"), attachTime: now, deleteOnTermination: false, deviceIndex: 1,
                              instanceId: nil, instanceOwnerId: "amazon-aws", status: "attached"),
            ownerId: accountId, tags: [], createdAt: now)
        return .success(eni)
    }

    /// Puts a released (`available`) Hyperplane ENI back in use when a function needs it again within the grace period.
    static func attach(_ eniId: String, _ tx: inout Transaction, at now: Date) {
        tx.update(NetworkInterface.self, eniId) { eni in
            guard eni.attachment == nil else { return }
            eni.status = "in-use"
            eni.attachment = .init(id: ResourceID.make("ela-attach"), attachTime: now, deleteOnTermination: false, deviceIndex: 1,
                                   instanceId: nil, instanceOwnerId: "amazon-aws", status: "attached")
        }
    }

    /// The requester Lambda's ENIs report: a role id (`AROA…`) and a session name, stable per account.
    static func hyperplaneRequesterId(accountId: String, function: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var h: UInt64 = 0xcbf29ce484222325
        for b in accountId.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        var id = "AROA"
        for _ in 0..<17 { id.append(alphabet[Int(h & 31)]); h = h >> 5 | h << 59 }
        return id + ":" + function
    }

    /// Wraps a Failure so it can travel in a Result.
    struct FailureError: Error { var failure: Failure; init(_ f: Failure) { failure = f } }
}

/// A fresh RevisionId (a lower-case UUID, as Lambda's).
public func newRevisionId() -> String { UUID().uuidString.lowercased() }
