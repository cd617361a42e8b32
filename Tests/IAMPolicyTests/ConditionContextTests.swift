import IAMPolicy
import Testing

/// A context over shared keys reads, overrides, removes and compares like one built key by key.
@Test func sharedKeysBehaveLikeOwnKeys() {
    var base = ConditionContext(["aws:username": "alice", "aws:userid": "AIDA1"])
    base.set("aws:TagKeys", values: ["a", "b"])
    let shared = SharedConditionKeys(base)

    var layered = ConditionContext(shared: shared)
    layered.set("aws:SourceIp", "10.0.0.1")
    layered.set(lowercasedKey: "aws:currenttime", "2024-01-01T00:00:00Z")
    var flat = base
    flat.set("aws:SourceIp", "10.0.0.1")
    flat.set("aws:CurrentTime", "2024-01-01T00:00:00Z")

    #expect(layered == flat)
    #expect(layered.values("AWS:USERNAME") == ["alice"])
    #expect(layered.values("aws:CurrentTime") == ["2024-01-01T00:00:00Z"])
    #expect(Set(layered.keys) == Set(flat.keys))
    #expect(layered.multivaluedKeys == ["aws:tagkeys"])

    // The request's own value hides the shared one; removing a shared key removes it for this request only.
    layered.set("aws:username", "bob")
    #expect(layered.values("aws:username") == ["bob"])
    layered.remove("aws:userid")
    #expect(layered.values("aws:userid") == nil)
    #expect(ConditionContext(shared: shared).values("aws:userid") == ["AIDA1"])
    layered.remove("aws:username")
    #expect(layered.values("aws:username") == nil)
    #expect(layered.values("aws:TagKeys") == ["a", "b"])
    #expect(layered != flat)
}

/// Removing a shared key, then evaluating: the condition sees it absent.
@Test func removedSharedKeyIsAbsentForConditions() throws {
    let policy = try CompiledPolicy(json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:username":"true"}}}]}"#, id: "p")
    var ctx = ConditionContext(shared: SharedConditionKeys(ConditionContext(["aws:username": "alice"])))
    #expect(!PolicySet([policy]).isAllowed(AuthorizationRequest(action: "s3:GetObject", context: ctx)))
    ctx.remove("aws:username")
    #expect(PolicySet([policy]).isAllowed(AuthorizationRequest(action: "s3:GetObject", context: ctx)))
}

/// The per-request globals held in fields read, hide, yield and compare like the same keys set one by one.
@Test func requestGlobalsBehaveLikeOwnKeys() {
    let shared = SharedConditionKeys(ConditionContext(["aws:username": "alice", "aws:SourceIp": "192.0.2.1"]))
    var layered = ConditionContext(shared: shared)
    layered.setRequestGlobals(RequestGlobals(sourceIP: "10.0.0.1", currentTime: "2024-01-01T00:00:00Z",
                                             epochTime: "1704067200", requestedRegion: "us-east-1"))
    var flat = ConditionContext(["aws:username": "alice"])
    flat.set("aws:SourceIp", "10.0.0.1")
    flat.set("aws:CurrentTime", "2024-01-01T00:00:00Z")
    flat.set("aws:EpochTime", "1704067200")
    flat.set("aws:RequestedRegion", "us-east-1")

    #expect(layered == flat)
    #expect(layered.values("AWS:SOURCEIP") == ["10.0.0.1"], "a global hides the shared key of the same name")
    #expect(Set(layered.keys) == Set(flat.keys))

    // A key the operation sets later wins over the global; removing a global removes it.
    layered.set("aws:RequestedRegion", "eu-west-1")
    #expect(layered.values("aws:requestedregion") == ["eu-west-1"])
    layered.remove("aws:EpochTime")
    #expect(layered.values("aws:EpochTime") == nil)
    #expect(layered.values("aws:CurrentTime") == ["2024-01-01T00:00:00Z"])

    // Globals set after an own key of the same name replace it.
    var own = ConditionContext()
    own.set("aws:SourceIp", "172.16.0.1")
    own.setRequestGlobals(RequestGlobals(sourceIP: "10.9.9.9", currentTime: "t", epochTime: "0", requestedRegion: "r"))
    #expect(own.values("aws:SourceIp") == ["10.9.9.9"])

    // Conditions read them: an IpAddress range, and a Null check on a removed global.
    let policy = try! CompiledPolicy(json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Null":{"aws:EpochTime":"true"}}}]}"#, id: "p")
    #expect(PolicySet([policy]).isAllowed(AuthorizationRequest(action: "s3:GetObject", context: layered)))
    #expect(!PolicySet([policy]).isAllowed(AuthorizationRequest(action: "s3:GetObject", context: flat)))
}
