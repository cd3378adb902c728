import Foundation
import SalesProto
import SwiftProtobuf
import Synchronization
import Testing

@testable import SalesNotifications

@Suite struct AccessTokenTests {
    func channel(name: String = "wecom", app: String = "ww-corp", secret: String) -> Sales_Notifications_V1_NotificationChannel {
        .with {
            $0.name = name; $0.kind = .wecomApp; $0.appID = app; $0.secret = secret
        }
    }

    /// Two tenants' channels with the same name and app id but their own secrets or vendors
    /// never share a token.
    @Test func aTokenIsKeptUnderItsWholeCredential() async throws {
        let tokens = AccessTokens()
        let first = AccessTokens.Key(base: "https://qyapi.weixin.qq.com", channel: channel(secret: "tenant-a-secret"))
        let otherSecret = AccessTokens.Key(base: "https://qyapi.weixin.qq.com", channel: channel(secret: "tenant-b-secret"))
        let otherVendor = AccessTokens.Key(base: "http://127.0.0.1:9/wecom", channel: channel(secret: "tenant-a-secret"))
        #expect(first != otherSecret && first != otherVendor)
        #expect(try await tokens.token(for: first) { .token("token-a", lifetime: 7200) }.get() == "token-a")
        #expect(try await tokens.token(for: otherSecret) { .token("token-b", lifetime: 7200) }.get() == "token-b")
        #expect(try await tokens.token(for: otherVendor) { .token("token-c", lifetime: 7200) }.get() == "token-c")
        // Kept: a second ask does not fetch.
        #expect(
            try await tokens.token(for: first) {
                Issue.record("fetched again"); return .token("x", lifetime: 7200)
            }.get() == "token-a")
    }

    /// Notices sent together share one fetch.
    @Test func simultaneousAsksShareOneFetch() async throws {
        let tokens = AccessTokens()
        let key = AccessTokens.Key(base: "https://oapi.dingtalk.com", channel: channel(secret: "s"))
        let fetches = FetchCount()
        let got = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await tokens.token(for: key) {
                        fetches.count.withLock { $0 += 1 }
                        try await Task.sleep(for: .milliseconds(200))
                        return .token("shared", lifetime: 7200)
                    }.get()
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(got == Array(repeating: "shared", count: 8))
        #expect(fetches.count.withLock { $0 } == 1)
    }

    /// A refused fetch is not kept: the next ask fetches again.
    @Test func aRefusalIsNotKept() async throws {
        let tokens = AccessTokens()
        let key = AccessTokens.Key(base: "b", channel: channel(secret: "s"))
        let refused = try await tokens.token(for: key) { .refused(.retry("busy")) }
        guard case .failure(let refusal) = refused else { Issue.record("kept a refusal"); return }
        #expect(refusal.result == .retry("busy"))
        #expect(try await tokens.token(for: key) { .token("later", lifetime: 7200) }.get() == "later")
    }
}

private final class FetchCount: Sendable {
    let count = Mutex(0)
}
