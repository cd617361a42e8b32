/// Every operation the control plane's services answer, read from their operation tables (for `lambda-vpc
/// operations` and docs/OPERATIONS.md, which a test keeps equal to it).
public enum OperationCatalog {
    /// (service, operation) in each service's table, operations sorted by name.
    public static var operations: [(service: String, operation: String)] {
        var out: [(String, String)] = []
        out += CloudFormationService.operationNames.sorted().map { ("cloudformation", $0) }
        out += EC2Service.operations.keys.sorted().map { ("ec2", $0) }
        out += IAMService.operations.keys.sorted().map { ("iam", $0) }
        out += LambdaOperations.table.map(\.name).sorted().map { ("lambda", $0) }
        out += ElastiCacheOperations.table.map(\.name).sorted().map { ("elasticache", $0) }
        out += RDSOperations.table.map(\.name).sorted().map { ("rds", $0) }
        out += S3Operations.table.map(\.name).sorted().map { ("s3", $0) }
        out += SSMOperations.table.map(\.name).sorted().map { ("ssm", $0) }
        out += STSService.operations.sorted().map { ("sts", $0) }
        return out
    }
}
