import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SalesModel
import SalesProto
import Synchronization

/// A credit bureau's API over HTTP: GET {base}/reports/{credit_code} with a bearer token,
/// answering 200 with `{"grade": "green" | "yellow" | "red", "note": "…"}` or 404 for a company it
/// has no record of. Answers are kept for an hour; a slow or failing bureau costs a quote at most
/// `timeout`, and the quote says the bureau did not answer.
final class HTTPCreditBureau: CreditBureau {
    private let baseURL: String
    private let token: String
    private let timeout: TimeAmount
    private let http: HTTPClient
    private let logger = Logger(label: "sales.opportunities.credit-bureau")
    private let kept = Mutex<[String: (lookup: CreditLookup, at: Date)]>([:])

    init(baseURL: String, token: String, timeout: TimeAmount = .seconds(2), http: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.timeout = timeout
        self.http = http
    }

    func report(for code: CreditCode) async -> CreditLookup {
        if let hit = kept.withLock({ $0[code.rawValue] }), hit.at > Date().addingTimeInterval(-3_600) { return hit.lookup }
        var request = HTTPClientRequest(url: "\(baseURL)/reports/\(code.rawValue)")
        if !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: "application/json")
        let lookup: CreditLookup
        do {
            let response = try await http.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            switch response.status.code {
            case 200:
                let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
                guard let grade = (object["grade"] as? String).flatMap(FileCreditBureau.grade) else {
                    return .unavailable("it answered without a grade of green, yellow or red")
                }
                lookup = .found(
                    CreditReport(creditCode: code.rawValue, grade: grade, note: object["note"] as? String ?? "", bureau: "the credit bureau"))
            case 404:
                lookup = .notFound
            default:
                logger.warning("credit bureau answered \(response.status.code)", metadata: ["code": "\(code)"])
                return .unavailable("it answered \(response.status.code)")
            }
        } catch {
            logger.warning("credit bureau unreachable", metadata: ["error": "\(error)"])
            return .unavailable("it could not be reached")
        }
        kept.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[code.rawValue] = (lookup, Date())
        }
        return lookup
    }
}
