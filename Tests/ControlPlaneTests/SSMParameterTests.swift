import AWSWire
import CloudModel
import Foundation
import Testing
@testable import ControlPlane

@Suite struct SSMParameterTests {
    private func code(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let e as AWSError { return e.code } catch { return "\(error)" }
    }

    @Test func namesPutParameterRefuses() {
        #expect(code { try ParameterName.validateForWrite("/app/db/password") } == nil)
        #expect(code { try ParameterName.validateForWrite("plain_name-1.x") } == nil)
        #expect(code { try ParameterName.validateForWrite("has space") } == "ValidationException")
        #expect(code { try ParameterName.validateForWrite("a/b") } == "ValidationException")
        #expect(code { try ParameterName.validateForWrite("/a//b") } == "ValidationException")
        #expect(code { try ParameterName.validateForWrite("/a/") } == "ValidationException")
        #expect(code { try ParameterName.validateForWrite("SSMthing") } == "ValidationException")
        #expect(code { try ParameterName.validateForWrite("/aws/service/x") } == "AccessDeniedException")
        let fifteen = "/" + (0..<15).map { "l\($0)" }.joined(separator: "/")
        #expect(code { try ParameterName.validateForWrite(fifteen) } == nil)
        #expect(code { try ParameterName.validateForWrite(fifteen + "/x") } == "HierarchyLevelLimitExceededException")
    }

    @Test func arnsHaveOneSlashAndPublicOnesNoAccount() {
        #expect(ParameterName.arn("/a/b", region: "us-east-1", accountId: "1") == "arn:aws:ssm:us-east-1:1:parameter/a/b")
        #expect(ParameterName.arn("flat", region: "us-east-1", accountId: "1") == "arn:aws:ssm:us-east-1:1:parameter/flat")
        #expect(ParameterName.arn("/aws/service/x", region: "eu-west-1", accountId: "1") == "arn:aws:ssm:eu-west-1::parameter/aws/service/x")
    }

    @Test func referencesSplitSelectorsAndArns() {
        let v = ParameterName.reference("/a/b:3")
        #expect(v.candidates == ["/a/b"] && v.selector == "3")
        let arn = ParameterName.reference("arn:aws:ssm:us-east-1:1:parameter/a/b:prod")
        #expect(arn.candidates == ["/a/b", "a/b"] && arn.selector == "prod")
        #expect(ParameterName.reference("  /x ").candidates == ["/x"] && ParameterName.reference("/x").selector == nil)
    }

    @Test func tiersFollowSizeAndNeverGoDown() {
        #expect((try? SSMService.tier(requested: nil, previous: nil, valueLength: 10)) == "Standard")
        #expect((try? SSMService.tier(requested: "Intelligent-Tiering", previous: nil, valueLength: 5000)) == "Advanced")
        #expect(code { _ = try SSMService.tier(requested: nil, previous: nil, valueLength: 4097) } == "ValidationException")
        #expect(code { _ = try SSMService.tier(requested: "Standard", previous: "Advanced", valueLength: 1) } == "ValidationException")
        #expect(code { _ = try SSMService.tier(requested: "Advanced", previous: nil, valueLength: 8193) } == "ValidationException")
    }

    @Test func allowedPatternMustMatchTheWholeValue() {
        #expect(code { try SSMService.check("123", against: "\\d+") } == nil)
        #expect(code { try SSMService.check("123a", against: "\\d+") } == "ParameterPatternMismatchException")
        #expect(code { try SSMService.check("x", against: "([") } == "InvalidAllowedPatternException")
    }

    @Test func labelsAndImageIds() {
        #expect(SSMService.isValidLabel("stable-1.0_x"))
        #expect(!SSMService.isValidLabel("1st") && !SSMService.isValidLabel("awsx") && !SSMService.isValidLabel("a b"))
        #expect(SSMService.looksLikeImageId("ami-0a1b2c3d4e5f60231") && SSMService.looksLikeImageId("ami-12345678"))
        #expect(!SSMService.looksLikeImageId("ami-XYZ") && !SSMService.looksLikeImageId("img-12345678"))
    }

    @Test func publicParametersNameThePublicImages() {
        for image in PublicImages.all {
            #expect(image.id.count == 21 && SSMService.looksLikeImageId(image.id))
            for leaf in image.ssmParameterNames {
                #expect(PublicParameters.byName[PublicImages.ssmParameterPath + "/" + leaf]?.latest.value == image.id)
                #expect(PublicImages.image(ssmParameterName: leaf) == image)
            }
        }
        #expect(Set(PublicImages.all.map(\.id)).count == PublicImages.all.count)
    }

    @Test func secureStringBlobHidesTheValueAndIsStable() {
        let v = SSMParameterVersion(version: 1, type: "SecureString", value: "hunter2", description: nil, allowedPattern: nil,
                                    keyId: "alias/aws/ssm", tier: "Standard", dataType: "text",
                                    lastModified: Date(timeIntervalSince1970: 1_700_000_000), lastModifiedUser: "u")
        let shown = SSMService.shownValue("/s", v, decrypt: false)
        #expect(shown == SSMService.shownValue("/s", v, decrypt: false) && !shown.contains("hunter2"))
        #expect(Data(base64Encoded: shown) != nil)
        #expect(SSMService.shownValue("/s", v, decrypt: true) == "hunter2")
    }

    @Test func parametersRoundTripThroughTheStore() throws {
        var s = CloudState()
        let v = SSMParameterVersion(version: 2, type: "String", value: "v", description: "d", allowedPattern: nil, keyId: nil,
                                    tier: "Standard", dataType: "text", lastModified: Date(timeIntervalSince1970: 1_700_000_000.123),
                                    lastModifiedUser: "u", labels: ["l"])
        s.ssmParameters["/a"] = SSMParameter(name: "/a", versions: [v], tags: ["k": "x"])
        let body = try StoreCoding.encoder.encode(s.ssmParameters["/a"]!)
        let loaded = try CloudState.load(from: [(kind: SSMParameter.kind, id: "/a", body: body)])
        #expect(loaded.ssmParameters["/a"] == s.ssmParameters["/a"])
    }
}
