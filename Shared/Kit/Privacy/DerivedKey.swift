import Crypto
import Foundation

extension SymmetricKey {
    /// A 256-bit key for one use, derived from the service secret under its own `label`
    /// ("sales.phone-hmac.v1"): a key leaked from one use opens nothing of another.
    public init(derivedFrom secret: String, label: String) {
        self = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data(label.utf8), outputByteCount: 32)
    }
}
