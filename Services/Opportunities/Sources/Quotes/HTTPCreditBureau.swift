import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit

/// A credit bureau's API over HTTP: GET {base}/reports/{credit_code} with a bearer token,
/// answering 200 with `{"grade": "green" | "yellow" | "red", "note": "…"}` or 404 for a company it
/// has no record of. Answers are kept for an hour; a slow or failing bureau costs a quote at most
/// `timeout`, and the quote says the bureau did not answer.
struct HTTPCreditBureau: CreditBureau {
    private let baseURL: String
    private let token: String
    private let timeout: TimeAmount
    private let http: HTTPClient
    private let logger = Logger(label: "sales.opportunities.credit-bureau")
    /// Reports and "no record" for an hour; a failure is not kept, so the next quote asks again.
    private let kept = ExpiringCache<String, CreditLookup>(maximumAge: .seconds(3_600))

    init(baseURL: String, token: String, timeout: TimeAmount = .seconds(2), http: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.timeout = timeout
        self.http = http
    }

    func report(for code: CreditCode) async -> CreditLookup {
        do {
            return try await kept.value(for: code.rawValue) { try await ask(code) }
        } catch let unanswered as Unanswered {
            return .unavailable(unanswered.why)
        } catch {
            return .unavailable("\(error)")
        }
    }

    private struct Unanswered: Error {
        let why: String
    }

    private func ask(_ code: CreditCode) async throws(Unanswered) -> CreditLookup {
        let status: UInt
        let body: ByteBuffer
        do {
            (status, body) = try await http.partnerGet("\(baseURL)/reports/\(code.rawValue)", token: token, timeout: timeout)
        } catch {
            logger.warning("credit bureau unreachable", metadata: ["error": "\(error)"])
            throw Unanswered(why: "it could not be reached")
        }
        switch status {
        case 200:
            let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            guard let grade = (object["grade"] as? String).flatMap(FileCreditBureau.grade) else {
                throw Unanswered(why: "it answered without a grade of green, yellow or red")
            }
            return .found(CreditReport(creditCode: code.rawValue, grade: grade, note: object["note"] as? String ?? "", bureau: "the credit bureau"))
        case 404:
            return .notFound
        default:
            logger.warning("credit bureau answered \(status)", metadata: ["code": "\(code)"])
            throw Unanswered(why: "it answered \(status)")
        }
    }
}
