extension Sequence where Element == UInt8 {
    /// Lowercase hex, two digits a byte: how digests and generated secrets are written. Built from
    /// a digit table rather than `String(format:)`, which costs a Foundation formatter a byte and
    /// showed up on every new lead (its phone hash and idempotency fingerprint).
    public var hexEncoded: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
