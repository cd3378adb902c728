/// A mainland China mobile number in E.164 form ("+8613812345678").
///
/// Accepts the ways people type one: "138 1234 5678", "138-1234-5678", "+86 13812345678",
/// "008613812345678", "8613812345678", and the same in full-width digits ("１３８００１３８０００",
/// as Chinese input methods type them). Mainland mobiles have 11 digits starting 13–19.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// The 11 national digits.
    public let national: String

    public init?(_ input: String) {
        var digits = input.halfWidth.filter { !" -()".contains($0) }
        if digits.hasPrefix("+86") {
            digits.removeFirst(3)
        } else if digits.hasPrefix("0086") {
            digits.removeFirst(4)
        } else if digits.hasPrefix("86"), digits.count == 13 {
            digits.removeFirst(2)
        }
        guard digits.count == 11, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let chars = Array(digits)
        guard chars[0] == "1", ("3"..."9").contains(chars[1]) else { return nil }
        national = digits
    }

    public var e164: String { "+86" + national }

    /// "138****5678": what a caller without the unmask permission sees.
    public var masked: String { String(national.prefix(3)) + "****" + String(national.suffix(4)) }

    public var description: String { masked }
}
