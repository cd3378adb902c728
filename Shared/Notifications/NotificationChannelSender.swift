import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalesProto
import ServiceKit

/// A notification channel plugin: turns a message into the vendor's HTTP call and its answer
/// into a delivery result. One per `ChannelKind`.
public protocol NotificationChannelSender: Sendable {
    var kind: Sales_Notifications_V1_ChannelKind { get }
    /// Person channels reach one person; team channels post to a group.
    var reachesPerson: Bool { get }
    func send(_ message: OutgoingMessage, via channel: Sales_Notifications_V1_NotificationChannel, http: HTTPClient) async -> DeliveryResult
}

/// The HTTP and JSON plumbing the vendors' APIs share: they answer 200 with `{"errcode": 0}` on
/// success and a non-zero errcode with `errmsg` otherwise; -1 means "busy, try again".
enum VendorHTTP {
    /// A whole request; connecting is bounded far tighter by the client (`Notifications.vendorClient`).
    static let timeout = TimeAmount.seconds(5)

    /// An HTTP answer with the top-level text and number members of its JSON body.
    struct Answer: Sendable {
        let status: Int
        let strings: [String: String]
        let numbers: [String: Double]
        let body: String

        var errcode: Int { Int(numbers["errcode"] ?? 0) }
        var errmsg: String { strings["errmsg"] ?? "" }
    }

    static func call(_ method: HTTPMethod, _ url: String, json body: [String: Any]?, headers: [(String, String)] = [], http: HTTPClient) async throws
        -> Answer
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
        }
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let text = String(buffer: bytes)
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        return Answer(
            status: Int(response.status.code), strings: object.compactMapValues { $0 as? String },
            numbers: object.compactMapValues { ($0 as? NSNumber)?.doubleValue }, body: text)
    }

    /// The usual reading of a vendor answer.
    static func result(of answer: Answer) -> DeliveryResult {
        guard (200..<300).contains(answer.status) else { return statusResult(answer) }
        switch answer.errcode {
        case 0: return .delivered
        case -1: return .retry("errcode -1 (busy): \(answer.errmsg)")
        case let code: return .failed("errcode \(code): \(answer.errmsg)")
        }
    }

    /// 5xx and 429 are worth retrying; other statuses are refusals.
    static func statusResult(_ answer: Answer) -> DeliveryResult {
        let snippet = String(answer.body.prefix(200))
        if answer.status >= 500 || answer.status == 429 { return .retry("HTTP \(answer.status): \(snippet)") }
        return .failed("HTTP \(answer.status): \(snippet)")
    }

    /// A network failure (refused, reset, timed out) is worth retrying.
    static func networkResult(_ error: any Error) -> DeliveryResult {
        .retry("network: \(error)")
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
