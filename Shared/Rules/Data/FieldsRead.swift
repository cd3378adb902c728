extension RuleValue {
    /// The top-level field names a rule document's `var`s read (an over-approximation inside
    /// iterations, where `var` reads the element): for rule health reports, and to skip work for
    /// fields no active rule reads.
    public var fieldsRead: Set<String> {
        var fields: Set<String> = []
        var stack = [self]
        while let value = stack.popLast() {
            switch value {
            case .object(let members):
                if let path = members["var"] {
                    let name = path.stringValue ?? path.arrayValue?.first?.stringValue ?? ""
                    if let first = name.split(separator: ".").first { fields.insert(String(first)) }
                }
                stack.append(contentsOf: members.values)
            case .array(let items):
                stack.append(contentsOf: items)
            default:
                break
            }
        }
        return fields
    }
}
