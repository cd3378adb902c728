import Foundation
import RulesEngine
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Paging over the countdown board, which runs in due-date order rather than by `seq` (the kit's
/// `Page`): the token carries the last row's due date and id.
struct BoardPage: Sendable {
    let size: Int
    let after: ReceivableStore.Cursor?

    init(_ request: Sales_Common_V1_PageRequest) throws(ServiceError) {
        guard (0...200).contains(request.pageSize) else {
            throw .invalidArgument(field: "page.page_size", rule: "must be between 0 (default 50) and 200")
        }
        size = request.pageSize == 0 ? 50 : Int(request.pageSize)
        guard !request.pageToken.isEmpty else {
            after = nil
            return
        }
        let parts = Data(base64Encoded: request.pageToken).flatMap { String(data: $0, encoding: .utf8) }?.split(separator: "|")
        guard let parts, parts.count == 3, parts[0] == "r1", let due = LocalDate(String(parts[1])), let id = UUID(uuidString: String(parts[2]))
        else {
            throw .invalidArgument(field: "page.page_token", rule: "is not a token this service issued; pass next_page_token back unchanged")
        }
        after = .init(due: due, id: id)
    }

    var fetchLimit: Int { size + 1 }

    /// The page's rows and the token of the next page (empty on the last).
    func finish<Row>(_ rows: [(Row, ReceivableStore.Cursor)]) -> ([Row], Sales_Common_V1_PageResponse) {
        guard rows.count > size else { return (rows.map(\.0), .init()) }
        let last = rows[size - 1].1
        let token = Data("r1|\(last.due)|\(last.id.uuidString)".utf8).base64EncodedString()
        return (rows.prefix(size).map(\.0), .with { $0.nextPageToken = token })
    }
}
