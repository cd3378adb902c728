import Crypto
import Foundation
import SalesModel
import ServiceKit

/// A clerk's QR payload: "<clerk seq>.<expiry minute>.<seal>", the numbers in base 36, the seal
/// the first 50 bits of an HMAC over the tenant, clerk and expiry under a key derived from the
/// service secret. Short (at most 30 characters, so it also rides in a WeCom "联系我" state tag)
/// and rotating: each issue carries its own expiry, so a photo of an old screen stops working.
/// A forged or altered code, or another chain's, fails the seal; 50 bits put guessing a seal out
/// of reach of anyone asking the API one guess at a time.
struct ClerkCodeSigner: Sendable {
    private let key: SymmetricKey
    /// How long a code works after it is issued.
    let lifetimeMinutes: Int64

    init(secret: String, lifetimeMinutes: Int64) {
        key = SymmetricKey(derivedFrom: secret, label: "sales.clerk-code.v1")
        self.lifetimeMinutes = lifetimeMinutes
    }

    /// What a verified code names.
    struct Claim: Equatable {
        var clerkSeq: Int64
        var expiresAt: Date
    }

    func issue(clerkSeq: Int64, tenant: TenantID, now: Date) -> (payload: String, expiresAt: Date) {
        let expiry = Int64(now.timeIntervalSince1970 / 60) + lifetimeMinutes
        let payload = "\(String(clerkSeq, radix: 36)).\(String(expiry, radix: 36)).\(seal(clerkSeq, expiry, tenant))"
        return (payload, Date(timeIntervalSince1970: TimeInterval(expiry * 60)))
    }

    /// The clerk a code names; INVALID_ARGUMENT for what is no code or a forged one,
    /// FAILED_PRECONDITION for an expired one.
    func verify(_ payload: String, tenant: TenantID, now: Date) throws(ServiceError) -> Claim {
        let parts = payload.split(separator: ".", omittingEmptySubsequences: false)
        guard payload.utf8.count <= 30, parts.count == 3, let seq = Int64(parts[0], radix: 36), seq > 0,
            let expiry = Int64(parts[1], radix: 36), expiry > 0, expiry < Int64.max / 60, parts[2].utf8.count == 10
        else {
            throw .invalidArgument(field: "code", rule: "is not a clerk code (it reads like \"3f.ta1b2c.k4m2q9x7za\"); scan the clerk's QR again")
        }
        guard Self.same(seal(seq, expiry, tenant), String(parts[2])) else {
            throw .invalidArgument(
                field: "code", rule: "does not verify: it was altered, or belongs to another chain; scan the clerk's QR again")
        }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(expiry * 60))
        guard now < expiresAt else {
            throw .failedPrecondition(
                "the clerk's code expired at \(expiresAt.formatted(.iso8601)); ask the clerk to show a fresh one (codes last \(lifetimeMinutes) minutes)"
            )
        }
        return Claim(clerkSeq: seq, expiresAt: expiresAt)
    }

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    private func seal(_ seq: Int64, _ expiry: Int64, _ tenant: TenantID) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(tenant.rawValue)\n\(seq)\n\(expiry)".utf8), using: key)
        let top = mac.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let characters = (0..<10).map { index in Self.alphabet[Int((top >> UInt64(59 - 5 * index)) & 31)] }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Compares in time that does not depend on where the two differ.
    private static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
