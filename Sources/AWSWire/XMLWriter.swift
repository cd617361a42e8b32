/// Builds XML text in one pass with escaping; the EC2 and IAM encoders write through it.
public struct XMLWriter: Sendable {
    public private(set) var text: String

    public init(declaration: Bool = true) {
        text = declaration ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : ""
        text.reserveCapacity(2048)
    }

    public mutating func open(_ name: String, xmlns: String? = nil) {
        text += "<"; text += name
        if let xmlns { text += " xmlns=\""; text += xmlns; text += "\"" }
        text += ">"
    }

    public mutating func close(_ name: String) { text += "</"; text += name; text += ">" }

    /// A leaf element; nil writes nothing, which is how EC2 omits absent members.
    public mutating func element(_ name: String, _ value: String?) {
        guard let value else { return }
        text += "<"; text += name; text += ">"
        appendEscaped(value)
        text += "</"; text += name; text += ">"
    }

    public mutating func element(_ name: String, _ value: Int?) { element(name, value.map(String.init)) }
    public mutating func element(_ name: String, _ value: Bool?) { element(name, value.map { $0 ? "true" : "false" }) }

    public mutating func element(_ name: String, _ body: (inout XMLWriter) -> Void) {
        open(name); body(&self); close(name)
    }

    /// A list whose members are each wrapped in `item` (EC2's style) or another member name.
    public mutating func list<T>(_ name: String, _ items: [T], member: String = "item", _ body: (inout XMLWriter, T) -> Void) {
        open(name)
        for i in items { open(member); body(&self, i); close(member) }
        close(name)
    }

    /// Appends XML that is already well-formed and escaped (a cached fragment).
    public mutating func raw(_ xml: String) { text += xml }

    public mutating func appendEscaped(_ s: String) {
        var needs = false
        for b in s.utf8 where b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 || b == 0x0D { needs = true; break }
        if !needs { text += s; return }
        for ch in s.unicodeScalars {
            switch ch {
            case "&": text += "&amp;"
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            case "\"": text += "&quot;"
            case "'": text += "&apos;"
            case "\r": text += "&#xD;"
            default: text.unicodeScalars.append(ch)
            }
        }
    }
}
