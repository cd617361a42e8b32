import AWSWire
import CloudFormationTemplate
import CloudModel
import Foundation

/// What the stack engine creates resources through: the same services the API answers with, so a template's
/// resource is validated (and refused) exactly like the call a user would make.
public struct StackBackends: Sendable {
    public var ec2: EC2Service
    public var iam: IAMService?
    public var lambda: LambdaService?
    public var ssm: SSMService?
    /// S3, for `TemplateURL` (and Lambda code is read by Lambda itself).
    public var objects: (any CodeObjectSource)?
    /// The SAM transform; nil refuses templates that name it.
    public var transformer: (any TemplateTransformer)?
    /// S3's handler, for AWS::S3::Bucket.
    public var s3: S3Service?
    /// CloudWatch Logs, for AWS::Logs::LogGroup.
    public var logs: (any LogsBackend)?
    /// The services forwarded to the backend (DynamoDB, SQS, SNS, Secrets Manager).
    public var forwarded: (any ForwardedServices)?
    /// Under `--enforce-iam`: decides each call the engine makes as the stack's caller (nil: calls are not checked).
    public var authorizer: Authorizer?
    /// Sessions of stacks' service roles (`RoleARN`); nil: a stack's role is recorded but the caller acts.
    public var roleSessions: StackRoleSessions?
    /// RDS and ElastiCache, for their DB instances, cache clusters and subnet groups.
    public var rds: RDSService?
    public var elastiCache: ElastiCacheService?

    public init(ec2: EC2Service, iam: IAMService? = nil, lambda: LambdaService? = nil, ssm: SSMService? = nil,
                objects: (any CodeObjectSource)? = nil, transformer: (any TemplateTransformer)? = nil,
                s3: S3Service? = nil, logs: (any LogsBackend)? = nil, forwarded: (any ForwardedServices)? = nil,
                authorizer: Authorizer? = nil, roleSessions: StackRoleSessions? = nil) {
        self.authorizer = authorizer
        self.roleSessions = roleSessions
        self.forwarded = forwarded
        self.s3 = s3
        self.logs = logs
        self.ec2 = ec2
        self.iam = iam
        self.lambda = lambda
        self.ssm = ssm
        self.objects = objects
        self.transformer = transformer
    }
}

/// CloudFormation's Query API (2010-05-15): stacks and change sets are records in the region's store; the
/// `StackEngine` deploys them in the background.
public final class CloudFormationService: Sendable {
    public static let xmlns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
    public let store: StateStore
    public let accountId: String
    public let region: String
    public let backends: StackBackends

    public init(store: StateStore, accountId: String, region: String, backends: StackBackends) {
        self.store = store
        self.accountId = accountId
        self.region = region
        self.backends = backends
    }

    /// Every operation's name, for the operations catalog.
    public static var operationNames: [String] { CloudFormationOperations.table.map(\.name) }

    /// Answers one request with the whole XML document; errors come back as `AWSError`.
    public func handle(action: String, params: QueryParameters, context: RequestContext) async throws -> String {
        guard let op = CloudFormationOperations.byName[action] else { throw QueryErrors.invalidAction(action) }
        let resource: String
        if let member = op.stackMember, let name = params[member] ?? params["StackName"] {
            resource = name.hasPrefix("arn:") ? name : "arn:aws:cloudformation:\(region):\(accountId):stack/\(name)/*"
        } else { resource = "*" }
        try context.authorize(op.iamAction, resource)
        let result = try await op.handler(self, params, context)
        // botocore reads an empty output structure from its (empty) Result element, so it is always there.
        return QueryResponse.envelope(action, xmlns: Self.xmlns, requestID: context.requestID, declaration: true) { $0.raw(result) }
    }

    // MARK: Finding stacks

    /// The live stack a name or ARN names (a deleted one only by its ARN, as AWS keeps them there).
    func stack(_ nameOrId: String, in state: CloudState) -> CloudFormationStack? {
        if nameOrId.hasPrefix("arn:") { return state.cloudFormationStacks[nameOrId] }
        return state.cloudFormationStacks.values.first { $0.name == nameOrId && $0.status != .deleteComplete }
    }

    func requireStack(_ nameOrId: String?, in state: CloudState) throws -> CloudFormationStack {
        guard let nameOrId, !nameOrId.isEmpty else { throw CloudFormationErrors.missing("stackName") }
        guard let s = stack(nameOrId, in: state) else { throw CloudFormationErrors.stackNotFound(nameOrId) }
        return s
    }

    func newStackId(_ name: String) -> String {
        "arn:aws:cloudformation:\(region):\(accountId):stack/\(name)/\(UUID().uuidString.lowercased())"
    }

    static func checkStackName(_ name: String?) throws -> String {
        guard let name, !name.isEmpty else { throw CloudFormationErrors.missing("stackName") }
        let ok = name.count <= 128 && name.first!.isASCII && name.first!.isLetter
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        guard ok else { throw CloudFormationErrors.stackName(name) }
        return name
    }

    // MARK: Templates

    /// `TemplateBody`, or the S3 object `TemplateURL` names (read as the caller).
    func templateText(_ p: QueryParameters, _ ctx: RequestContext, required: Bool = true) throws -> String? {
        if let body = p["TemplateBody"], p["TemplateURL"] != nil, !body.isEmpty {
            throw CloudFormationErrors.validation("Specify exactly one of TemplateBody, TemplateURL, or UsePreviousTemplate.")
        }
        if let body = p["TemplateBody"] {
            guard body.utf8.count <= 51_200 else {
                throw CloudFormationErrors.validation("1 validation error detected: Value '\(body.prefix(40))...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200")
            }
            return body
        }
        if let url = p["TemplateURL"] {
            guard let (bucket, key) = Self.s3Location(url) else {
                throw CloudFormationErrors.validation("TemplateURL must be a supported URL.")
            }
            guard let objects = backends.objects else { throw CloudFormationErrors.validation("TemplateURL must be a supported URL.") }
            do {
                let (bytes, _) = try objects.codeObject(bucket: bucket, key: key, versionId: nil, limit: 1_048_576, context: ctx)
                return String(decoding: bytes, as: UTF8.self)
            } catch {
                throw CloudFormationErrors.validation("S3 error: Access Denied\nFor more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html")
            }
        }
        if required { throw CloudFormationErrors.validation("Either Template URL or Template Body must be specified.") }
        return nil
    }

    /// Bucket and key of an S3 object URL: path style (`https://s3[.-]REGION.amazonaws.com/BUCKET/KEY`, also on
    /// this server's own host) or virtual-hosted (`https://BUCKET.s3[.REGION].amazonaws.com/KEY`).
    static func s3Location(_ url: String) -> (bucket: String, key: String)? {
        guard let u = URL(string: url), let host = u.host?.lowercased() else { return nil }
        let path = u.path.hasPrefix("/") ? String(u.path.dropFirst()) : u.path
        if let r = host.range(of: ".s3"), host.hasSuffix(".amazonaws.com") || host.hasSuffix(".localhost") {
            let bucket = String(host[..<r.lowerBound])
            return path.isEmpty ? nil : (bucket, path)
        }
        let parts = path.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// A template read, transformed if it names a transform, and checked.
    struct Prepared {
        var body: String
        var template: Template
        var processedJSON: String
    }

    func prepare(_ body: String, parameters: [String: String], _ ctx: RequestContext) async throws -> Prepared {
        var template: Template
        do { template = try Template(body: body) } catch { throw CloudFormationErrors.validation(error.message) }
        if !template.transforms.isEmpty {
            for t in template.transforms where t != "AWS::Serverless-2016-10-31" {
                throw CloudFormationErrors.validation("Template format error: Unsupported transform \(t); only AWS::Serverless-2016-10-31 is available")
            }
            guard let transformer = backends.transformer else {
                throw CloudFormationErrors.validation("Transform AWS::Serverless-2016-10-31 failed with: the SAM transform is not available on this server")
            }
            let processed: String
            do {
                processed = try await transformer.transform(templateJSON: template.document.jsonText(), parameterValues: parameters,
                                                            region: region, accountId: accountId)
            } catch let e as TemplateTransformError {
                throw CloudFormationErrors.validation(e.statusReason)
            }
            do { template = try Template(body: processed) } catch { throw CloudFormationErrors.validation(error.message) }
        }
        do { _ = try DependencyGraph(template) } catch { throw CloudFormationErrors.validation(error.message) }
        return Prepared(body: body, template: template, processedJSON: template.document.jsonText())
    }

    /// `Parameters.member.N.ParameterKey/ParameterValue/UsePreviousValue`, resolved against the template (and the
    /// stack's previous values), with SSM parameter types read from Parameter Store.
    func resolveParameters(_ p: QueryParameters, template: Template, previous: [StackParameterValue]) throws -> [StackParameterValue] {
        var given: [String: String] = [:]
        for m in p.structures("Parameters.member") {
            guard let key = m["ParameterKey"] else { continue }
            if m["UsePreviousValue"] == "true" {
                guard let old = previous.first(where: { $0.key == key }) else {
                    throw CloudFormationErrors.validation("Invalid input for parameter key \(key). Cannot specify usePreviousValue as true for a parameter key not in the previous template")
                }
                given[key] = old.value
            } else if let v = m["ParameterValue"] {
                given[key] = v
            }
        }
        let snapshot = store.snapshot()
        let lookup: @Sendable (String) -> String? = { name in
            (snapshot.ssmParameters[name] ?? PublicParameters.byName[name])?.versions.last?.value
        }
        let resolution: (values: [String: TemplateValue], resolvedSSM: [String: String])
        do {
            resolution = try ParameterResolution.resolve(template, given: given, ssmLookup: lookup)
        } catch {
            throw CloudFormationErrors.validation(error.message)
        }
        let resolved = resolution.resolvedSSM
        return template.parameterOrder.map { key in
            StackParameterValue(key: key, value: given[key] ?? template.parameters[key]?.defaultValue ?? "", resolvedValue: resolved[key])
        }
    }

    static func checkCapabilities(_ template: Template, _ p: QueryParameters) throws -> [String] {
        let acknowledged = p.list("Capabilities.member")
        let needed = RequiredCapabilities.of(template).capabilities
        let missing = RequiredCapabilities.missing(needed: needed, acknowledged: acknowledged)
        if !missing.isEmpty { throw CloudFormationErrors.insufficientCapabilities(missing) }
        return acknowledged
    }

    static func tags(_ p: QueryParameters) -> [StackTag] {
        p.structures("Tags.member").compactMap { m in m["Key"].map { StackTag(key: $0, value: m["Value"] ?? "") } }
    }
}
