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

    /// The latest model, unless an earlier build saved it in another shape or for other inputs:
    /// then none, and the caller trains a new one (rather than failing every read until the
    /// scheduled retraining, or scoring with weights that do not match).
    func latest(tenant: TenantID) async throws -> WinModel? {
        let rows = try await database.query(
            "SELECT body::text FROM forecast_models WHERE tenant_id = \(tenant.rawValue) ORDER BY trained_at DESC LIMIT 1")
        for try await body in rows.decode(String.self) {
            let model: WinModel
            do { model = try JSONDecoder().decode(WinModel.self, from: Data(body.utf8)) } catch {
                database.logger.notice(
                    "a saved forecast model no longer decodes; retraining", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                return nil
            }
            guard model.fitsThisBuild else {
                database.logger.notice(
                    "a saved forecast model was fitted on other inputs; retraining",
                    metadata: ["tenant": "\(tenant)", "model": "\(model.id)", "inputs": "\(model.inputsVersion.map(String.init) ?? "none")"])
                return nil
            }
            return model
        }
        return nil
    }
}
