import CloudFormationTemplate
import Foundation
import Testing

/// The seed's templates, read from the shared directory next to the package (never copied into the repository).
func seedTemplate(_ name: String) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = root.deletingLastPathComponent().appendingPathComponent("shared/seeds/templates/\(name)")
    return try String(contentsOf: url, encoding: .utf8)
}

@Test func shortFormsBecomeLongForms() throws {
    let v = try TemplateParser.parse("""
    A: !Ref X
    B: !GetAtt Res.Endpoint.Address
    C: !Sub "com.amazonaws.${AWS::Region}.s3"
    D: !Join ["-", [!Ref "AWS::StackName", "vpc"]]
    E: !Select [0, !GetAZs ""]
    F: !If [Cond, !Base64 abc, !Ref "AWS::NoValue"]
    G: !Equals [!Condition C1, true]
    H: !Cidr [10.0.0.0/16, 2, 8]
    I: !ImportValue other-vpc
    J: !FindInMap [M, k1, k2]
    K: !Split [",", "a,b"]
    L: !And [!Not [!Condition X], !Or [!Condition Y, !Condition Z]]
    Version: 2012-10-17
    N: 5
    O: "5"
    P: 1.50
    """)
    #expect(v["A"] == .object(["Ref": .string("X")]))
    #expect(v["B"] == .object(["Fn::GetAtt": .list([.string("Res"), .string("Endpoint.Address")])]))
    #expect(v["C"] == .object(["Fn::Sub": .string("com.amazonaws.${AWS::Region}.s3")]))
    #expect(v["D"]?.jsonText() == #"{"Fn::Join":["-",[{"Ref":"AWS::StackName"},"vpc"]]}"#)
    #expect(v["E"]?.jsonText() == #"{"Fn::Select":[0,{"Fn::GetAZs":""}]}"#)
    #expect(v["F"]?.jsonText() == #"{"Fn::If":["Cond",{"Fn::Base64":"abc"},{"Ref":"AWS::NoValue"}]}"#)
    #expect(v["G"]?.jsonText() == #"{"Fn::Equals":[{"Condition":"C1"},true]}"#)
    #expect(v["H"]?.jsonText() == #"{"Fn::Cidr":["10.0.0.0/16",2,8]}"#)
    #expect(v["I"] == .object(["Fn::ImportValue": .string("other-vpc")]))
    #expect(v["J"]?.jsonText() == #"{"Fn::FindInMap":["M","k1","k2"]}"#)
    #expect(v["K"]?.jsonText() == #"{"Fn::Split":[",","a,b"]}"#)
    #expect(v["L"]?.jsonText() == #"{"Fn::And":[{"Fn::Not":[{"Condition":"X"}]},{"Fn::Or":[{"Condition":"Y"},{"Condition":"Z"}]}]}"#)
    #expect(v["Version"] == .string("2012-10-17"))
    #expect(v["N"] == .number("5"))
    #expect(v["O"] == .string("5"))
    #expect(v["P"] == .number("1.50"))
}

@Test func jsonTemplatesParse() throws {
    let t = try Template(body: #"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"N": 3, "B": true}}}}"#)
    #expect(t.resources["Q"]?.type == "AWS::SQS::Queue")
    #expect(t.resources["Q"]?.properties == .object(["N": .number("3"), "B": .bool(true)]))
}

@Test func malformedYAMLIsAFormatError() {
    #expect(throws: TemplateError.self) { try TemplateParser.parse("A: [1, 2\nB: c") }
    #expect(throws: TemplateError("Template format error: At least one Resources member must be defined.")) {
        try Template(body: "Description: nothing")
    }
    #expect(throws: TemplateError("Template format error: Invalid template property or properties [Resource]")) {
        try Template(body: "Resource: {}")
    }
}

@Test func seedPrivateTemplateParses() throws {
    let t = try Template(body: seedTemplate("vpc-private.yaml"))
    #expect(t.formatVersion == "2010-09-09")
    #expect(t.resources.count >= 6)
    let g = try DependencyGraph(t)
    for (id, deps) in g.dependencies { #expect(!deps.contains(id)) }
    #expect(!t.outputs.isEmpty)
    #expect(t.outputs.values.allSatisfy { $0.exportName != nil })
}

@Test func seedPrivatePublicTemplateParsesAndOrders() throws {
    let t = try Template(body: seedTemplate("vpc-privatepublic.yaml"))
    #expect(t.resources.count == 17)
    #expect(t.resources["natGateway"]?.dependsOn == ["natPublicIP"])
    #expect(t.resources["publicRoute"]?.dependsOn == ["gatewayToInternet"])
    #expect(t.resources["s3Endpoint"]?.properties["PolicyDocument"]?["Version"] == .string("2012-10-17"))
    let g = try DependencyGraph(t)
    #expect(g.dependencies["natGateway"] == ["natPublicIP", "publicSubnet1"])
    #expect(g.dependencies["privateRoute"] == ["privateRouteTable", "natGateway"])
    #expect(g.dependencies["s3Endpoint"] == ["privateRouteTable", "pubPrivateVPC"])
    let order = g.order
    #expect(order.count == 17)
    #expect(order.first == "internetGateway" || order.first == "pubPrivateVPC")
    #expect(order.firstIndex(of: "natGateway")! > order.firstIndex(of: "natPublicIP")!)
    #expect(order.firstIndex(of: "privateRoute")! > order.firstIndex(of: "natGateway")!)
    #expect(t.outputs["privateVPCSecurityGroup"]?.value == .object(["Fn::GetAtt": .list([.string("pubPrivateVPC"), .string("DefaultSecurityGroup")])]))
    #expect(RequiredCapabilities.of(t).capabilities.isEmpty)
}
