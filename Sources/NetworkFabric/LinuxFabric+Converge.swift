import CloudModel
import Foundation

/// The reconcile loop body; runs only on the fabric thread.
extension LinuxFabric {
    static let ip = Subprocess.tool("ip")

    func currentPlan() -> FabricPlan {
        planner.plan(memory.model, attachments: memory.attachments.values.sorted { $0.environmentNamespace < $1.environmentNamespace },
                     hosts: memory.hosts.sorted())
    }

    /// Converges the kernel, then tells the socket owner what should listen where (also after an unchanged or
    /// failed pass, so a listener that failed to open is retried by the next pass).
    func converge(force: Bool) throws -> ReconcileReport {
        defer { syncSockets() }
        return try convergeKernel(force: force)
    }

    /// The resolvers of the last plan, in the namespaces applied without failure.
    func syncSockets() {
        let owners = socketOwners.withLock { $0 }
        if owners.isEmpty { return }
        let plan = memory.lastPlan ?? currentPlan()
        var listeners: [String: ResolverListener] = [:]
        for p in plan.namespaces.values {
            if let r = p.resolver, memory.applied[p.name] != nil { listeners[p.name] = r }
        }
        for owner in owners { owner.resolversPlanned(listeners) }
    }

    func convergeKernel(force: Bool) throws -> ReconcileReport {
        if !force, memory.lastPlan != nil, let last = memory.lastInputs,
           last.model == memory.model, last.attachments == memory.attachments, last.hosts == memory.hosts { return .unchanged }
        var plan = currentPlan()
        if !force, plan == memory.lastPlan { return .unchanged }
        // Whatever the pass did to the edge namespace, the server's listeners follow it.
        defer { refreshEdge() }
        let existing = Self.listNamespaces()
        NftLibrary.shared?.forget(allBut: existing)

        // Environments the sandbox removed without a detach: their veths died with them.
        let vanished = memory.attachments.keys.filter { !existing.contains($0) }
        if !vanished.isEmpty {
            for env in vanished { forgetAttachment(env) }
            plan = currentPlan()
        }

        var observed: [String: NamespaceState] = [:]
        var unknown: [NamespacePlan] = []
        for p in plan.namespaces.values where existing.contains(p.name) {
            if let known = memory.applied[p.name] { observed[p.name] = known } else { unknown.append(p) }
        }
        let readResults = NamespaceThreads.parallelMap(unknown) { p in
            Result { try Self.read(p.name, fingerprintTable: p.firewall?.fingerprintTable) }
        }
        var failures: [String: String] = [:]
        for (p, r) in zip(unknown, readResults) {
            switch r {
            case .success(let s): observed[p.name] = s
            case .failure(let e): failures[p.name] = "\(e)"
            }
        }

        let changes = FabricDiff.changes(plan: plan, observed: observed, existing: existing, names: names)
            .filter { failures[$0.namespace] == nil }
        failures.merge(execute(changes, plan: plan), uniquingKeysWith: { a, _ in a })
        if let f = applyHostEgress(plan: plan, changes: changes) { failures[names.internetNamespace] = f }
        record(plan: plan, changes: changes, failures: failures, complete: true)

        // One retry for what failed, from a fresh read of the kernel: heals state changed behind our back.
        if !failures.isEmpty {
            logger.warning("fabric: retrying after failures", metadata: ["failures": "\(failures)"])
            let retry = Self.listNamespaces()
            var again: [String: NamespaceState] = [:]
            for ns in failures.keys {
                guard let p = plan.namespaces[ns], retry.contains(ns) else { continue }
                if let s = try? Self.read(ns, fingerprintTable: p.firewall?.fingerprintTable) { again[ns] = s }
            }
            let subset = FabricPlan(namespaces: plan.namespaces.filter { failures[$0.key] != nil })
            let retryChanges = FabricDiff.changes(plan: subset, observed: again, existing: retry.filter { failures[$0] != nil }, names: names)
                .filter { failures[$0.namespace] != nil }
            failures = execute(retryChanges, plan: plan)
            record(plan: subset, changes: retryChanges, failures: failures, complete: false)
        }
        try settle(plan, failures: failures)
        logger.debug("fabric: reconciled", metadata: ["changes": "\(changes.count)", "read": "\(unknown.count)"])
        return ReconcileReport(ran: true, changes: changes.count, namespacesRead: unknown.count)
    }

    /// Remembers `plan` as applied when nothing failed; otherwise forgets the last plan (the next pass reads the
    /// kernel) and throws the failures.
    func settle(_ plan: FabricPlan, failures: [String: String]) throws {
        guard failures.isEmpty else {
            memory.lastPlan = nil
            memory.lastInputs = nil
            throw FabricError.reconcileFailed(failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })
        }
        memory.lastPlan = plan
        memory.lastInputs = (memory.model, memory.attachments, memory.hosts)
    }

    /// Applies a plan that differs from the last applied one only in `touching` (an attachment on the cold-start
    /// path): only those namespaces are diffed and run, as `converge` would.
    func convergeAttachment(_ plan: FabricPlan, touching: Set<String>) throws {
        let existing = Self.listNamespaces()
        let subset = FabricPlan(namespaces: plan.namespaces.filter { touching.contains($0.key) })
        var observed: [String: NamespaceState] = [:]
        for ns in touching where existing.contains(ns) {
            if let known = memory.applied[ns] { observed[ns] = known }
            else if subset.namespaces[ns]?.role == .environment {
                // The sandbox hands over namespaces holding only `lo`: no read (a process spawn) on the cold-start
                // path. Were anything else there, the batch fails and the caller's full converge reads the kernel.
                observed[ns] = FabricDiff.freshNamespace
            } else {
                observed[ns] = try Self.read(ns, fingerprintTable: subset.namespaces[ns]?.firewall?.fingerprintTable)
            }
        }
        let changes = FabricDiff.changes(plan: subset, observed: observed, existing: existing.intersection(touching), names: names)
        let failures = execute(changes, plan: subset)
        record(plan: subset, changes: changes, failures: failures, complete: false)
        try settle(plan, failures: failures)
    }

    /// Remembers what is now in the kernel: the planned state of every namespace that had no failure. A
    /// `complete` plan also forgets every namespace it does not contain (deleted, or a detached environment).
    func record(plan: FabricPlan, changes: [FabricChange], failures: [String: String], complete: Bool) {
        for c in changes {
            if case .deleteNamespace(let ns) = c, failures[ns] == nil { memory.applied[ns] = nil; memory.firewalls[ns] = nil }
        }
        for p in plan.namespaces.values {
            if failures[p.name] != nil { memory.applied[p.name] = nil; memory.firewalls[p.name] = nil; continue }
            var s = p.state
            s.firewallFingerprint = p.firewall?.fingerprint
            memory.applied[p.name] = s
            memory.firewalls[p.name] = p.firewall
        }
        if complete {
            for ns in memory.applied.keys where plan.namespaces[ns] == nil { memory.applied[ns] = nil }
            for ns in memory.firewalls.keys where plan.namespaces[ns] == nil { memory.firewalls[ns] = nil }
        }
    }

    /// Runs changes: namespace creation/deletion in one root batch, every firewall in parallel, then one `ip -batch`
    /// per namespace (routers, then ENIs, then environments; parallel within a rank). Returns failures by namespace.
    func execute(_ changes: [FabricChange], plan: FabricPlan) -> [String: String] {
        var failures: [String: String] = [:]
        let rootLines = changes.compactMap { c -> String? in
            switch c {
            case .deleteNamespace(let ns): return "netns del \(ns)"
            case .createNamespace(let ns): return "netns add \(ns)"
            default: return nil
            }
        }
        let deleting = Set(changes.compactMap { c -> String? in if case .deleteNamespace(let ns) = c { return ns } else { return nil } })
        if !deleting.isEmpty {
            // A socket would keep the namespace (and its veth ends) alive after `netns del`.
            for owner in socketOwners.withLock({ $0 }) { owner.closeSockets(in: deleting) }
        }
        if !rootLines.isEmpty {
            let r = try? Subprocess.run([Self.ip, "-force", "-batch", "-"], stdin: rootLines.joined(separator: "\n") + "\n")
            if r?.status != 0 {
                let now = Self.listNamespaces()
                for c in changes {
                    if case .createNamespace(let ns) = c, !now.contains(ns) { failures[ns] = r?.stderr ?? "netns add failed" }
                    if case .deleteNamespace(let ns) = c, now.contains(ns) { failures[ns] = r?.stderr ?? "netns del failed" }
                }
            }
            for c in changes { if case .deleteNamespace(let ns) = c, failures[ns] == nil { NftLibrary.shared?.forget(namespace: ns) } }
        }

        // Firewalls before links: rules match interface names, not indexes, so a new ENI is never up unguarded.
        let firewalls = changes.compactMap { c -> Pair? in
            if case let .loadFirewall(ns, fw) = c, failures[ns] == nil { return Pair(ns: ns, fw: fw, previous: memory.firewalls[ns]) }
            return nil
        }
        let loaded = NamespaceThreads.parallelMap(firewalls) { p in Result { try Nftables.load(p.fw, into: p.ns, replacing: p.previous) } }
        for (p, r) in zip(firewalls, loaded) { if case .failure(let e) = r { failures[p.ns] = "\(e)" } }

        var linesByNamespace: [String: [String]] = [:]
        var order: [String] = []
        for c in changes where failures[c.namespace] == nil {
            guard let line = c.ipBatchLine else { continue }
            if linesByNamespace[c.namespace] == nil { order.append(c.namespace) }
            linesByNamespace[c.namespace, default: []].append(line)
        }
        // Ranks follow the change list, which FabricDiff sorted by role: a namespace's veth peers exist before it runs.
        let ranks = rankNamespaces(order, plan: plan)
        let scripts = linesByNamespace.mapValues { $0.joined(separator: "\n") + "\n" }
        for rank in ranks {
            let results = NamespaceThreads.parallelMap(rank) { ns in
                Result { try NamespaceThreads.runIpBatch(in: ns, scripts[ns]!) }
            }
            for (ns, r) in zip(rank, results) { if case .failure(let e) = r { failures[ns] = "\(e)" } }
        }
        return failures
    }

    private struct Pair: Sendable { var ns: String; var fw: Firewall; var previous: Firewall? }

    /// Groups namespaces by role so that veth creators run before the namespaces holding the other ends.
    func rankNamespaces(_ order: [String], plan: FabricPlan) -> [[String]] {
        var byRole: [NamespacePlan.Role: [String]] = [:]
        for ns in order { byRole[plan.namespaces[ns]?.role ?? .router, default: []].append(ns) }
        return byRole.keys.sorted().map { byRole[$0]! }
    }

    static func listNamespaces() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: NamespaceThreads.netnsDirectory)) ?? [])
    }

    static func read(_ ns: String, fingerprintTable: String?) throws -> NamespaceState {
        let out = try Subprocess.check([ip, "-n", ns, "-j", "-d", "-batch", "-"], stdin: KernelStateParser.readScript)
        var s = try KernelStateParser.parse(batchOutput: out)
        if let t = fingerprintTable { s.firewallFingerprint = try Nftables.fingerprint(table: t, in: ns) }
        return s
    }

    func attachNow(_ env: String, _ target: AttachmentTarget) throws -> EnvironmentLink {
        guard Self.listNamespaces().contains(env) else { throw FabricError.unknownEnvironment(env) }
        if case .interface(let id) = target, !memory.model.interfaces.contains(where: { $0.id == id }) {
            throw FabricError.unknownInterface(id)
        }
        if let a = memory.attachments[env] {
            if a.target == target { return link(a) }
            try detachNow(env)
        }
        guard let slot = EnvironmentAttachment.freeSlot(for: target, among: memory.attachments.values) else {
            throw FabricError.reconcileFailed(["no free link address for \(target)"])
        }
        let a = EnvironmentAttachment(environmentNamespace: env, target: target, slot: slot)
        let base = memory.lastPlan.flatMap { last in
            memory.lastInputs.map { $0.model == memory.model && $0.attachments == memory.attachments && $0.hosts == memory.hosts } == true
                ? last : nil
        }
        memory.attachments[env] = a
        // The sandbox's namespaces start with only their loopback, up: reading one back would cost an `ip` run per
        // cold start. Were it wrong, the changes would fail and the retry reads the kernel.
        if memory.applied[env] == nil {
            var fresh = NamespaceState()
            fresh.links["lo"] = .init(kind: .loopback)
            memory.applied[env] = fresh
        }
        do {
            if let base, let plan = planner.plan(base, attaching: a) {
                try convergeAttachment(plan, touching: [a.environmentNamespace, link(a).targetNamespace])
            } else {
                _ = try converge(force: false)
            }
        } catch {
            memory.attachments[env] = nil
            _ = try? converge(force: false)
            throw error
        }
        return link(a)
    }

    func detachNow(_ env: String) throws {
        guard memory.attachments[env] != nil else { return }
        if !Self.listNamespaces().contains(env) { forgetAttachment(env) } else { memory.attachments[env] = nil }
        _ = try converge(force: false)
    }

    /// Drops an attachment whose environment namespace is gone, with its port: the kernel removed both veth ends.
    func forgetAttachment(_ env: String) {
        guard let a = memory.attachments.removeValue(forKey: env) else { return }
        let port = FabricNames.environmentPort(env)
        let target = a.target == .lambdaNetwork ? names.lambdaNetworkNamespace
            : names.interfaceNamespace({ if case .interface(let id) = a.target { return id } else { return "" } }())
        memory.applied[env] = nil
        memory.departingPorts[target, default: []].insert(port)
        guard var s = memory.applied[target] else { return }
        s.links[port] = nil
        s.addresses = s.addresses.filter { $0.device != port }
        memory.applied[target] = s
    }

    func link(_ a: EnvironmentAttachment) -> EnvironmentLink {
        switch a.target {
        case .interface(let id):
            return EnvironmentLink(interfaceName: FabricNames.interfaceLink, address: a.environmentAddress, gateway: a.gatewayAddress,
                                   targetNamespace: names.interfaceNamespace(id),
                                   sourceAddress: memory.model.interfaces.first { $0.id == id }?.address)
        case .lambdaNetwork:
            return EnvironmentLink(interfaceName: FabricNames.interfaceLink, address: a.environmentAddress, gateway: a.gatewayAddress,
                                   targetNamespace: names.lambdaNetworkNamespace, sourceAddress: nil)
        }
    }

    func diagnose(_ model: FabricModel, ignoringEnvironmentLinks: Bool) throws -> DoctorReport {
        let existing = Self.listNamespaces()
        // A process that does not know the server's hosts (`doctor`) takes the host namespaces that exist as wanted.
        let hosts = ignoringEnvironmentLinks ? memory.hosts.union(existing.compactMap { names.internetHostAddress(namespace: $0) })
            : memory.hosts
        let plan = planner.plan(model, attachments: Array(memory.attachments.values), hosts: hosts.sorted(),
                                keepLambdaNetwork: ignoringEnvironmentLinks && existing.contains(names.lambdaNetworkNamespace))
        let toRead = existing.filter { plan.namespaces[$0] != nil }
        memory.departingPorts = memory.departingPorts.filter { toRead.contains($0.key) }
        let reads = NamespaceThreads.parallelMap(Array(toRead)) { ns in
            Result { try Self.read(ns, fingerprintTable: plan.namespaces[ns]?.firewall?.fingerprintTable) }
        }
        var observed: [String: NamespaceState] = [:]
        var problems: [String] = []
        for (ns, r) in zip(Array(toRead), reads) {
            switch r {
            case .success(var s):
                let departing = memory.departingPorts[ns] ?? []
                let ports = s.links.keys.filter {
                    $0.hasPrefix("lv-x-") && plan.namespaces[ns]?.state.links[$0] == nil && (ignoringEnvironmentLinks || departing.contains($0))
                }
                for p in ports { s.links[p] = nil }
                s.addresses = s.addresses.filter { !ports.contains($0.device) }
                // Ports the kernel has finished removing need no more patience.
                let left = departing.filter { ports.contains($0) }
                memory.departingPorts[ns] = left.isEmpty ? nil : left
                observed[ns] = s
            case .failure(let e): problems.append("cannot read \(ns): \(e)")
            }
        }
        problems += FabricDiff.changes(plan: plan, observed: observed, existing: existing, names: names).map(\.problem)
        return DoctorReport(namespaces: existing.filter { names.owns(namespace: $0) }.sorted(), problems: problems)
    }
}

extension LinuxFabric {
    /// `--egress host`: after a reconcile that changed something, sets up (or, without a core, removes) the root
    /// namespace's side of the core's way out. Returns a failure message, nil when fine or not asked for.
    func applyHostEgress(plan: FabricPlan, changes: [FabricChange]) -> String? {
        guard planner.egress == .host, !changes.isEmpty else { return nil }
        let egress = HostEgress(names: names)
        let nft = Subprocess.tool("nft")
        guard plan.namespaces[names.internetNamespace] != nil else {
            _ = try? Subprocess.run([nft, "-f", "-"], stdin: egress.rootTeardown)
            return nil
        }
        do {
            try Subprocess.check([Self.ip, "-force", "-batch", "-"], stdin: egress.rootIPBatch)
            try "\(HostEgress.rootSysctl.value)\n".write(toFile: "/proc/sys/" + HostEgress.rootSysctl.key, atomically: false, encoding: .utf8)
            try Subprocess.check([nft, "-f", "-"], stdin: egress.rootRuleset)
            return nil
        } catch {
            return "host egress: \(error)"
        }
    }
}
