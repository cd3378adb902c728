import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension HTTPClient {
    /// A GET of a partner's JSON API (a registry, a credit bureau, a signal relay) with the
    /// bearer token, when there is one: the status and at most `mostBytes` of the body. Throws
    /// when the partner could not be reached or answered more than that.
    public func partnerGet(_ url: String, token: String, timeout: TimeAmount, mostBytes: Int = 1 << 20) async throws -> (
        status: UInt, body: ByteBuffer
    ) {
        var request = HTTPClientRequest(url: url)
        if !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await execute(request, timeout: timeout)
        return (response.status.code, try await response.body.collect(upTo: mostBytes))
    }
}
