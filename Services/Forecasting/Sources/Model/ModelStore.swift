import Foundation
import PostgresNIO
import SalesModel
import ServiceKit

/// Each tenant's trained models, newest first; scoring uses the latest.
struct ModelStore: Sendable {
    let database: Database

    func save(_ model: WinModel, tenant: TenantID) async throws {
        let body = String(decoding: try JSONEncoder().encode(model), as: UTF8.self)
        try await database.query(
            """
            INSERT INTO forecast_models (tenant_id, model_id, trained_at, as_of, body)
            VALUES (\(tenant.rawValue), \(model.id), \(model.trainedAt), \(model.asOf), \(body)::jsonb)
            """)
        // The latest few are kept, for comparing a retrain with the one before.
        try await database.query(
            """
            DELETE FROM forecast_models WHERE tenant_id = \(tenant.rawValue) AND model_id NOT IN (
                SELECT model_id FROM forecast_models WHERE tenant_id = \(tenant.rawValue) ORDER BY trained_at DESC LIMIT 5)
            """)
    }

    func latest(tenant: TenantID) async throws -> WinModel? {
        let rows = try await database.query(
            "SELECT body::text FROM forecast_models WHERE tenant_id = \(tenant.rawValue) ORDER BY trained_at DESC LIMIT 1")
        for try await body in rows.decode(String.self) { return try JSONDecoder().decode(WinModel.self, from: Data(body.utf8)) }
        return nil
    }
}
