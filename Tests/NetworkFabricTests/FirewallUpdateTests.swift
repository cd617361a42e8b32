import CloudModel
@testable import NetworkFabric
import Testing

/// In-place firewall updates: what a re-render sends to the kernel instead of the whole ruleset.
@Suite struct FirewallUpdateTests {
    let names = try! FabricNames(tag: "abcd")
    var planner: FabricPlanner { FabricPlanner(names: names) }

    func firewall(_ m: FabricModel, _ eni: String) -> Firewall {
        planner.plan(m).namespaces[names.interfaceNamespace(eni)]!.firewall!
    }

    @Test func aNewRuleRefillsOnlyItsChainAndSwapsTheFingerprint() throws {
        var m = Fx.twoSubnetVPC()
        let before = firewall(m, "eni-web")
        m.addRules(to: "sg-web", [Fx.tcp("sgr-web-7000", 7000, from: .cidr(Fx.cidr("10.0.2.30/32")))])
        let after = firewall(m, "eni-web")
        let update = try #require(after.update(from: before))
        let lines = update.split(separator: "\n").map(String.init)
        #expect(lines.first == "add chain inet lv_sg \(after.fingerprint)")
        #expect(lines.contains("flush chain inet lv_sg ingress"))
        #expect(lines.contains("add rule inet lv_sg ingress ip saddr 10.0.2.30/32 tcp dport 7000 accept comment \"sgr-web-7000\""))
        #expect(lines.suffix(2) == ["flush chain inet lv_sg \(before.fingerprint)", "delete chain inet lv_sg \(before.fingerprint)"])
        #expect(!update.contains("delete table") && !update.contains("egress") && !update.contains("input"),
                "untouched chains and the hooked chains stay as they are")
        #expect(after.update(from: after) == "", "nothing changed: nothing to send")
    }

    @Test func membershipChangesOnlyTouchSetElements() throws {
        var m = Fx.twoSubnetVPC()
        let before = firewall(m, "eni-web")
        m.addGroup("sg-app", toInterface: "eni-other")
        let joined = firewall(m, "eni-web")
        let update = try #require(joined.update(from: before))
        #expect(update.contains("add element inet lv_sg sg_app { 10.0.2.30 }\n"))
        #expect(!update.contains("flush chain inet lv_sg ingress") && !update.contains("add rule"))
        let back = try #require(before.update(from: joined))
        #expect(back.contains("delete element inet lv_sg sg_app { 10.0.2.30 }\n"))
    }

    @Test func groupsAppearingAndGoingAddAndRemoveSetsAfterTheirRules() throws {
        var m = Fx.twoSubnetVPC()
        let before = firewall(m, "eni-other")
        m.addRules(to: "sg-other", [Fx.tcp("sgr-other-web", 5000, from: .group("sg-web"))])
        let after = firewall(m, "eni-other")
        let update = try #require(after.update(from: before))
        let lines = update.split(separator: "\n").map(String.init)
        let addSet = try #require(lines.firstIndex(of: "add set inet lv_sg sg_web { type ipv4_addr; }"))
        let rule = try #require(lines.firstIndex { $0.contains("ip saddr @sg_web tcp dport 5000") })
        #expect(addSet < rule, "a set exists before a rule uses it")
        let undo = try #require(before.update(from: after))
        let undoLines = undo.split(separator: "\n").map(String.init)
        let flush = try #require(undoLines.firstIndex(of: "flush chain inet lv_sg ingress"))
        let dropSet = try #require(undoLines.firstIndex(of: "delete set inet lv_sg sg_web"))
        #expect(flush < dropSet, "a set goes only after the rules using it")
    }

    @Test func differentTablesOrHooksNeedAFullReplacement() {
        let plan = planner.plan(Fx.twoSubnetVPC())
        let router = plan.namespaces[names.vpcRouterNamespace("vpc-0aaa0000000000001")]!.firewall!
        let eni = firewall(Fx.twoSubnetVPC(), "eni-web")
        #expect(eni.update(from: router) == nil)
        let changedHook = Firewall.make(sysctls: [], tables: [("inet lv_sg", SecurityGroupRuleset.chain("input", "type filter hook input priority filter; policy accept;", []))])
        let sameChain = Firewall.make(sysctls: [], tables: [("inet lv_sg", SecurityGroupRuleset.chain("input", "type filter hook input priority filter; policy drop;", []))])
        #expect(changedHook.update(from: sameChain) == nil, "a hooked chain's policy changes only with the whole table")
        #expect(RulesetShape(script: "flush ruleset\n") == nil, "a script not made by Firewall.make is never patched")
    }

    @Test func theParsedShapeHoldsEverySetAndChain() throws {
        let fw = firewall(Fx.twoSubnetVPC(), "eni-web")
        let shape = try #require(RulesetShape(script: fw.ruleset))
        #expect(shape.tables.map(\.name) == ["inet lv_sg", "ip lv_nat"])
        let sg = shape.tables[0]
        #expect(Array(sg.chains.keys) == [fw.fingerprint, "ingress", "egress", "input", "forward", "output"])
        #expect(sg.sets["sg_app"] == .init(header: ["type ipv4_addr"], elements: ["10.0.2.20"]))
        #expect(sg.chains["input"]?.hook == "type filter hook input priority filter; policy drop;")
        #expect(sg.chains["ingress"]?.rules.count == 2)
    }

    @Test func attachingFromTheLastPlanEqualsPlanningEverything() throws {
        let m = Fx.twoSubnetVPC()
        let first = EnvironmentAttachment(environmentNamespace: "lv-env-1", target: .interface("eni-app"), slot: 0)
        let second = EnvironmentAttachment(environmentNamespace: "lv-env-2", target: .interface("eni-app"), slot: 1)
        let base = planner.plan(m, attachments: [first])
        #expect(planner.plan(base, attaching: second) == planner.plan(m, attachments: [first, second]))
        #expect(planner.plan(base, attaching: .init(environmentNamespace: "lv-env-3", target: .lambdaNetwork, slot: 0)) == nil,
                "the lambda network may not exist yet: planned in full")
    }
}
