import AWSWire

/// One row of SSM's operation table: the operation's `X-Amz-Target` name, the IAM action it is authorized as, the
/// resources (parameter ARNs) it is authorized on, read from its input before the handler runs, and the handler.
/// Nothing reaches a handler except through a row, after every (action, resource) pair the row names is allowed.
struct SSMOperation: Sendable {
    typealias Handler = @Sendable (SSMService, SSMInput, RequestContext) throws -> [String: Any]
    typealias Resources = @Sendable (SSMService, SSMInput, RequestContext) throws -> [(action: String, resource: String)]

    let name: String
    let authorization: Resources
    let handler: Handler

    /// The action `ssm:<name>` on the resources `resources` returns.
    init(_ name: String, on resources: @escaping @Sendable (SSMService, SSMInput, RequestContext) throws -> [String],
         _ handler: @escaping Handler) {
        self.name = name
        self.authorization = { s, i, c in try resources(s, i, c).map { ("ssm:" + name, $0) } }
        self.handler = handler
    }

    /// Several actions (PutParameter with tags also needs `ssm:AddTagsToResource`).
    init(_ name: String, authorizedBy: @escaping Resources, _ handler: @escaping Handler) {
        self.name = name
        self.authorization = authorizedBy
        self.handler = handler
    }
}

/// SSM's operation table: every operation this server answers, by botocore's names.
enum SSMOperations {
    static let table: [SSMOperation] = [
        .init("PutParameter", authorizedBy: { s, i, c in
            let arn = s.arn(ParameterName.trimmed(try i.required("Name", member: "name")), c)
            let tagged = try i.tags("Tags").map { !$0.isEmpty } ?? false
            return [("ssm:PutParameter", arn)] + (tagged ? [("ssm:AddTagsToResource", arn)] : [])
        }, { s, i, c in try s.putParameter(i, c) }),
        .init("GetParameter", on: { s, i, c in [s.arn(ParameterName.reference(try i.required("Name", member: "name")).name, c)] },
              { s, i, c in try s.getParameter(i, c) }),
        .init("GetParameters", on: { s, i, c in
            (try i.strings("Names") ?? []).map { s.arn(ParameterName.reference($0).name, c) }
        }, { s, i, c in try s.getParameters(i, c) }),
        .init("GetParametersByPath", on: { s, i, c in [s.arn(try i.required("Path", member: "path"), c)] },
              { s, i, c in try s.getParametersByPath(i, c) }),
        .init("GetParameterHistory", on: { s, i, c in [s.arn(ParameterName.reference(try i.required("Name", member: "name")).name, c)] },
              { s, i, c in try s.getParameterHistory(i, c) }),
        .init("DescribeParameters", on: { _, _, _ in ["*"] }, { s, i, c in try s.describeParameters(i, c) }),
        .init("DeleteParameter", on: { s, i, c in [s.arn(ParameterName.trimmed(try i.required("Name", member: "name")), c)] },
              { s, i, c in try s.deleteParameter(i, c) }),
        .init("DeleteParameters", on: { s, i, c in (try i.strings("Names") ?? []).map { s.arn(ParameterName.trimmed($0), c) } },
              { s, i, c in try s.deleteParameters(i, c) }),
        .init("LabelParameterVersion", on: { s, i, c in [s.arn(ParameterName.trimmed(try i.required("Name", member: "name")), c)] },
              { s, i, c in try s.labelParameterVersion(i, c) }),
        .init("AddTagsToResource", on: { s, i, c in [try s.taggedArn(i, c)] }, { s, i, c in try s.addTags(i, c) }),
        .init("RemoveTagsFromResource", on: { s, i, c in [try s.taggedArn(i, c)] }, { s, i, c in try s.removeTags(i, c) }),
        .init("ListTagsForResource", on: { s, i, c in [try s.taggedArn(i, c)] }, { s, i, c in try s.listTags(i, c) }),
    ]

    static let byName: [String: SSMOperation] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
}
