import AsyncHTTPClient
import Foundation
import NIOCore
import SalesNotifications
import ServiceKit

/// Where a tenant's external signals come from: a plugin that answers the signals after a cursor
/// and the cursor after them. A source that cannot be read throws, saying what to fix.
protocol SignalSourceReader: Sendable {
    func read(after cursor: String, limit: Int) async throws(ServiceError) -> CursorPage<RawSignal>
}

/// JSON Lines files dropped into the source's folder (the kit's `JSONLinesDrop`).
struct FileSignalReader: SignalSourceReader {
    let folder: URL

    func read(after cursor: String, limit: Int) async throws(ServiceError) -> CursorPage<RawSignal> {
        try JSONLinesDrop(folder: folder).read(after: cursor, limit: limit) { line, place, json in
            json.map { RawSignal(position: line, place: place, json: $0) }
                ?? RawSignal(position: line, place: place, problem: .invalidArgument(field: "(signal)", rule: "is not a JSON object on one line"))
        }
    }
}

/// A relay inside the customer's network, over HTTP: GET <base>/signals?after=<cursor>&limit=<n>
/// with the bearer token, answering {"signals": [...], "cursor": "…"}. The request carries the
/// cursor alone, so nothing of the customer's leaves their network.
struct RelaySignalReader: SignalSourceReader {
    static let mostAnswerBytes = 16 << 20
    let baseURL: String
    let token: String
    let http: HTTPClient
    var timeout: TimeAmount = .seconds(10)

    func read(after cursor: String, limit: Int) async throws(ServiceError) -> CursorPage<RawSignal> {
        var components = URLComponents(string: baseURL.hasSuffix("/") ? baseURL + "signals" : baseURL + "/signals")
        components?.queryItems = [URLQueryItem(name: "after", value: cursor), URLQueryItem(name: "limit", value: "\(limit)")]
        guard let url = components?.url?.absoluteString else { throw .failedPrecondition("the relay URL \(baseURL) is not a URL") }
        let status: UInt
        let body: ByteBuffer
        do {
            (status, body) = try await http.partnerGet(url, token: token, timeout: timeout, mostBytes: Self.mostAnswerBytes)
        } catch {
            throw .unavailable("the relay at \(baseURL) could not be read (\(error)); check that it runs and is reachable from this service")
        }
        switch status {
        case 200: break
        case 401, 403: throw .failedPrecondition("the relay at \(baseURL) refused the token (\(status)); save the source with the relay's token")
        default: throw .unavailable("the relay at \(baseURL) answered \(status); it is asked again on the next poll")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any],
            let items = object["signals"] as? [Any], let next = object["cursor"] as? String
        else {
            throw .failedPrecondition("the relay at \(baseURL) answered something other than {\"signals\": [...], \"cursor\": \"…\"}")
        }
        let signals = items.enumerated().map {
            RawSignal(position: $0.offset + 1, place: "answer after \(quoted: cursor), item \($0.offset + 1)", json: $0.element)
        }
        return CursorPage(items: signals, cursor: next, more: !signals.isEmpty && next != cursor && signals.count >= limit)
    }
}
