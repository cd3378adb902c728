import Foundation

extension Sequence where Element == UInt8 {
    /// Lowercase hex, two digits a byte: how digests and generated secrets are written.
    public var hexEncoded: String { map { String(format: "%02x", $0) }.joined() }
}
