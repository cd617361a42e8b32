import IAMPolicy
import Testing

/// The six example policies of the Lambda guide ("Using IAM condition keys for VPC settings"), each made a
/// complete document, evaluated as AWS does with the VPC condition keys Lambda sets on CreateFunction.
enum SeedPolicies {
    static func doc(_ sid: String, _ effect: String, _ condition: String) -> String {
        #"""
        {"Version":"2012-10-17","Statement":[{"Sid":"\#(sid)","Action":["lambda:CreateFunction","lambda:UpdateFunctionConfiguration"],
         "Effect":"\#(effect)","Resource":"*","Condition":\#(condition)}]}
        """#
    }
    static let enforceVPCFunction = doc("EnforceVPCFunction", "Deny", #"{"Null":{"lambda:VpcIds":"true"}}"#)
    static let enforceOutOfVPC = doc("EnforceOutOfVPC", "Deny", #"{"StringEquals":{"lambda:VpcIds":["vpc-1","vpc-2"]}}"#)
    static let enforceOutOfSubnet = doc("EnforceOutOfSubnet", "Deny", #"{"ForAnyValue:StringEquals":{"lambda:SubnetIds":["subnet-1","subnet-2"]}}"#)
    static let enforceOutOfSecurityGroups = doc("EnforceOutOfSecurityGroups", "Deny", #"{"ForAnyValue:StringEquals":{"lambda:SecurityGroupIds":["sg-1","sg-2"]}}"#)
    static let enforceStayInSpecificVpc = doc("EnforceStayInSpecificVpc", "Allow", #"{"StringEquals":{"lambda:VpcIds":["vpc-1","vpc-2"]}}"#)
    static let enforceStayInSpecificSubnets = doc("EnforceStayInSpecificSubnets", "Allow", #"{"ForAllValues:StringEquals":{"lambda:SubnetIds":["subnet-1","subnet-2"]}}"#)
    static let enforceStayInSpecificSecurityGroup = doc("EnforceStayInSpecificSecurityGroup", "Allow", #"{"ForAllValues:StringEquals":{"lambda:SecurityGroupIds":["sg-1","sg-2"]}}"#)
    static let allowAll = #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"lambda:*","Resource":"*"}}"#
}

/// A CreateFunction request as Lambda describes it to IAM: no VPC keys without a VpcConfig.
func createFunction(vpc: String? = nil, subnets: [String]? = nil, groups: [String]? = nil) -> AuthorizationRequest {
    var ctx = ConditionContext(["aws:username": "dev"])
    if let vpc { ctx.set("lambda:VpcIds", vpc) }
    if let subnets { ctx.set("lambda:SubnetIds", values: subnets) }
    if let groups { ctx.set("lambda:SecurityGroupIds", values: groups) }
    return AuthorizationRequest(action: "lambda:CreateFunction", resource: "arn:aws:lambda:us-east-1:123456789012:function:f", context: ctx)
}

struct SeedCase: CustomTestStringConvertible, Sendable {
    let name: String
    let policies: [String]
    let request: AuthorizationRequest
    let expected: PolicyDecision.Outcome
    var testDescription: String { name }
}

let seedCases: [SeedCase] = [
    SeedCase(name: "EnforceVPCFunction denies a function without VPC",
             policies: [SeedPolicies.allowAll, SeedPolicies.enforceVPCFunction], request: createFunction(), expected: .explicitDeny),
    SeedCase(name: "EnforceVPCFunction lets a VPC function through",
             policies: [SeedPolicies.allowAll, SeedPolicies.enforceVPCFunction],
             request: createFunction(vpc: "vpc-9", subnets: ["subnet-9"], groups: ["sg-9"]), expected: .allowed),
    SeedCase(name: "EnforceOutOfVPC denies vpc-1",
             policies: [SeedPolicies.allowAll, SeedPolicies.enforceOutOfVPC],
             request: createFunction(vpc: "vpc-1", subnets: ["subnet-9"], groups: ["sg-9"]), expected: .explicitDeny),
    SeedCase(name: "EnforceOutOfVPC allows vpc-3",
             policies: [SeedPolicies.allowAll, SeedPolicies.enforceOutOfVPC],
             request: createFunction(vpc: "vpc-3", subnets: ["subnet-9"], groups: ["sg-9"]), expected: .allowed),
    SeedCase(name: "EnforceOutOfVPC allows no VPC",
             policies: [SeedPolicies.allowAll, SeedPolicies.enforceOutOfVPC], request: createFunction(), expected: .allowed),
    SeedCase(name: "EnforceOutOfSubnet denies when any subnet is listed",
             policies: [SeedPolicies.allowAll, SeedPolicies.enforceOutOfSubnet],
             request: createFunction(vpc: "vpc-9", subnets: ["subnet-9", "subnet-2"], groups: ["sg-9"]), expected: .explicitDeny),
    SeedCase(name: "EnforceOutOfSubnet allows other subnets",
             policies: [SeedPolicies.allowAll, SeedPolicies.enforceOutOfSubnet],
             request: createFunction(vpc: "vpc-9", subnets: ["subnet-8", "subnet-9"], groups: ["sg-9"]), expected: .allowed),
    SeedCase(name: "EnforceOutOfSecurityGroups denies sg-1",
             policies: [SeedPolicies.allowAll, SeedPolicies.enforceOutOfSecurityGroups],
             request: createFunction(vpc: "vpc-9", subnets: ["subnet-9"], groups: ["sg-1"]), expected: .explicitDeny),
    SeedCase(name: "EnforceOutOfSecurityGroups allows without VPC (empty set)",
             policies: [SeedPolicies.allowAll, SeedPolicies.enforceOutOfSecurityGroups], request: createFunction(), expected: .allowed),
    SeedCase(name: "EnforceStayInSpecificVpc allows vpc-2",
             policies: [SeedPolicies.enforceStayInSpecificVpc],
             request: createFunction(vpc: "vpc-2", subnets: ["subnet-1"], groups: ["sg-1"]), expected: .allowed),
    SeedCase(name: "EnforceStayInSpecificVpc implicitly denies vpc-3",
             policies: [SeedPolicies.enforceStayInSpecificVpc],
             request: createFunction(vpc: "vpc-3", subnets: ["subnet-1"], groups: ["sg-1"]), expected: .implicitDeny),
    SeedCase(name: "EnforceStayInSpecificVpc implicitly denies no VPC",
             policies: [SeedPolicies.enforceStayInSpecificVpc], request: createFunction(), expected: .implicitDeny),
    SeedCase(name: "EnforceStayInSpecificSubnets allows a subset",
             policies: [SeedPolicies.enforceStayInSpecificSubnets],
             request: createFunction(vpc: "vpc-1", subnets: ["subnet-2"], groups: ["sg-1"]), expected: .allowed),
    SeedCase(name: "EnforceStayInSpecificSubnets denies a subnet outside",
             policies: [SeedPolicies.enforceStayInSpecificSubnets],
             request: createFunction(vpc: "vpc-1", subnets: ["subnet-1", "subnet-3"], groups: ["sg-1"]), expected: .implicitDeny),
    SeedCase(name: "EnforceStayInSpecificSubnets allows no VPC (ForAllValues on an absent key)",
             policies: [SeedPolicies.enforceStayInSpecificSubnets], request: createFunction(), expected: .allowed),
    SeedCase(name: "EnforceStayInSpecificSecurityGroup allows sg-1 and sg-2",
             policies: [SeedPolicies.enforceStayInSpecificSecurityGroup],
             request: createFunction(vpc: "vpc-1", subnets: ["subnet-1"], groups: ["sg-2", "sg-1"]), expected: .allowed),
    SeedCase(name: "EnforceStayInSpecificSecurityGroup denies sg-3",
             policies: [SeedPolicies.enforceStayInSpecificSecurityGroup],
             request: createFunction(vpc: "vpc-1", subnets: ["subnet-1"], groups: ["sg-3"]), expected: .implicitDeny),
]

@Test("the seed's six Lambda VPC policies", arguments: seedCases)
func seedPolicies(_ c: SeedCase) throws {
    let compiled = try c.policies.enumerated().map { try CompiledPolicy(json: $0.element, id: "p\($0.offset)") }
    #expect(PolicyEvaluator.evaluate(compiled, c.request).outcome == c.expected)
    #expect(PolicySet(compiled).isAllowed(c.request) == (c.expected == .allowed))
}

@Test func matchedStatementsNameTheDecidingDeny() throws {
    let policies = [try CompiledPolicy(json: SeedPolicies.allowAll, id: "AllowLambda"),
                    try CompiledPolicy(json: SeedPolicies.enforceVPCFunction, id: "vpc-only")]
    let d = PolicyEvaluator.evaluate(policies, createFunction(), details: true)
    #expect(d.outcome == .explicitDeny)
    #expect(d.matchedStatements.map(\.policyId) == ["vpc-only"])
    #expect(d.matchedStatements.first?.sid == "EnforceVPCFunction")
    #expect(d.matchedStatements.first?.effect == .deny)
}

@Test func missingContextKeysAreReported() throws {
    let p = try CompiledPolicy(json: SeedPolicies.enforceStayInSpecificVpc, id: "p")
    let d = PolicyEvaluator.evaluate([p], createFunction(), details: true)
    #expect(d.outcome == .implicitDeny)
    #expect(d.missingContextKeys == ["lambda:VpcIds"])
    #expect(PolicyEvaluator.evaluate([p], createFunction(vpc: "vpc-1"), details: true).missingContextKeys.isEmpty)
}

@Test func trustPolicyNamesItsPrincipals() throws {
    let trust = try CompiledPolicy(json: #"""
    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}
    """#, id: "trust", kind: .trust)
    let lambda = AuthorizationRequest(action: "sts:AssumeRole", principal: PrincipalIdentity(type: "Service", identifier: "lambda.amazonaws.com"))
    let ec2 = AuthorizationRequest(action: "sts:AssumeRole", principal: PrincipalIdentity(type: "Service", identifier: "ec2.amazonaws.com"))
    #expect(PolicyEvaluator.evaluate([trust], lambda).outcome == .allowed)
    #expect(PolicyEvaluator.evaluate([trust], ec2).outcome == .implicitDeny)
    let account = try CompiledPolicy(json: #"""
    {"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}}
    """#, id: "trust", kind: .trust)
    let user = AuthorizationRequest(action: "sts:AssumeRole", principal: PrincipalIdentity(type: "AWS", identifier: "arn:aws:iam::123456789012:user/alice"))
    #expect(PolicyEvaluator.evaluate([account], user).outcome == .allowed)
}
