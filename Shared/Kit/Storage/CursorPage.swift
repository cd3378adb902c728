/// One page read from a source that is read on after a cursor (a folder of dropped files, a
/// relay, an ERP): what it answered and the cursor after it.
public struct CursorPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var cursor: String
    /// More may be waiting after `cursor`.
    public var more: Bool

    public init(items: [Item], cursor: String, more: Bool) {
        self.items = items
        self.cursor = cursor
        self.more = more
    }
}
