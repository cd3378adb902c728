import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The signal types a tenant's history and feed may carry: the built-in behaviour signals (the
/// opportunities service's twelve) and external ones, then those the tenant defines. A key
/// outside the catalog is refused on import rather than learned under a typo.
struct SignalCatalog: Sendable {
    let database: Database

    static let builtIn: [Sales_Forecasting_V1_ForecastSignal] =
        [
            ("proposal_opened", "客户打开方案"), ("tech_lead_demo", "技术负责人参加演示"),
            ("finance_requested_contract_template", "财务索要合同模板"), ("decision_maker_met", "见到决策人"),
            ("budget_confirmed", "预算已确认"), ("poc_started", "POC 已启动"), ("legal_review", "法务审核"),
            ("procurement_registered", "采购已立项"), ("price_objection", "价格异议"), ("competitor_price_cut", "竞品降价"),
            ("champion_left", "支持者离职"), ("customer_reply", "客户回复"),
        ].map { signal($0, $1, .behaviour, source: "opportunities") }
        + [
            signal("capital_increase", "工商变更: 增资扩股", .external, source: "company_registry"),
            signal("tender_published", "招标公告发布", .external, source: "tender_feed"),
            signal("competitor_news", "竞品动态", .external, source: "news_feed"),
        ]

    private static func signal(_ key: String, _ label: String, _ kind: Sales_Forecasting_V1_SignalKind, source: String)
        -> Sales_Forecasting_V1_ForecastSignal
    {
        .with {
            $0.key = key
            $0.label = label
            $0.kind = kind
            $0.source = source
        }
    }

    func list(tenant: TenantID) async throws -> [Sales_Forecasting_V1_ForecastSignal] {
        let rows = try await database.query(
            "SELECT key, label, kind, source, defined_by FROM forecast_signals WHERE tenant_id = \(tenant.rawValue) ORDER BY key")
        var own: [Sales_Forecasting_V1_ForecastSignal] = []
        for try await (key, label, kind, source, definedBy) in rows.decode((String, String, Int16, String, String).self) {
            own.append(
                .with {
                    $0.key = key
                    $0.label = label
                    $0.kind = .init(rawValue: Int(kind)) ?? .unspecified
                    $0.source = source
                    $0.definedBy = definedBy
                })
        }
        return Self.builtIn + own
    }

    /// Key to signal, for checking an import and labelling factors.
    func lookup(tenant: TenantID) async throws -> [String: Sales_Forecasting_V1_ForecastSignal] {
        Dictionary(try await list(tenant: tenant).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func define(_ signal: Sales_Forecasting_V1_ForecastSignal, by caller: Caller) async throws
        -> Sales_Forecasting_V1_ForecastSignal
    {
        guard Identifier.isSignalKey(signal.key) else {
            throw ServiceError.invalidArgument(
                field: "signal.key", rule: "must be 2 to 40 lowercase letters, digits or '_', starting with a letter (got \(quoted: signal.key))")
        }
        guard !Self.builtIn.contains(where: { $0.key == signal.key }) else {
            throw ServiceError.failedPrecondition("signal \(signal.key) is built in; define a key of your own")
        }
        guard signal.kind == .behaviour || signal.kind == .external else {
            throw ServiceError.invalidArgument(field: "signal.kind", rule: "must be behaviour or external")
        }
        var defined = signal
        defined.label = try Require.text(signal.label, field: "signal.label", maxLength: 40)
        defined.source = try Require.text(signal.source, field: "signal.source", maxLength: 40)
        defined.definedBy = caller.userID
        try await database.query(
            """
            INSERT INTO forecast_signals (tenant_id, key, label, kind, source, defined_by)
            VALUES (\(caller.tenant.rawValue), \(defined.key), \(defined.label), \(Int16(defined.kind.rawValue)), \(defined.source),
                    \(defined.definedBy))
            ON CONFLICT (tenant_id, key) DO UPDATE SET label = EXCLUDED.label, kind = EXCLUDED.kind, source = EXCLUDED.source,
                defined_by = EXCLUDED.defined_by
            """)
        return defined
    }
}
