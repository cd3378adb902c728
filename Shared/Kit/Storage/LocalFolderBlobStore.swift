import Crypto
import Foundation
import Logging

/// Files in a folder, one per content: `ROOT/TENANT/ab/abcdef…` (the first two hex digits fan the
/// files out). Written to a temporary name and renamed, so a reader never sees half a file.
public struct LocalFolderBlobStore: BlobStore {
    public let root: URL

    public init(root: URL) { self.root = root }

    public func put(_ content: Data, tenant: String) async throws -> String {
        let sha256 = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
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

extension Environment {
    /// SALES_ATTACHMENTS_DIR: where uploaded files are kept. Unset, a temporary folder, with a
    /// warning: files there do not survive the machine.
    public func attachmentsFolder(logger: Logger) throws -> URL {
        try folder("SALES_ATTACHMENTS_DIR", orTemporary: "sales-attachments", logger: logger) {
            "uploaded files are kept in \($0), which does not survive the machine"
        }
    }

    /// SALES_SIGNAL_DROP_DIR: where file sources of external signals are dropped, a folder per
    /// tenant. Unset, a temporary folder, with a warning.
    public func signalDropFolder(logger: Logger) throws -> URL {
        try folder("SALES_SIGNAL_DROP_DIR", orTemporary: "sales-signals", logger: logger) { "file signal sources read \($0)" }
    }

    private func folder(_ variable: String, orTemporary name: String, logger: Logger, unset warning: (String) -> String) throws -> URL {
        if let folder = optional(variable), !folder.isEmpty {
            let url = URL(fileURLWithPath: folder, isDirectory: true)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        logger.warning("\(variable) is not set: \(warning(url.path))")
        return url
    }
}
