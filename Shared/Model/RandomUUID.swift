import Foundation

extension UUID {
    /// A random (version 4) UUID from the standard library's system generator. Foundation's
    /// `UUID.random()` on Linux opens, reads and closes /dev/urandom for each one, and a new lead makes
    /// several; this is one getrandom call for each half.
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var halves = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &halves) { bytes in
            bytes[6] = bytes[6] & 0x0f | 0x40  // version 4
            bytes[8] = bytes[8] & 0x3f | 0x80  // RFC 4122 variant
            return UUID(uuid: bytes.load(as: uuid_t.self))
        }
    }
}
