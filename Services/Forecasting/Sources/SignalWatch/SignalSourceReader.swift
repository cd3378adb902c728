import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// Where a tenant's external signals come from: a plugin that answers the signals after a cursor
/// and the cursor after them. A source that cannot be read throws, saying what to fix.
protocol SignalSourceReader: Sendable {
    func read(after cursor: String, limit: Int) async throws(ServiceError) -> SignalPage
}

struct SignalPage: Sendable {
    var signals: [RawSignal]
    var cursor: String
    /// More may be waiting after `cursor`.
    var more: Bool
}

/// JSON Lines files in a folder, read in name order; the cursor is "<file>:<lines read>". Files are
/// to be dropped whole (written elsewhere, then moved in), as a half-written line reads as bad JSON.
struct FileSignalReader: SignalSourceReader {
    static let mostFileBytes = 64 << 20
    let folder: URL

    func read(after cursor: String, limit: Int) async throws(ServiceError) -> SignalPage {
        let (doneFile, doneLines) = Self.position(cursor)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jsonl") }.sorted()
        } catch {
            throw .failedPrecondition("the source's folder \(folder.path) cannot be read; create it and drop *.jsonl files there")
        }
        var signals: [RawSignal] = []
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
                if signals.count == limit { return SignalPage(signals: signals, cursor: cursor, more: true) }
                let line = lines[number]
                number += 1
                cursor = "\(name):\(number)"
                guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else { continue }
                if let json = try? JSONSerialization.jsonObject(with: Data(line)) {
                    signals.append(RawSignal(position: number, place: "\(name) line \(number)", json: json))
                } else {
                    signals.append(
                        RawSignal(
                            position: number, place: "\(name) line \(number)",
                            problem: .invalidArgument(field: "(signal)", rule: "is not a JSON object on one line")))
                }
            }
        }
        return SignalPage(signals: signals, cursor: cursor, more: false)
    }

    /// The file and the count of its lines read; a cursor that is not one starts from the beginning.
    static func position(_ cursor: String) -> (file: String, lines: Int) {
        guard let colon = cursor.lastIndex(of: ":"), let lines = Int(cursor[cursor.index(after: colon)...]) else { return ("", 0) }
        return (String(cursor[..<colon]), lines)
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

    func read(after cursor: String, limit: Int) async throws(ServiceError) -> SignalPage {
        var components = URLComponents(string: baseURL.hasSuffix("/") ? baseURL + "signals" : baseURL + "/signals")
        components?.queryItems = [URLQueryItem(name: "after", value: cursor), URLQueryItem(name: "limit", value: "\(limit)")]
        guard let url = components?.url?.absoluteString else { throw .failedPrecondition("the relay URL \(baseURL) is not a URL") }
        var request = HTTPClientRequest(url: url)
        if !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: "application/json")
        let status: UInt
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = response.status.code
            body = try await response.body.collect(upTo: Self.mostAnswerBytes)
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
        return SignalPage(signals: signals, cursor: next, more: !signals.isEmpty && next != cursor && signals.count >= limit)
    }
}
