import CloudModel
import Foundation

/// The public parameters under `/aws/service/ami-amazon-linux-latest/`, read-only for every account: each names
/// one of `PublicImages`' ids (the images DescribeImages lists). They are not records (nothing writes them) and DescribeParameters does not list them,
/// as on AWS.
enum PublicParameters {
    static let byName: [String: SSMParameter] = {
        var out: [String: SSMParameter] = [:]
        let parse = ISO8601DateFormatter()
        parse.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for image in PublicImages.all {
            let date = parse.date(from: image.creationDate) ?? Date(timeIntervalSince1970: 0)
            for leaf in image.ssmParameterNames {
                let name = PublicImages.ssmParameterPath + "/" + leaf
                let v = SSMParameterVersion(version: 1, type: "String", value: image.id, description: nil, allowedPattern: nil,
                                            keyId: nil, tier: "Standard", dataType: "text", lastModified: date,
                                            lastModifiedUser: "arn:aws:iam::\(PublicImages.ownerId):root")
                out[name] = SSMParameter(name: name, versions: [v])
            }
        }
        return out
    }()

    /// Every public parameter, sorted by name.
    static let sorted: [SSMParameter] = byName.values.sorted { $0.name < $1.name }
}
