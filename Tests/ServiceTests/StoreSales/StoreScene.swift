import Foundation
import GRPCCore
import GRPCInProcessTransport
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import StoreSalesService
import SwiftProtobuf
import TestSupport

/// One chain (a fresh tenant) on the store-sales service: its people, and the calls tests make.
struct StoreScene: Sendable {
    typealias Stores = Sales_Storesales_V1_StoreService.Client<InProcessTransport.Client>
    typealias Members = Sales_Storesales_V1_MemberService.Client<InProcessTransport.Client>
    typealias Receipts = Sales_Storesales_V1_ReceiptService.Client<InProcessTransport.Client>

    let stores: Stores
    let members: Members
    let receipts: Receipts
    let coupons: Sales_Storesales_V1_CouponService.Client<InProcessTransport.Client>
    let operations: Sales_Storesales_V1_StoreOperationsService.Client<InProcessTransport.Client>
    let rules: Sales_Common_V1_RuleSetService.Client<InProcessTransport.Client>
    let notifications: Sales_Notifications_V1_NotificationService.Client<InProcessTransport.Client>
    let tokens: TokenAuthority
    let database: Database

    let admin, manager, siblingManager, clerk, otherClerk, unmasker, stranger: Caller

    init(_ grpc: GRPCClient<InProcessTransport.Client>, tokens: TokenAuthority, database: Database) {
        stores = Stores(wrapping: grpc)
        members = Members(wrapping: grpc)
        receipts = Receipts(wrapping: grpc)
        coupons = .init(wrapping: grpc)
        operations = .init(wrapping: grpc)
        rules = .init(wrapping: grpc)
        notifications = .init(wrapping: grpc)
        self.tokens = tokens
        self.database = database
        let tenant = TenantID("chain-\(UInt32.random(in: 0...UInt32.max))")!
        admin = Caller(tenant: tenant, userID: "hq.admin", roles: [.admin], orgPath: "/")
        manager = Caller(tenant: tenant, userID: "chen.jing", roles: [.storeManager], orgPath: "/east/sh1")
        // A store manager whose path starts with the first one's, in a team of its own.
        siblingManager = Caller(tenant: tenant, userID: "chen.jun", roles: [.storeManager], orgPath: "/east/sh")
        clerk = Caller(tenant: tenant, userID: "wang.fang", roles: [.storeClerk], orgPath: "/east/sh1")
        otherClerk = Caller(tenant: tenant, userID: "liu.yang", roles: [.storeClerk], orgPath: "/east/sh1")
        unmasker = Caller(tenant: tenant, userID: "pii.officer", roles: [.storeManager, .unmaskPII], orgPath: "/")
        stranger = Caller(tenant: TenantID("chain-other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "wang.fang", roles: [.admin], orgPath: "/")
    }

    static func hosted<Result: Sendable>(
        environment: Environment = Environment(), _ body: @Sendable (StoreScene) async throws -> Result
    ) async throws -> Result {
        try await ServiceHarness.with(
            .storeSales, migrations: StoreSalesServer.migrations, build: { try StoreSalesServer.components($0, environment: environment) }
        ) { grpc, tokens, database in
            try await body(StoreScene(grpc, tokens: tokens, database: database))
        }
    }

    func metadata(_ caller: Caller, key: String? = nil) async throws -> Metadata {
        var metadata: Metadata = ["authorization": "Bearer \(try await tokens.sign(caller))"]
        if let key { metadata.addString(key, forKey: "idempotency-key") }
        return metadata
    }

    /// A store run by `manager`, with `clerk` and `otherClerk` at work in it and two products on file.
    func openStore(_ code: String = "SH-001", district: String = "徐家汇") async throws -> Sales_Storesales_V1_Store {
        let store = try await stores.createStore(
            .with {
                $0.code = code
                $0.name = "\(district)店"
                $0.city = "上海"
                $0.district = district
                $0.region = "华东"
            }, metadata: try await metadata(manager))
        for (user, name) in [(clerk.userID, "王芳"), (otherClerk.userID, "刘洋")] {
            _ = try await stores.addClerk(
                .with {
                    $0.storeID = store.id
                    $0.userID = user
                    $0.name = name
                }, metadata: try await metadata(manager))
        }
        _ = try await receipts.importProducts(
            .with {
                $0.rows = [Self.product(1, "SKU-CLEANSER", "洁面乳", 12_800), Self.product(2, "SKU-REMOVER", "卸妆水", 9_900)]
            }, metadata: try await metadata(manager))
        return store
    }

    static func product(_ line: Int32, _ sku: String, _ name: String, _ fen: Int64) -> Sales_Storesales_V1_ProductRow {
        .with {
            $0.line = line
            $0.sku = sku
            $0.name = name
            $0.category = "护肤"
            $0.price = .with {
                $0.minorUnits = fen
                $0.currency = "CNY"
            }
        }
    }

    /// A WeCom app channel that reaches the store manager and the clerks (never sent: nothing runs
    /// the delivery worker here; the deliveries are counted).
    func reachPeople() async throws {
        _ = try await notifications.putNotificationChannel(
            .with {
                $0.channel = .with {
                    $0.name = "wecom"
                    $0.kind = .wecomApp
                    $0.baseURL = "http://127.0.0.1:9"
                    $0.appID = "corp"
                    $0.secret = "s"
                    $0.agentID = 1
                    $0.handles = [manager.userID: "ChenJing", clerk.userID: "WangFang", otherClerk.userID: "LiuYang"]
                    $0.enabled = true
                }
            }, metadata: try await metadata(admin))
    }

    /// Deliveries of `notice` to `recipient` (a channel handle).
    func deliveries(_ notice: String, to recipient: String) async throws -> [String] {
        let rows = try await database.query(
            """
            SELECT body FROM notification_deliveries
            WHERE tenant_id = \(admin.tenant.rawValue) AND notice = \(notice) AND recipient = \(recipient) ORDER BY seq
            """)
        var bodies: [String] = []
        for try await body in rows.decode(String.self) { bodies.append(body) }
        return bodies
    }

    /// `mobile` scans `by`'s current code.
    func scan(_ mobile: String, of by: Caller, consent: Bool = true) async throws -> Sales_Storesales_V1_ScanClerkCodeResponse {
        let code = try await members.issueClerkCode(.init(), metadata: try await metadata(by))
        return try await members.scanClerkCode(
            .with {
                $0.code = code.payload
                $0.mobile = mobile
                $0.consent = consent
            }, metadata: try await metadata(admin))
    }

    static func money(_ fen: Int64) -> Sales_Common_V1_Money {
        .with {
            $0.minorUnits = fen
            $0.currency = "CNY"
        }
    }

    static func receipt(
        _ number: String, store: String = "SH-001", member: String = "", clerk: String = "", items: [(String, Int64, Int64, Int64)],
        soldAt: Date = Date().addingTimeInterval(-60)
    ) -> Sales_Storesales_V1_ReceiptInput {
        .with {
            $0.storeCode = store
            $0.receiptNumber = number
            $0.soldAt = .init(date: soldAt)
            $0.paymentMethod = "wechat"
            $0.memberMobile = member
            $0.clerkUserID = clerk
            $0.items = items.map { sku, quantity, unit, discount in
                .with {
                    $0.sku = sku
                    $0.quantity = quantity
                    $0.unitPrice = money(unit)
                    if discount > 0 { $0.discount = money(discount) }
                }
            }
        }
    }

    func record(_ receipt: Sales_Storesales_V1_ReceiptInput, by caller: Caller? = nil, key: String? = nil) async throws
        -> Sales_Storesales_V1_RecordReceiptResponse
    {
        try await receipts.recordReceipt(.with { $0.receipt = receipt }, metadata: try await metadata(caller ?? manager, key: key))
    }
}
