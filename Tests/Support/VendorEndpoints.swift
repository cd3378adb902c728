import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import SalesModel

/// WeCom, DingTalk and webhook endpoints on loopback, for the notification tests: they answer as
/// the vendors document (tokens, errcodes, DingTalk's signed robot URL) and record what arrived.
/// The WeCom robot fails its first call with 503, to show the retry; `/hook-busy` always answers
/// 503; `/hook-broken` refuses with 400.
package actor VendorEndpoints {
    package init() {}

    package struct Call: Sendable {
        package let path: String
        package let query: [String: String]
        package let headers: [String: String]
        package let body: [String: String]
        package let rawBody: String
    }

    package static let dingTalkRobotSecret = "SEC-robot-secret"
    package static let webhookSecret = "whsec-test"
    package static let registeredCode = CreditCode.completing("91330212MA2GQ8X1F")!.rawValue
    package static let failingCode = CreditCode.completing("91440300MA5F8R2K4")!.rawValue

    package private(set) var calls: [Call] = []
    private var wecomRobotCalls = 0
    /// What the signal relay serves, in order; its cursor is the count of signals answered.
    private var relaySignals: [[String: String]] = []
    package static let relayToken = "relay-token"
    package static let bureauToken = "bureau-token"

    package func serveRelaySignals(_ signals: [[String: String]]) { relaySignals = signals }

    package func record(_ call: Call) -> Int {
        calls.append(call)
        if call.path == "/robot/wecom" { wecomRobotCalls += 1 }
        return wecomRobotCalls
    }

    package func calls(to path: String) -> [Call] { calls.filter { $0.path == path } }

    /// Serves until `body` returns; `body` gets the base URL.
    package func serving<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        let endpoints = self
        router.get("/cgi-bin/gettoken") { request, _ in
            _ = await endpoints.record(try await Self.call(request))
            return Self.json(["errcode": 0, "errmsg": "ok", "access_token": "wecom-token", "expires_in": 7200])
        }
        router.get("/gettoken") { request, _ in
            _ = await endpoints.record(try await Self.call(request))
            return Self.json(["errcode": 0, "errmsg": "ok", "access_token": "dingtalk-token", "expires_in": 7200])
        }
        for path in ["/cgi-bin/message/send", "/topapi/message/corpconversation/asyncsend_v2", "/hook"] {
            router.post(RouterPath(path)) { request, _ in
                let call = try await Self.call(request)
                _ = await endpoints.record(call)
                if path == "/hook", !Self.webhookSignatureHolds(call) { return Self.json(["error": "bad signature"], status: .unauthorized) }
                return Self.json(["errcode": 0, "errmsg": "ok"])
            }
        }
        // DingTalk's newer API: the token in a header, the to-do under the person's unionId.
        router.post("/v1.0/todo/users/{union}/tasks") { request, _ in
            let call = try await Self.call(request)
            _ = await endpoints.record(call)
            guard call.headers["x-acs-dingtalk-access-token"] == "dingtalk-token" else {
                return Self.json(["code": "InvalidAuthentication", "message": "token"], status: .unauthorized)
            }
            return Self.json(["id": "todo-1", "subject": call.body["subject"] ?? ""])
        }
        router.post("/robot/wecom") { request, _ in
            let count = await endpoints.record(try await Self.call(request))
            return count == 1 ? Self.json(["error": "try later"], status: .serviceUnavailable) : Self.json(["errcode": 0, "errmsg": "ok"])
        }
        router.post("/robot/dingtalk") { request, _ in
            let call = try await Self.call(request)
            _ = await endpoints.record(call)
            guard Self.dingTalkSignatureHolds(call) else { return Self.json(["errcode": 310000, "errmsg": "sign not match"]) }
            return Self.json(["errcode": 0, "errmsg": "ok"])
        }
        // A company registry API: one known company, a failing code, 404 for the rest.
        router.get("/companies/{code}") { request, context in
            _ = await endpoints.record(try await Self.call(request))
            switch context.parameters.get("code") ?? "" {
            case Self.registeredCode:
                return Self.json(["name": "宁波精工机械有限公司", "industry": "机械", "employee_count": 320, "city": "宁波", "district": "鄞州区"])
            case Self.failingCode: return Self.json(["error": "upstream"], status: .badGateway)
            default: return Self.json(["error": "not found"], status: .notFound)
            }
        }
        // A customer's signal relay: GET /relay/signals?after=N&limit=M with the bearer token.
        router.get("/relay/signals") { request, _ in
            let call = try await Self.call(request)
            _ = await endpoints.record(call)
            guard call.headers["authorization"] == "Bearer \(Self.relayToken)" else { return Self.json(["error": "token"], status: .unauthorized) }
            let signals = await endpoints.relaySignals
            let after = min(Int(call.query["after"] ?? "") ?? 0, signals.count)
            let page = Array(signals[after..<min(after + (Int(call.query["limit"] ?? "") ?? 100), signals.count)])
            return Self.json(["signals": page, "cursor": "\(after + page.count)"])
        }
        // A credit bureau's API: the registered company rated red, a failing code, 404 for the rest.
        router.get("/bureau/reports/{code}") { request, context in
            let call = try await Self.call(request)
            _ = await endpoints.record(call)
            guard call.headers["authorization"] == "Bearer \(Self.bureauToken)" else { return Self.json(["error": "token"], status: .unauthorized) }
            switch context.parameters.get("code") ?? "" {
            case Self.registeredCode: return Self.json(["grade": "red", "note": "3 起未结执行案件"])
            case Self.failingCode: return Self.json(["error": "upstream"], status: .badGateway)
            default: return Self.json(["error": "not found"], status: .notFound)
            }
        }
        router.post("/hook-busy") { request, _ in
            _ = await endpoints.record(try await Self.call(request))
            return Self.json(["error": "busy"], status: .serviceUnavailable)
        }
        router.post("/hook-broken") { request, _ in
            _ = await endpoints.record(try await Self.call(request))
            return Self.json(["error": "no such hook"], status: .badRequest)
        }
        let port = PortBox()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await port.set(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "vendor-endpoints"))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(); return nil
            }
            let bound = await port.wait()
            let result = try await body("http://127.0.0.1:\(bound)")
            group.cancelAll()
            return result
        }
    }

    /// DingTalk's check: sign = Base64(HMAC-SHA256(secret, "timestamp\nsecret")), computed here independently.
    package static func dingTalkSignatureHolds(_ call: Call) -> Bool {
        guard let timestamp = call.query["timestamp"], let sign = call.query["sign"] else { return false }
        let key = SymmetricKey(data: Data(dingTalkRobotSecret.utf8))
        let expected = Data(HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(dingTalkRobotSecret)".utf8), using: key))
        return sign == expected.base64EncodedString()
    }

    package static func webhookSignatureHolds(_ call: Call) -> Bool {
        guard let timestamp = call.headers["x-sales-timestamp"], let signature = call.headers["x-sales-signature"] else { return false }
        let key = SymmetricKey(data: Data(webhookSecret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(call.rawBody)".utf8), using: key)
        return signature == "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    private static func call(_ request: Request) async throws -> Call {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let raw = String(buffer: buffer)
        let object = (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any] ?? [:]
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value).removingPercentEncoding ?? String(value) }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        return Call(path: request.uri.path, query: query, headers: headers, body: object.mapValues { "\($0)" }, rawBody: raw)
    }

    private static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The port the server bound, once it is listening.
private actor PortBox {
    private var port: Int?
    private var waiters: [CheckedContinuation<Int, Never>] = []

    func set(_ value: Int) {
        port = value
        for waiter in waiters { waiter.resume(returning: value) }
        waiters.removeAll()
    }

    func wait() async -> Int {
        if let port { return port }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
