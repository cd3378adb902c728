extension RuleValue {
    /// The top-level field names a rule document's `var`s read (an over-approximation inside
    /// iterations, where `var` reads the element): for rule health reports, and to skip work for
    /// fields no active rule reads.
    public var fieldsRead: Set<String> {
        var fields: Set<String> = []
        forEachObject { members in
            guard let path = members["var"] else { return }
            let name = path.stringValue ?? path.arrayValue?.first?.stringValue ?? ""
            if let first = name.split(separator: ".").first { fields.insert(String(first)) }
        }
        return fields
    }

    /// Calls `body` with every object in the document, this one included, at any depth: how
    /// reports find the operations a rule uses.
    public func forEachObject(_ body: ([String: RuleValue]) -> Void) {
        var stack = [self]
        while let value = stack.popLast() {
            switch value {
            case .object(let members):
                body(members)
                stack.append(contentsOf: members.values)
            case .array(let items):
                stack.append(contentsOf: items)
            default:
                break
            }
        }
    }
}
