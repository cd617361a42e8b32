import IAMPolicy
import Testing

/// A document IAM refuses, with the message it answers.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    let name: String
    let json: String
    let kind: PolicyKind
    let message: String
    var testDescription: String { name }
    init(_ name: String, _ json: String, kind: PolicyKind = .identity, _ message: String) {
        self.name = name; self.json = json; self.kind = kind; self.message = message
    }
}

let malformed: [MalformedCase] = [
    MalformedCase("not JSON", "{not json", PolicyMessages.invalidJSON),
    MalformedCase("trailing comma", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},]}"#, PolicyMessages.invalidJSON),
    MalformedCase("trailing garbage", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}} x"#, PolicyMessages.invalidJSON),
    MalformedCase("empty text", "", PolicyMessages.invalidJSON),
    MalformedCase("not an object", "[]", PolicyMessages.syntaxErrors),
    MalformedCase("unknown top-level field", #"{"Version":"2012-10-17","Statement":[],"Foo":1}"#, PolicyMessages.syntaxErrors),
    MalformedCase("bad version", #"{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#, PolicyMessages.invalidVersion),
    MalformedCase("no statement", #"{"Version":"2012-10-17"}"#, PolicyMessages.missingStatement),
    MalformedCase("bad effect", #"{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"*","Resource":"*"}}"#, PolicyMessages.invalidEffect),
    MalformedCase("missing effect", #"{"Version":"2012-10-17","Statement":{"Action":"*","Resource":"*"}}"#, PolicyMessages.missingEffect),
    MalformedCase("no action", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}"#, PolicyMessages.mustContainActions),
    MalformedCase("empty action list", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}"#, PolicyMessages.mustContainActions),
    MalformedCase("no resource", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}"#, PolicyMessages.mustContainResources),
    MalformedCase("action without vendor", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}"#, PolicyMessages.vendorPrefix),
    MalformedCase("action with two colons", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}}"#, PolicyMessages.oneColon),
    MalformedCase("unknown condition operator", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}}"#, PolicyMessages.invalidConditionOperator),
    MalformedCase("Null with IfExists", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}}}"#, PolicyMessages.invalidConditionOperator),
    MalformedCase("condition key without vendor", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}}}"#, PolicyMessages.vendorPrefix),
    MalformedCase("principal in identity policy", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}"#, PolicyMessages.shouldNotSpecifyPrincipal),
    MalformedCase("duplicate sid", #"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]}"#, PolicyMessages.duplicateSid),
    MalformedCase("sid with a space", #"{"Version":"2012-10-17","Statement":{"Sid":"a b","Effect":"Allow","Action":"*","Resource":"*"}}"#, PolicyMessages.sidAlphanumeric),
    MalformedCase("Action and NotAction", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}}"#, PolicyMessages.syntaxErrors),
    MalformedCase("unknown statement field", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Foo":"x"}}"#, PolicyMessages.syntaxErrors),
    MalformedCase("trust policy without principal", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}"#, kind: .trust, PolicyMessages.missingPrincipal),
    MalformedCase("trust policy with resource", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}"#, kind: .trust, PolicyMessages.prohibitedResource),
    MalformedCase("trust policy bad AWS principal", #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}}"#, kind: .trust, PolicyMessages.invalidPrincipal("AWS", "bob")),
]

@Test("malformed documents get IAM's message", arguments: malformed)
func malformedDocuments(_ c: MalformedCase) {
    #expect(throws: PolicyError(c.message)) { try PolicyDocument.parse(c.json, kind: c.kind) }
}

@Test func parsesStatementObjectAndArrayAlike() throws {
    let one = try PolicyDocument.parse(#"{"Version":"2012-10-17","Statement":{"Sid":"One","Effect":"Deny","NotAction":"iam:*","NotResource":["a","b"]}}"#)
    #expect(one.version == .v2012_10_17)
    #expect(one.statements.count == 1)
    let st = one.statements[0]
    #expect(st.sid == "One")
    #expect(st.effect == .deny)
    #expect(st.action == PolicyList(negated: true, values: ["iam:*"]))
    #expect(st.resource == PolicyList(negated: true, values: ["a", "b"]))
    let two = try PolicyDocument.parse(#"{"Version":"2008-10-17","Id":"x","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
    #expect(two.version == .v2008_10_17)
    #expect(two.id == "x")
    #expect(two.statements.count == 2)
}

@Test func parsesConditionsWithOperatorParts() throws {
    let doc = try PolicyDocument.parse(#"""
    {"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
     "Condition":{"ForAllValues:StringLikeIfExists":{"aws:TagKeys":["a*","b"]},"NumericLessThan":{"s3:max-keys":10}}}}
    """#)
    let conds = doc.statements[0].conditions
    #expect(conds.count == 2)
    #expect(conds[0].op.qualifier == .forAllValues)
    #expect(conds[0].op.ifExists)
    #expect(conds[0].op.comparison == .stringLike)
    #expect(conds[0].values == ["a*", "b"])
    #expect(conds[1].op.comparison == .numeric(.lessThan))
    #expect(conds[1].values == ["10"])
}

@Test func statementPositionsAreLineAndColumn() throws {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n  ]\n}"
    let doc = try PolicyDocument.parse(text)
    #expect(doc.statements[0].start == TextPosition(line: 4, column: 5))
    #expect(doc.statements[0].end == TextPosition(line: 4, column: 55))
}

@Test func unicodeEscapesAreDecoded() throws {
    let doc = try PolicyDocument.parse(#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:\u0047etObject","Resource":"*"}}"#)
    #expect(doc.statements[0].action.values == ["s3:GetObject"])
}
