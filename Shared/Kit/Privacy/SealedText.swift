import Crypto
import Foundation

/// Seals text kept at rest that must be read back in full (a notification channel's app secret,
/// signing secret and webhook URL with its access token) with AES-GCM, under a key derived from
/// the service secret with its own label. A sealed value reads `sealed:v1:` and the base64 of
/// nonce, ciphertext and tag. Each value is bound to its `context` (whose row it is), so a sealed
/// value copied into another row does not open there. A value stored before sealing existed is
/// read as it is, and sealed the next time it is saved.
public struct SealedText: Sendable {
    static let prefix = "sealed:v1:"
    private let key: SymmetricKey

    /// Derives the sealing key from the service secret, under `label` (one key per use).
    public init(secret: String, label: String) {
        key = SymmetricKey(derivedFrom: secret, label: label)
    }

    public func seal(_ text: String, context: String) throws -> String {
        // The default nonce is 12 bytes, for which the combined form always exists.
        let box = try AES.GCM.seal(Data(text.utf8), using: key, authenticating: Data(context.utf8))
        return Self.prefix + box.combined!.base64EncodedString()
    }

    /// The text; nil when it cannot be opened: it is damaged, belongs to another context, or was
    /// sealed under another service secret (the secret changed since it was saved).
    public func open(_ stored: String, context: String) -> String? {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let combined = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let text = try? AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
        else { return nil }
        return String(decoding: text, as: UTF8.self)
    }
}
