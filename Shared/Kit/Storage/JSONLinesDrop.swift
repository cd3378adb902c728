import Foundation

/// JSON Lines files dropped into a folder, read in name order after a cursor "<file>:<lines read>":
/// the source of the file-backed plugins (a signal source, the file ERP's payments). Files are to
/// be dropped whole (written elsewhere, then moved in), as a half-written line reads as bad JSON;
/// appending whole lines to the last file is fine, as reading resumes after its last line.
public struct JSONLinesDrop: Sendable {
    public static let mostFileBytes = 64 << 20
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    /// At most `limit` non-blank lines after `cursor`, each made by `item` from its line number,
    /// its place ("payments-1130.jsonl line 4") and its JSON, nil when the line is not JSON.
    public func read<Item: Sendable>(
        after cursor: String, limit: Int, _ item: (_ line: Int, _ place: String, _ json: Any?) -> Item
    ) throws(ServiceError) -> CursorPage<Item> {
        let (doneFile, doneLines) = Self.position(cursor)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jsonl") }.sorted()
        } catch {
            throw .failedPrecondition("the folder \(folder.path) cannot be read; create it and drop *.jsonl files there")
        }
        var items: [Item] = []
        var cursor = cursor
        for name in names where name >= doneFile {
            let url = folder.appendingPathComponent(name)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            guard size <= Self.mostFileBytes, let data = try? Data(contentsOf: url) else {
                throw .failedPrecondition("\(name) cannot be read or is over \(Self.mostFileBytes >> 20) MB; split it into smaller files")
            }
            var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            // The piece after a final line break is not a line: a later append starts there.
            if lines.last?.isEmpty == true { lines.removeLast() }
            var number = name == doneFile ? doneLines : 0
            while number < lines.count {
                if items.count == limit { return CursorPage(items: items, cursor: cursor, more: true) }
                let line = lines[number]
                number += 1
                cursor = "\(name):\(number)"
                guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else { continue }
                items.append(item(number, "\(name) line \(number)", try? JSONSerialization.jsonObject(with: Data(line))))
            }
        }
        return CursorPage(items: items, cursor: cursor, more: false)
    }

    /// The file and the count of its lines read; a cursor that is not one starts from the beginning.
    public static func position(_ cursor: String) -> (file: String, lines: Int) {
        guard let colon = cursor.lastIndex(of: ":"), let lines = Int(cursor[cursor.index(after: colon)...]) else { return ("", 0) }
        return (String(cursor[..<colon]), lines)
    }
}
