import SwiftProtobuf

/// A protobuf enum is stored as its number in a smallint column, the one encoding every table
/// uses: numbers survive renaming a case, and an unknown number read back stays visible as
/// UNRECOGNIZED rather than failing the row.
extension SwiftProtobuf.Enum {
    /// The value as its column holds it.
    public var column: Int16 { Int16(truncatingIfNeeded: rawValue) }

    /// The value a column holds.
    public init(column: Int16) {
        // proto3 enums map unknown numbers to UNRECOGNIZED rather than nil; the default is a
        // proto2 enum's fallback.
        self = Self(rawValue: Int(column)) ?? Self()
    }
}
