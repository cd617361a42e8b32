import CloudFormationTemplate
import Testing

let pseudo = PseudoParameters(accountId: "123456789012", region: "us-east-1",
                              stackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1", stackName: "s")

func evaluator(_ t: Template? = nil, refs: [String: String] = [:], attrs: [String: [String: TemplateValue]] = [:],
               parameters: [String: TemplateValue] = [:], conditions: [String: Bool] = [:]) -> Evaluator {
    Evaluator(EvaluationContext(parameters: parameters, pseudo: pseudo, mappings: t?.mappings ?? [:], conditions: conditions,
                                resourceRefs: refs, resourceAttributes: attrs, declaredResources: Set(t?.resources.keys.map { $0 } ?? []),
                                availabilityZones: { ["\($0)a", "\($0)b", "\($0)c"] },
                                exports: { $0 == "net-vpc" ? "vpc-1" : nil }))
}

func eval(_ yaml: String, _ e: Evaluator = evaluator()) throws -> TemplateValue? {
    try e.evaluate(try TemplateParser.parse("V: " + yaml)["V"]!)
}

@Test func pseudoParametersAndJoins() throws {
    #expect(try eval(#"!Join ["-", [!Ref "AWS::StackName", "vpc"]]"#) == .string("s-vpc"))
    #expect(try eval(#"!Sub "com.amazonaws.${AWS::Region}.s3""#) == .string("com.amazonaws.us-east-1.s3"))
    #expect(try eval(#"!Sub "arn:${AWS::Partition}:s3:::${!Literal}-${AWS::AccountId}""#) == .string("arn:aws:s3:::${Literal}-123456789012"))
    #expect(try eval(#"!Ref AWS::URLSuffix"#) == .string("amazonaws.com"))
    #expect(try eval(#"!Select [1, !GetAZs ""]"#) == .string("us-east-1b"))
    #expect(try eval(#"!Split [",", "a,b,,c"]"#) == .list([.string("a"), .string("b"), .string(""), .string("c")]))
    #expect(try eval(#"!Base64 hello"#) == .string("aGVsbG8="))
    #expect(try eval(#"!Cidr ["10.0.0.0/16", 3, 8]"#) == .list([.string("10.0.0.0/24"), .string("10.0.1.0/24"), .string("10.0.2.0/24")]))
    #expect(try eval(#"!ImportValue net-vpc"#) == .string("vpc-1"))
    #expect(try eval(#"[a, !Ref AWS::NoValue, b]"#) == .list([.string("a"), .string("b")]))
    #expect(try eval(#"{K: !Ref AWS::NoValue, L: 1}"#) == .object(["L": .number("1")]))
}

@Test func functionErrorsUseCloudFormationsWording() {
    #expect(throws: TemplateError("Template error: Fn::Select cannot select nonexistent value at index 5")) {
        try eval(#"!Select [5, [a, b]]"#)
    }
    #expect(throws: TemplateError("No export named missing found.")) { try eval("!ImportValue missing") }
    #expect(throws: TemplateError("Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template")) {
        try eval("!Ref Nope")
    }
}

@Test func resourcesAttributesAndSub() throws {
    let e = evaluator(refs: ["VPC": "vpc-1"], attrs: ["VPC": ["DefaultSecurityGroup": .string("sg-1")]])
    #expect(try eval("!Ref VPC", e) == .string("vpc-1"))
    #expect(try eval("!GetAtt VPC.DefaultSecurityGroup", e) == .string("sg-1"))
    #expect(try eval(#"!Sub "${VPC}/${VPC.DefaultSecurityGroup}""#, e) == .string("vpc-1/sg-1"))
    #expect(try eval(#"!Sub ["${VPC}:${Name}", {Name: !Ref AWS::Region}]"#, e) == .string("vpc-1:us-east-1"))
    #expect(throws: TemplateError("Template error: resource VPC does not support attribute type Nope in Fn::GetAtt")) {
        try eval("!GetAtt VPC.Nope", e)
    }
}

@Test func conditionsMappingsAndIf() throws {
    let t = try Template(body: """
    Parameters:
      Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}
    Mappings:
      Sizes: {prod: {Memory: 512}, dev: {Memory: 128}}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
      IsDev: !Not [!Condition IsProd]
      Both: !And [!Condition IsProd, !Condition IsDev]
    Resources:
      Q: {Type: AWS::SQS::Queue, Condition: IsProd}
    """)
    let (values, _) = try ParameterResolution.resolve(t, given: [:], ssmLookup: { _ in nil })
    #expect(values["Env"] == .string("prod"))
    let base = EvaluationContext(parameters: values, pseudo: pseudo, mappings: t.mappings)
    let conds = try Evaluator.conditions(of: t, context: base)
    #expect(conds == ["IsProd": true, "IsDev": false, "Both": false])
    let e = evaluator(t, parameters: values, conditions: conds)
    #expect(try eval("!FindInMap [Sizes, !Ref Env, Memory]", e) == .number("512"))
    #expect(try eval("!If [IsDev, a, b]", e) == .string("b"))
    #expect(throws: TemplateError("Template error: Unable to get mapping for Sizes::test::Memory")) {
        try eval("!FindInMap [Sizes, test, Memory]", e)
    }
}

@Test func parameterTypesAndConstraints() throws {
    let t = try Template(body: """
    Parameters:
      Name: {Type: String, AllowedPattern: "[a-z]+", MinLength: 2, MaxLength: 5}
      Port: {Type: Number, MinValue: 1, MaxValue: 10}
      Ids: {Type: "List<AWS::EC2::Subnet::Id>"}
      Nums: {Type: "List<Number>", Default: "1,2"}
      Secret: {Type: String, NoEcho: true, Default: x, ConstraintDescription: "must be x", AllowedValues: [x]}
      Ami: {Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Default: /aws/ami}
    Resources:
      Q: {Type: AWS::SQS::Queue}
    """)
    let ssm: (String) -> String? = { $0 == "/aws/ami" ? "ami-1" : nil }
    let ok = try ParameterResolution.resolve(t, given: ["Name": "abc", "Port": "5", "Ids": "subnet-1,subnet-2"], ssmLookup: ssm)
    #expect(ok.values["Ids"] == .list([.string("subnet-1"), .string("subnet-2")]))
    #expect(ok.values["Nums"] == .list([.string("1"), .string("2")]))
    #expect(ok.values["Ami"] == .string("ami-1"))
    #expect(ok.resolvedSSM == ["Ami": "ami-1"])
    #expect(t.parameters["Secret"]?.noEcho == true)
    func refused(_ given: [String: String], _ message: String) {
        var all = ["Name": "abc", "Port": "5", "Ids": "subnet-1"]
        for (k, v) in given { all[k] = v }
        #expect(throws: TemplateError(message)) { try ParameterResolution.resolve(t, given: all, ssmLookup: ssm) }
    }
    refused(["Name": "ABC"], "Parameter 'Name' must match pattern [a-z]+")
    refused(["Name": "a"], "Parameter 'Name' must contain at least 2 characters")
    refused(["Name": "abcdef"], "Parameter 'Name' must contain at most 5 characters")
    refused(["Port": "x"], "Parameter 'Port' must be a number")
    refused(["Port": "11"], "Parameter 'Port' must be a number not greater than 10")
    refused(["Secret": "y"], "Parameter 'Secret' failed to satisfy constraint: must be x")
    refused(["Other": "y"], "Parameters: [Other] do not exist in the template")
    #expect(throws: TemplateError("Parameters: [Ids, Name, Port] must have values")) {
        try ParameterResolution.resolve(t, given: [:], ssmLookup: ssm)
    }
    #expect(throws: TemplateError("Unable to fetch parameters [/none] from parameter store for this account.")) {
        try ParameterResolution.resolve(t, given: ["Name": "abc", "Port": "5", "Ids": "s", "Ami": "/none"], ssmLookup: ssm)
    }
}

@Test func cyclesAndUnknownReferencesAreValidationErrors() {
    #expect(throws: TemplateError("Circular dependency between resources: [A, B]")) {
        try DependencyGraph(Template(body: """
        Resources:
          A: {Type: AWS::SQS::Queue, Properties: {X: !GetAtt B.Arn}}
          B: {Type: AWS::SQS::Queue, DependsOn: A}
          C: {Type: AWS::SQS::Queue, Properties: {Y: !Sub "${A}"}}
        """))
    }
    #expect(throws: TemplateError("Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template")) {
        try DependencyGraph(Template(body: "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: !Ref Nope}}"))
    }
    #expect(throws: TemplateError("Template error: instance of Fn::GetAtt references undefined resource Nope")) {
        try DependencyGraph(Template(body: "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: !GetAtt Nope.Arn}}"))
    }
}

@Test func iamResourcesNeedCapabilities() throws {
    let named = try Template(body: "Resources:\n  R: {Type: AWS::IAM::Role, Properties: {RoleName: r}}")
    #expect(RequiredCapabilities.of(named).capabilities == ["CAPABILITY_NAMED_IAM"])
    let unnamed = try Template(body: "Resources:\n  R: {Type: AWS::IAM::Role, Properties: {}}")
    #expect(RequiredCapabilities.of(unnamed).capabilities == ["CAPABILITY_IAM"])
    #expect(RequiredCapabilities.missing(needed: ["CAPABILITY_IAM"], acknowledged: ["CAPABILITY_NAMED_IAM"]).isEmpty)
}
