import AWSWire
import CloudModel

/// DescribeImages over the public images of `PublicImages` (the account owns none of its own).
extension EC2Service {
    typealias Image = PublicImages.Image

    func describeImages(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let filter = try EC2Filters.compile(p, tags: { (_: Image) in [] }) { () -> EC2Filters.Fields<Image> in
            [
                "image-id": { [$0.id] }, "name": { [$0.name] }, "description": { [$0.description] },
                "architecture": { [$0.architecture] }, "owner-alias": { _ in [PublicImages.ownerAlias] },
                "owner-id": { _ in [PublicImages.ownerId] }, "state": { _ in ["available"] },
                "is-public": { _ in ["true"] }, "image-type": { _ in ["machine"] },
                "root-device-type": { _ in ["ebs"] }, "root-device-name": { _ in ["/dev/xvda"] },
                "virtualization-type": { _ in ["hvm"] }, "hypervisor": { _ in ["xen"] },
                "ena-support": { _ in ["true"] }, "platform-details": { _ in ["Linux/UNIX"] },
                "usage-operation": { _ in ["RunInstances"] }, "manifest-location": { [$0.location] },
                "creation-date": { [$0.creationDate] }, "block-device-mapping.device-name": { _ in ["/dev/xvda"] },
                "block-device-mapping.volume-type": { [$0.volumeType] }, "block-device-mapping.volume-size": { _ in ["8"] },
                "block-device-mapping.snapshot-id": { [$0.snapshotId] },
                "block-device-mapping.delete-on-termination": { _ in ["true"] },
                "block-device-mapping.encrypted": { _ in ["false"] },
            ]
        }
        var images = PublicImages.all
        let ids = p.list("ImageId")
        if !ids.isEmpty {
            for id in ids where !ResourceID.isWellFormed(id, prefix: "ami") { throw EC2Errors.imageMalformed(id) }
            let missing = ids.filter { PublicImages.image(id: $0) == nil }
            if !missing.isEmpty { throw EC2Errors.imageNotFound(missing) }
            images = images.filter { ids.contains($0.id) }
        }
        // Every image here is Amazon's and public: `Owners` keeps them only when it names Amazon;
        // `ExecutableBy` (all, self, an account) always includes public images.
        let owners = p.list("Owner")
        if !owners.isEmpty && !owners.contains(where: { $0 == PublicImages.ownerAlias || $0 == PublicImages.ownerId }) {
            images = []
        }
        images = images.filter(filter.matches)
        images.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(images, key: \.id, p, range: 5...1000)
        return EC2XML.response("DescribeImages", requestID: ctx.requestID) { w in
            w.list("imagesSet", Array(page.items)) { EC2XML.image(&$0, $1) }
            w.element("nextToken", page.nextToken)
        }
    }

    /// RunInstances' image: a public image, or the historical default; anything else is refused as EC2 does.
    static func checkImage(_ id: String) throws {
        if id == PublicImages.legacyDefaultId || PublicImages.image(id: id) != nil { return }
        if !ResourceID.isWellFormed(id, prefix: "ami") { throw EC2Errors.imageMalformed(id) }
        throw EC2Errors.imageNotFound([id])
    }
}

extension EC2XML {
    static func image(_ w: inout XMLWriter, _ i: PublicImages.Image) {
        w.element("imageId", i.id)
        w.element("imageLocation", i.location)
        w.element("imageState", "available")
        w.element("imageOwnerId", PublicImages.ownerId)
        w.element("creationDate", i.creationDate)
        w.element("isPublic", true)
        w.element("architecture", i.architecture)
        w.element("imageType", "machine")
        w.element("sriovNetSupport", "simple")
        w.element("imageOwnerAlias", PublicImages.ownerAlias)
        w.element("name", i.name)
        w.element("description", i.description)
        w.element("rootDeviceType", "ebs")
        w.element("rootDeviceName", "/dev/xvda")
        w.list("blockDeviceMapping", [i]) { w, i in
            w.element("deviceName", "/dev/xvda")
            w.element("ebs") { w in
                w.element("snapshotId", i.snapshotId)
                w.element("volumeSize", 8)
                w.element("deleteOnTermination", true)
                w.element("volumeType", i.volumeType)
                if i.volumeType == "gp3" { w.element("iops", 3000); w.element("throughput", 125) }
                w.element("encrypted", false)
            }
        }
        w.element("virtualizationType", "hvm")
        w.element("hypervisor", "xen")
        w.element("enaSupport", true)
        w.element("bootMode", i.bootMode)
        w.element("platformDetails", "Linux/UNIX")
        w.element("usageOperation", "RunInstances")
        w.element("imdsSupport", i.imdsSupport)
    }
}
