import Crypto
import Foundation

/// Files in a folder, one per content: `ROOT/TENANT/ab/abcdef…` (the first two hex digits fan the
/// files out). Written to a temporary name and renamed, so a reader never sees half a file.
public struct LocalFolderBlobStore: BlobStore {
    public let root: URL

    public init(root: URL) { self.root = root }

    public func put(_ content: Data, tenant: String) async throws -> String {
        let sha256 = SHA256.hash(data: content).hexEncoded
        let file = try path(sha256, tenant: tenant)
        if FileManager.default.fileExists(atPath: file.path) { return sha256 }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = file.appendingPathExtension("partial-\(UUID().uuidString)")
        try content.write(to: partial)
        do {
            try FileManager.default.moveItem(at: partial, to: file)
        } catch  where FileManager.default.fileExists(atPath: file.path) {
            // Someone kept the same content meanwhile.
            try? FileManager.default.removeItem(at: partial)
        }
        return sha256
    }

    public func get(_ sha256: String, tenant: String) async throws -> Data? {
        let file = try path(sha256, tenant: tenant)
        return FileManager.default.fileExists(atPath: file.path) ? try Data(contentsOf: file) : nil
    }

    public func contains(_ sha256: String, tenant: String) async throws -> Bool {
        FileManager.default.fileExists(atPath: try path(sha256, tenant: tenant).path)
    }

    private func path(_ sha256: String, tenant: String) throws -> URL {
        // Both parts name folders: only hex digits and tenant ids (letters, digits, '-') reach the disk.
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit),
            !tenant.isEmpty, tenant.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { throw ServiceError.invalidArgument(field: "sha256", rule: "is not a stored file's hex SHA-256") }
        return root.appendingPathComponent(tenant).appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }
}
