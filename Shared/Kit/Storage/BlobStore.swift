import Foundation

/// Where uploaded files live, by the SHA-256 of their content: a local folder by default; an
/// S3-compatible store would be a second implementation of the same three calls.
public protocol BlobStore: Sendable {
    /// Keeps `content` and returns its hex SHA-256 (the same content is kept once).
    func put(_ content: Data, tenant: String) async throws -> String
    /// The content kept under `sha256`, or nil.
    func get(_ sha256: String, tenant: String) async throws -> Data?
    func contains(_ sha256: String, tenant: String) async throws -> Bool
}
