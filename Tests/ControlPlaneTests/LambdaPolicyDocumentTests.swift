import CloudModel
import Foundation
import IAMPolicy
import Testing
@testable import ControlPlane

/// The resource-based policy text AddPermission builds, its principal forms, and how it decides once compiled.
struct LambdaPolicyDocumentTests {
    let fn = "arn:aws:lambda:us-east-1:123456789012:function:f"

    func object(_ text: String) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    @Test func aServiceStatementWithSourceConditions() throws {
        let s = LambdaPermissionStatement(sid: "s3", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com",
                                          sourceArn: "arn:aws:s3:::b", sourceAccount: "123456789012")
        let text = LambdaPolicyDocument.statement(s, resource: fn)
        #expect(text.hasPrefix(#"{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction""#))
        let expected: NSDictionary = [
            "Sid": "s3", "Effect": "Allow", "Principal": ["Service": "s3.amazonaws.com"], "Action": "lambda:InvokeFunction",
            "Resource": fn,
            "Condition": ["StringEquals": ["AWS:SourceAccount": "123456789012"], "ArnLike": ["AWS:SourceArn": "arn:aws:s3:::b"]],
        ]
        #expect(try object(text) == expected)
    }

    @Test func principalsAreWrittenAsLambdaWritesThem() throws {
        let cases: [(String, Any)] = [
            ("*", "*"),
            ("123456789012", ["AWS": "arn:aws:iam::123456789012:root"]),
            ("arn:aws:iam::123456789012:user/ann", ["AWS": "arn:aws:iam::123456789012:user/ann"]),
            ("events.amazonaws.com", ["Service": "events.amazonaws.com"]),
        ]
        for (given, rendered) in cases {
            let text = LambdaPolicyDocument.statement(LambdaPermissionStatement(sid: "x", action: "lambda:*", principal: given), resource: fn)
            let principal = try object(text)["Principal"]
            #expect(NSArray(object: principal as Any) == NSArray(object: rendered), "\(given)")
        }
        #expect(LambdaPolicyDocument.principalKind("not-a-principal") == .invalid)
        #expect(LambdaPolicyDocument.principalKind("arn:aws:iam::12345:user/x") == .invalid)
        #expect(LambdaPolicyDocument.principalKind("1234567890123") == .invalid)
    }

    @Test func urlAuthTypeOrgAndTokenAreStringEquals() throws {
        let s = LambdaPermissionStatement(sid: "u", action: "lambda:InvokeFunctionUrl", principal: "*", principalOrgID: "o-abcdefghij",
                                          functionUrlAuthType: "NONE", eventSourceToken: "tok")
        let condition = try #require(try object(LambdaPolicyDocument.statement(s, resource: fn))["Condition"] as? NSDictionary)
        #expect(condition == ["StringEquals": ["aws:PrincipalOrgID": "o-abcdefghij", "lambda:FunctionUrlAuthType": "NONE",
                                               "lambda:EventSourceToken": "tok"]] as NSDictionary)
    }

    @Test func thePolicyWrapsItsStatements() throws {
        let a = LambdaPermissionStatement(sid: "a", action: "lambda:InvokeFunction", principal: "123456789012")
        let b = LambdaPermissionStatement(sid: "b", action: "lambda:GetFunction", principal: "*")
        let p = try object(LambdaPolicyDocument.policy([a, b], resource: fn))
        #expect(p["Version"] as? String == "2012-10-17")
        #expect(p["Id"] as? String == "default")
        #expect((p["Statement"] as? [NSDictionary])?.map { $0["Sid"] as? String } == ["a", "b"])
    }

    /// The rendered text compiles as a resource policy; a user ARN principal grants that user, the account
    /// principal grants no user of the account (it delegates to their identity policies), `*` grants everyone,
    /// and a statement with a SourceArn condition does not apply to a direct call.
    @Test func theRenderedPolicyDecidesForTheNamedPrincipalOnly() throws {
        let user = "arn:aws:iam::123456789012:user/ann"
        func decide(_ s: LambdaPermissionStatement, caller: String = user, action: String = "lambda:InvokeFunction") throws -> PolicyDecision.Outcome {
            let compiled = try CompiledPolicy(json: LambdaPolicyDocument.policy([s], resource: fn), id: "r", kind: .resource)
            return PolicyEvaluator.evaluate([compiled], AuthorizationRequest(action: action, resource: fn,
                                                                             principal: PrincipalIdentity(type: "AWS", identifier: caller))).outcome
        }
        #expect(try decide(.init(sid: "u", action: "lambda:InvokeFunction", principal: user)) == .allowed)
        #expect(try decide(.init(sid: "u", action: "lambda:InvokeFunction", principal: user), action: "lambda:GetFunction") == .implicitDeny)
        #expect(try decide(.init(sid: "u", action: "lambda:InvokeFunction", principal: user),
                           caller: "arn:aws:iam::123456789012:user/bob") == .implicitDeny)
        #expect(try decide(.init(sid: "a", action: "lambda:InvokeFunction", principal: "123456789012")) == .implicitDeny)
        #expect(try decide(.init(sid: "a", action: "lambda:InvokeFunction", principal: "123456789012"),
                           caller: "arn:aws:iam::123456789012:root") == .allowed)
        #expect(try decide(.init(sid: "all", action: "lambda:*", principal: "*")) == .allowed)
        #expect(try decide(.init(sid: "svc", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com")) == .implicitDeny)
        #expect(try decide(.init(sid: "c", action: "lambda:InvokeFunction", principal: user, sourceArn: "arn:aws:s3:::b")) == .implicitDeny)
    }
}
