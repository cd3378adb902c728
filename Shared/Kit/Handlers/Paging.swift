import Foundation
import SalesProto
import SwiftProtobuf

/// Keyset paging over a table's `seq` column, newest first. The token is opaque to clients.
public struct Page: Sendable {
    public let size: Int
    /// Rows with a `seq` below this; Int64.max on the first page.
    public let before: Int64

    public init(_ request: Sales_Common_V1_PageRequest, field: String = "page") throws(ServiceError) {
        guard request.pageSize >= 0, request.pageSize <= 200 else {
            throw .invalidArgument(field: "\(field).page_size", rule: "must be between 0 (default 50) and 200")
        }
        size = request.pageSize == 0 ? 50 : Int(request.pageSize)
        if request.pageToken.isEmpty {
            before = .max
        } else {
            guard let data = Data(base64Encoded: request.pageToken), let text = String(data: data, encoding: .utf8),
                text.hasPrefix("v1:"), let seq = Int64(text.dropFirst(3)), seq > 0
            else {
                throw .invalidArgument(field: "\(field).page_token", rule: "is not a token this service issued; pass next_page_token back unchanged")
            }
            before = seq
        }
    }

    /// The same page size, continuing below `seq` (for services walking pages themselves).
    public func startingBefore(_ seq: Int64) -> Page {
        Page(size: size, before: seq)
    }

    private init(size: Int, before: Int64) {
        self.size = size
        self.before = before
    }

    /// The SQL LIMIT: one more than the page, to learn whether another page follows.
    public var fetchLimit: Int { size + 1 }

    /// Trims the extra row and builds the response page from the `seq` of the last row kept.
    public func finish<Row>(_ rows: [Row], seq: (Row) -> Int64) -> ([Row], Sales_Common_V1_PageResponse) {
        guard rows.count > size else { return (rows, .init()) }
        let kept = Array(rows.prefix(size))
        let token = Data("v1:\(seq(kept[kept.count - 1]))".utf8).base64EncodedString()
        return (kept, .with { $0.nextPageToken = token })
    }
}
