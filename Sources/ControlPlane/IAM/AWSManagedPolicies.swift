import Foundation

/// One AWS managed policy: public facts (name, path, id, default version, document) as AWS publishes them.
public struct AWSManagedPolicy: Sendable {
    public let name: String
    public let path: String
    public let policyId: String
    public let versionId: String
    public let description: String
    public let createdAt: Date
    public let updatedAt: Date
    public let document: String
    public var arn: String { "arn:aws:iam::aws:policy\(path)\(name)" }
}

/// The AWS managed policies present in every account. Documents follow AWS's published policy versions;
/// ids marked (unconfirmed) are stand-ins where the real one is not known.
public enum AWSManagedPolicies {
    public static let all: [AWSManagedPolicy] = [
        AWSManagedPolicy(
            name: "AWSLambdaBasicExecutionRole", path: "/service-role/", policyId: "ANPAJNCQGXC42545SKXIK", versionId: "v1",
            description: "Provides write permissions to CloudWatch Logs.",
            createdAt: date("2015-04-09T15:03:43Z"), updatedAt: date("2015-04-09T15:03:43Z"),
            document: """
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogGroup",
                            "logs:CreateLogStream",
                            "logs:PutLogEvents"
                        ],
                        "Resource": "*"
                    }
                ]
            }
            """),
        AWSManagedPolicy(
            name: "AWSLambdaVPCAccessExecutionRole", path: "/service-role/", policyId: "ANPAJVTME3YLVNL72YR2K", versionId: "v3",
            description: "Provides minimum permissions for a Lambda function to execute while accessing a resource within a VPC - create, describe, delete network interfaces and write permissions to CloudWatch Logs. ",
            createdAt: date("2016-02-11T23:15:26Z"), updatedAt: date("2024-01-05T22:37:22Z"),
            document: """
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AWSLambdaVPCAccessExecutionPermissions",
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogGroup",
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "ec2:CreateNetworkInterface",
                            "ec2:DescribeNetworkInterfaces",
                            "ec2:DescribeSubnets",
                            "ec2:DeleteNetworkInterface",
                            "ec2:AssignPrivateIpAddresses",
                            "ec2:UnassignPrivateIpAddresses"
                        ],
                        "Resource": "*"
                    }
                ]
            }
            """),
        AWSManagedPolicy(
            name: "AWSLambda_FullAccess", path: "/", policyId: "ANPAZKAPJZG4NLWUMUIMG", versionId: "v1",  // id (unconfirmed)
            description: "Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
            createdAt: date("2020-11-23T19:47:45Z"), updatedAt: date("2020-11-23T19:47:45Z"),
            document: """
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "cloudformation:DescribeStacks",
                            "cloudformation:ListStackResources",
                            "cloudwatch:ListMetrics",
                            "cloudwatch:GetMetricData",
                            "ec2:DescribeSecurityGroups",
                            "ec2:DescribeSubnets",
                            "ec2:DescribeVpcs",
                            "kms:ListAliases",
                            "iam:GetPolicy",
                            "iam:GetPolicyVersion",
                            "iam:GetRole",
                            "iam:GetRolePolicy",
                            "iam:ListAttachedRolePolicies",
                            "iam:ListRolePolicies",
                            "iam:ListRoles",
                            "lambda:*",
                            "logs:DescribeLogGroups",
                            "states:DescribeStateMachine",
                            "states:ListStateMachines",
                            "tag:GetResources",
                            "xray:GetTraceSummaries",
                            "xray:BatchGetTraces"
                        ],
                        "Resource": "*"
                    },
                    {
                        "Effect": "Allow",
                        "Action": "iam:PassRole",
                        "Resource": "*",
                        "Condition": {
                            "StringEquals": {
                                "iam:PassedToService": "lambda.amazonaws.com"
                            }
                        }
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "logs:DescribeLogStreams",
                            "logs:GetLogEvents",
                            "logs:FilterLogEvents"
                        ],
                        "Resource": "arn:aws:logs:*:*:log-group:/aws/lambda/*"
                    }
                ]
            }
            """),
        AWSManagedPolicy(
            name: "AWSLambda_ReadOnlyAccess", path: "/", policyId: "ANPAZKAPJZG4MW35THVCJ", versionId: "v1",  // id (unconfirmed)
            description: "Grants read-only access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
            createdAt: date("2020-11-23T19:47:45Z"), updatedAt: date("2020-11-23T19:47:45Z"),
            document: """
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "cloudformation:DescribeStacks",
                            "cloudformation:ListStackResources",
                            "cloudwatch:GetMetricData",
                            "cloudwatch:ListMetrics",
                            "ec2:DescribeSecurityGroups",
                            "ec2:DescribeSubnets",
                            "ec2:DescribeVpcs",
                            "iam:GetPolicy",
                            "iam:GetPolicyVersion",
                            "iam:GetRole",
                            "iam:GetRolePolicy",
                            "iam:ListAttachedRolePolicies",
                            "iam:ListRolePolicies",
                            "iam:ListRoles",
                            "kms:ListAliases",
                            "lambda:Get*",
                            "lambda:List*",
                            "logs:DescribeLogGroups",
                            "states:DescribeStateMachine",
                            "states:ListStateMachines",
                            "tag:GetResources",
                            "xray:GetTraceSummaries",
                            "xray:BatchGetTraces"
                        ],
                        "Resource": "*"
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "logs:DescribeLogStreams",
                            "logs:GetLogEvents",
                            "logs:FilterLogEvents"
                        ],
                        "Resource": "arn:aws:logs:*:*:log-group:/aws/lambda/*"
                    }
                ]
            }
            """),
        AWSManagedPolicy(
            name: "AmazonEC2ReadOnlyAccess", path: "/", policyId: "ANPAIGDT4SV4GSETWTBZK", versionId: "v1",
            description: "Provides read only access to Amazon EC2 via the AWS Management Console.",
            createdAt: date("2015-02-06T18:40:17Z"), updatedAt: date("2015-02-06T18:40:17Z"),
            document: """
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "ec2:Describe*",
                        "Resource": "*"
                    },
                    {
                        "Effect": "Allow",
                        "Action": "elasticloadbalancing:Describe*",
                        "Resource": "*"
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "cloudwatch:ListMetrics",
                            "cloudwatch:GetMetricStatistics",
                            "cloudwatch:Describe*"
                        ],
                        "Resource": "*"
                    },
                    {
                        "Effect": "Allow",
                        "Action": "autoscaling:Describe*",
                        "Resource": "*"
                    }
                ]
            }
            """),
        AWSManagedPolicy(
            name: "AdministratorAccess", path: "/", policyId: "ANPAIWMBCKSKIEE64ZLYK", versionId: "v1",
            description: "Provides full access to AWS services and resources.",
            createdAt: date("2015-02-06T18:39:46Z"), updatedAt: date("2015-02-06T18:39:46Z"),
            document: """
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "*",
                        "Resource": "*"
                    }
                ]
            }
            """),
        AWSManagedPolicy(
            name: "IAMFullAccess", path: "/", policyId: "ANPAI7XKCFMBPM3QQRRVQ", versionId: "v2",
            description: "Provides full access to IAM via the AWS Management Console.",
            createdAt: date("2015-02-06T18:40:38Z"), updatedAt: date("2019-06-21T19:40:00Z"),
            document: """
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "iam:*",
                            "organizations:DescribeAccount",
                            "organizations:DescribeOrganization",
                            "organizations:DescribeOrganizationalUnit",
                            "organizations:DescribePolicy",
                            "organizations:ListChildren",
                            "organizations:ListParents",
                            "organizations:ListPoliciesForTarget",
                            "organizations:ListRoots",
                            "organizations:ListPolicies",
                            "organizations:ListTargetsForPolicy"
                        ],
                        "Resource": "*"
                    }
                ]
            }
            """),
    ]

    public static let byArn: [String: AWSManagedPolicy] = Dictionary(uniqueKeysWithValues: all.map { ($0.arn, $0) })

    private static func date(_ s: String) -> Date {
        (try? Date(s, strategy: Date.ISO8601FormatStyle())) ?? Date(timeIntervalSince1970: 0)
    }
}
