import Foundation
import JWTKit
import SalesModel

/// Signs and verifies the platform's HS256 bearer tokens with one shared key.
public struct TokenAuthority: Sendable {
    private let keys: JWTKeyCollection
    /// Tokens already verified, with the caller each speaks for, until it expires. A client sends
    /// the same token for an hour, and verifying it on every call (an HMAC, a JSON decode and a
    /// hop to the key collection's actor) was a measurable part of a new lead's cost.
    private let verified = ExpiringEntries<String, Caller>()

    public init(secret: String) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    public func sign(_ caller: Caller, lifetime: Duration = .seconds(3600), now: Date = Date()) async throws -> String {
        let claims = TokenClaims(
            sub: .init(value: caller.userID),
            tenant: caller.tenant.rawValue,
            roles: caller.roles.map(\.rawValue).sorted(),
            org: caller.orgPath,
            exp: .init(value: now.addingTimeInterval(TimeInterval(lifetime.components.seconds))),
            iat: .init(value: now)
        )
        return try await keys.sign(claims)
    }

    /// The caller a token speaks for; UNAUTHENTICATED with the reason when it cannot be trusted.
    public func verify(_ token: String) async throws(ServiceError) -> Caller {
        if let caller = verified.value(for: token) { return caller }
        let claims: TokenClaims
        do {
            claims = try await keys.verify(token, as: TokenClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw .unauthenticated("the bearer token has expired: sign in again")
        } catch {
            throw .unauthenticated("the bearer token is not valid: \(Self.reason(error))")
        }
        guard let tenant = TenantID(claims.tenant) else { throw .unauthenticated("the token's tenant claim is malformed") }
        let roles = Set(claims.roles.compactMap(Role.init(rawValue:)))
        let caller = Caller(tenant: tenant, userID: claims.sub.value, roles: roles, orgPath: claims.org)
        verified.store(caller, for: token, until: claims.exp.value)
        return caller
    }

    /// A token for this platform's own services calling each other.
    public func serviceToken(for service: ServiceName, tenant: TenantID = TenantID("platform")!) async throws -> String {
        try await sign(.service(service, tenant: tenant), lifetime: .seconds(24 * 3600))
    }

    private static func reason(_ error: any Error) -> String {
        guard let error = error as? JWTError else { return "it could not be read" }
        switch error.errorType {
        case .signatureVerificationFailed: return "its signature does not match"
        case .malformedToken: return "it is malformed"
        default: return "it could not be verified"
        }
    }
}
