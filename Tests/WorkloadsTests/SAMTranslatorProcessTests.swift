import ControlPlane
import Foundation
import Testing
@testable import Workloads

/// The SAM transform through AWS's translator (aws-sam-translator, which the project installs).
@Suite struct SAMTranslatorProcessTests {
    let translator = SAMTranslatorProcess()

    @Test func expandsAServerlessFunctionIntoAFunctionAndItsRole() async throws {
        let template = """
            {"Transform": "AWS::Serverless-2016-10-31",
             "Parameters": {"Stage": {"Type": "String"}},
             "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "app.handler", "InlineCode": "def handler(e, c): return 1",
                "Policies": ["AWSLambdaVPCAccessExecutionRole"],
                "VpcConfig": {"SubnetIds": ["subnet-0a"], "SecurityGroupIds": ["sg-0b"]}}}}}
            """
        let out = try await translator.transform(templateJSON: template, parameterValues: ["Stage": "dev"],
                                                 region: "eu-west-1", accountId: "123456789012")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let resources = try #require(doc["Resources"] as? [String: [String: Any]])
        #expect(resources["Fn"]?["Type"] as? String == "AWS::Lambda::Function")
        #expect(resources["FnRole"]?["Type"] as? String == "AWS::IAM::Role")
        let role = try #require(resources["FnRole"]?["Properties"] as? [String: Any])
        #expect(role["ManagedPolicyArns"] as? [String] == [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
        ])
        #expect(doc["Transform"] == nil)
    }

    /// A function with neither CodeUri nor InlineCode.
    @Test func anInvalidDocumentFailsWithTheTranslatorsReason() async throws {
        let template = """
            {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Fn": {"Type": "AWS::Serverless::Function",
             "Properties": {"Runtime": "python3.12", "Handler": "a.h"}}}}
            """
        await #expect(throws: TemplateTransformError(
            transform: "AWS::Serverless-2016-10-31",
            message: "Invalid Serverless Application Specification document. Number of errors found: 1. "
                + "Resource with id [Fn] is invalid. Only one of 'InlineCode' or 'CodeUri' can be set.")) {
            try await translator.transform(templateJSON: template, parameterValues: [:], region: "us-east-1",
                                           accountId: "123456789012")
        }
    }
}
