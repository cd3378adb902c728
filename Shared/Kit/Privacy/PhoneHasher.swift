import Crypto
import Foundation
import SalesModel

/// Keyed hash of a phone number: lets a service find repeat customers by phone with an index,
/// without the index itself being a list of phone numbers.
public struct PhoneHasher: Sendable {
    private let key: SymmetricKey

    /// Derives the hashing key from the service secret, under its own label.
    public init(secret: String) {
        key = SymmetricKey(derivedFrom: secret, label: "sales.phone-hmac.v1")
    }

    public func hash(_ phone: PhoneNumber) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(phone.e164.utf8), using: key).hexEncoded
    }
}
