@testable import AWSWire
import Testing

@Suite struct FormDecodingTests {
    static func pairs(_ text: String, plus: Bool = true) -> [String] {
        FormDecoding.pairs(text, plusIsSpace: plus).map { "\($0.0)=\($0.1)" }
    }

    @Test func decodesPercentEscapesAndPlus() {
        #expect(Self.pairs("Action=DescribeVpcs&Filter.1.Value.1=my+vpc%2Fone&Tag%3AName=a%20b")
                == ["Action=DescribeVpcs", "Filter.1.Value.1=my vpc/one", "Tag:Name=a b"])
    }

    @Test func plusIsLiteralOutsideForms() {
        #expect(Self.pairs("Qualifier=a+b%2Bc", plus: false) == ["Qualifier=a+b+c"])
    }

    @Test func keepsMalformedEscapesLiterally() {
        #expect(Self.pairs("a=100%&b=%zz&c=%4&d=%e2%82%ac") == ["a=100%", "b=%zz", "c=%4", "d=€"])
    }

    @Test func emptyPartsAndBareKeys() {
        #expect(Self.pairs("&&DryRun&Name=&=v&") == ["DryRun=", "Name=", "=v"])
        #expect(Self.pairs("").isEmpty)
    }

    @Test func valueMayContainEquals() {
        #expect(Self.pairs("Policy=a%3Db=c") == ["Policy=a=b=c"])
    }

    @Test func encodesWithSigV4UnreservedSet() {
        #expect(FormDecoding.encode("AZaz09-_.~") == "AZaz09-_.~")
        #expect(FormDecoding.encode("a b+c/d*é") == "a%20b%2Bc%2Fd%2A%C3%A9")
        #expect(FormDecoding.encode("/a b/", keepSlash: true) == "/a%20b/")
    }

    @Test func bytesThatAreNotUTF8SurviveARoundTrip() {
        let decoded = FormDecoding.decodeBytes(Array("%FF%FEx".utf8), plusIsSpace: false)
        #expect(decoded == [0xFF, 0xFE, UInt8(ascii: "x")])
        #expect(String(decoding: FormDecoding.encodeBytes(decoded), as: UTF8.self) == "%FF%FEx")
    }
}
