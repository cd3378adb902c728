import JWTKit
import SalesModel

/// The JWT payload every service accepts: who, in which tenant, with which roles and where in the org.
struct TokenClaims: JWTPayload {
    var sub: SubjectClaim
    var tenant: String
    var roles: [String]
    var org: String
    var exp: ExpirationClaim
    var iat: IssuedAtClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
