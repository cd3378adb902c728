import Foundation

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// The cell without the spaces around it, exactly as `trimmingCharacters(in: set)` gives it.
    /// On Linux that call goes through NSString, about a microsecond a cell and most of the time
    /// a large file takes to read; the usual cell, with printable ASCII at both ends, has nothing
    /// to trim and is answered without it.
    func trimmedCell(_ set: CharacterSet = .whitespaces) -> String {
        guard let first = utf8.first, let last = utf8.last else { return "" }
        if (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) { return String(self) }
        return trimmingCharacters(in: set)
    }
}
