import AWSWire
import CloudModel
import Foundation

/// The EC2 response envelope and the XML of each resource, member names as EC2 writes them.
public enum EC2XML {
    public static let xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/"

    /// `<ActionResponse xmlns=…><requestId>…</requestId> body </ActionResponse>`.
    public static func response(_ action: String, requestID: String, _ body: (inout XMLWriter) -> Void) -> String {
        var w = XMLWriter()
        w.open(action + "Response", xmlns: xmlns)
        w.element("requestId", requestID)
        body(&w)
        w.close(action + "Response")
        return w.text
    }

    /// EC2's timestamp format: `2024-01-02T03:04:05.000Z`.
    public static func timestamp(_ d: Date) -> String {
        let ms = Int64((d.timeIntervalSince1970 * 1000).rounded(.down))
        let secs = ms / 1000
        let days = Int(secs / 86400), rem = Int(secs % 86400)
        let (y, m, dd) = civil(fromDays: days)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let msPart = Int(ms % 1000)
        let msText = msPart < 10 ? "00\(msPart)" : msPart < 100 ? "0\(msPart)" : "\(msPart)"
        return "\(y)-\(p2(m))-\(p2(dd))T\(p2(rem / 3600)):\(p2(rem / 60 % 60)):\(p2(rem % 60)).\(msText)Z"
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil algorithm).
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func tagSet(_ w: inout XMLWriter, _ tags: [Tag], name: String = "tagSet") {
        if tags.isEmpty { return }
        w.list(name, tags) { w, t in w.element("key", t.key); w.element("value", t.value) }
    }

    public static func vpc(_ w: inout XMLWriter, _ v: Vpc) {
        w.element("vpcId", v.id)
        w.element("ownerId", v.ownerId)
        w.element("state", "available")
        w.element("cidrBlock", v.cidrBlock.description)
        w.open("cidrBlockAssociationSet"); w.open("item")
        w.element("associationId", v.cidrAssociationId)
        w.element("cidrBlock", v.cidrBlock.description)
        w.open("cidrBlockState"); w.element("state", "associated"); w.close("cidrBlockState")
        w.close("item"); w.close("cidrBlockAssociationSet")
        w.element("dhcpOptionsId", v.dhcpOptionsId)
        tagSet(&w, v.tags)
        w.element("instanceTenancy", v.instanceTenancy)
        w.element("isDefault", v.isDefault)
        w.open("blockPublicAccessStates"); w.element("internetGatewayBlockMode", "off"); w.close("blockPublicAccessStates")
    }
}
