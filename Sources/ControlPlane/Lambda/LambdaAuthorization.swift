import AWSWire
import CloudModel
import IAMPolicy

extension LambdaService {
    /// Authorizes a call as its table row says, before the handler runs: account operations on `*`, function
    /// operations on the function's ARN (qualified where Lambda qualifies it), tag operations on the resource.
    /// `.inHandler` rows (CreateFunction, UpdateFunctionConfiguration, TagResource) authorize inside, once the body
    /// is read, before they change anything.
    func authorize(_ call: LambdaCall) throws(AWSError) {
        let ctx = call.context
        guard ctx.isAuthorizing else { return }
        let action = call.operation.action
        switch call.operation.authorization {
        case .inHandler: return
        case .account: try ctx.authorize(action, "*")
        case .function(let qualified): try authorizeFunction(action, call.function, call.query, ctx, qualified: qualified)
        case .resource(let tagKeys):
            let keys = tagKeys ? call.query.all("tagKeys") : []
            try ctx.authorize(action, call.resource) { if !keys.isEmpty { $0.set("aws:TagKeys", values: keys) } }
        case .layer(let versioned):
            // GetLayerVersionByArn names the version in its query; a malformed name is left to the operation.
            let arn = call.layer.isEmpty ? (call.query.first("Arn") ?? "*")
                : (layerArn(call.layer) ?? "*") + (versioned ? ":" + call.version : "")
            try ctx.authorize(action, arn)
        }
    }

    /// A malformed name or conflicting qualifiers are left to the operation, which answers its validation error.
    /// The function's (or qualifier's) own resource policy takes part in the decision (`SameAccountDecision`).
    private func authorizeFunction(_ action: String, _ name: String, _ q: LambdaQuery, _ ctx: RequestContext,
                                   qualified: Bool = false) throws(AWSError) {
        let function: String
        let qualifier: String?
        if Self.isPlainFunctionName(name) {
            // What `reference` gives for a bare name: no qualifier in it, this account and region.
            let given = qualified ? q.first("Qualifier") : nil
            function = name
            qualifier = given?.isEmpty == false ? given : nil
        } else {
            guard let ref = try? reference(name, namespaced: true) else { return }
            function = ref.name
            qualifier = qualified ? (try? self.qualifier(ref, q)) ?? nil : nil
        }
        try ctx.authorize(action, json.functionArn(function, qualifier: qualifier), resourcePolicy: {
            ctx.authorization.flatMap { resourcePolicy(function: function, qualifier: qualifier, cache: $0.authorizer.identity.cache) }
        })
    }

    /// A name alone (`my-function`, the common case), which needs no parsing: 1 to 256 of the characters a
    /// NamespacedFunctionName allows, without any colon.
    static func isPlainFunctionName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= 256 else { return false }
        return bytes.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
        }
    }

    /// CreateFunction/UpdateFunctionConfiguration: the action with Lambda's VPC keys for the function's VPC
    /// configuration after the request (none for a function outside any VPC), then `iam:PassRole` when the request
    /// sets a role. Called inside the write once the VpcConfig is validated, so a denial changes nothing.
    func authorizeConfiguration(_ action: String, functionName: String, vpc: LambdaVpcConfig?, tags: [String: String],
                                passRole: String?, _ ctx: RequestContext) throws(AWSError) {
        guard ctx.isAuthorizing else { return }
        try ctx.authorize(action, json.functionArn(functionName)) { c in
            Authorizer.addLambdaVPCKeys(&c, vpcId: vpc?.vpcId, subnetIds: vpc?.subnetIds ?? [], securityGroupIds: vpc?.securityGroupIds ?? [])
            c.setRequestTags(tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        if let passRole {
            try ctx.authorize("iam:PassRole", passRole) { $0.set("iam:PassedToService", "lambda.amazonaws.com") }
        }
    }

    /// Lambda's execution-role check (aws-behaviour.md §1 item 7), in every mode unless role checks are off.
    func checkExecutionRole(_ roleArn: String, needsVPC: Bool) throws(AWSError) {
        guard let roleChecker else { return }
        if let problem = roleChecker.executionRoleProblem(roleArn: roleArn, needsVPC: needsVPC) { throw problem }
    }
}
