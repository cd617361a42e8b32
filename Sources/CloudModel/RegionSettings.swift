import Foundation

/// What a region remembers about itself: whether it was ever given its default VPC (so a deleted default VPC is not
/// made again, as on AWS, where only CreateDefaultVpc brings it back).
public struct RegionSettings: Record {
    public static let kind = "ec2.region-settings"
    public static var table: WritableKeyPath<CloudState, [String: RegionSettings]> { \.regionSettings }
    /// The one row of a region's partition.
    public static let rowId = "region"
    public var id: String
    public var defaultVpcProvisioned: Bool

    public init(defaultVpcProvisioned: Bool) {
        self.id = Self.rowId
        self.defaultVpcProvisioned = defaultVpcProvisioned
    }
}
