import Foundation
import Logging

/// The folders a service keeps files in, from its environment.
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

    /// SALES_ERP_DIR: the file ERP's folder, one per tenant (orders written, payments dropped).
    /// Unset, a temporary folder, with a warning.
    public func erpFolder(logger: Logger) throws -> URL {
        try folder("SALES_ERP_DIR", orTemporary: "sales-erp", logger: logger) { "the file ERP keeps its orders and payments in \($0)" }
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
