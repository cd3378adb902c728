import SalesModel

extension Idempotency {
    /// An idempotency key and whose it is. A client's key belongs to that caller alone (as
    /// payment APIs scope keys by account): another user sending the same key and request makes
    /// their own call and never sees the first caller's answer. A key the tenant shares (an
    /// intake channel's message id) makes the effect happen once whoever delivers it.
    public struct Key: Sendable, Hashable {
        public let tenant: String
        /// The caller's user id for a client's key; "" for a key the tenant shares.
        public let scope: String
        public let text: String

        /// The client's `idempotency-key`, scoped to the caller.
        public static func client(_ text: String, caller: Caller) -> Key {
            Key(tenant: caller.tenant.rawValue, scope: caller.userID, text: text)
        }

        /// A key the tenant shares, such as a channel's message id.
        public static func shared(_ text: String, tenant: TenantID) -> Key {
            Key(tenant: tenant.rawValue, scope: "", text: text)
        }

        /// Whether a key can be used at all (the single path refuses the others with the reason).
        public var isUsable: Bool { (1...200).contains(text.count) }
    }
}
