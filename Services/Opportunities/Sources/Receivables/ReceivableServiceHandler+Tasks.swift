import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The reps' collection tasks and the sweep on demand.
extension ReceivableServiceHandler {
    func listCollectionTasks(
        request: Sales_Opportunities_V1_ListCollectionTasksRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListCollectionTasksResponse {
        let caller = try RequestContext.caller()
        let page = try Page(request.page)
        let (rows, next) = page.finish(try await sweeper.tasks.list(for: caller, openOnly: request.openOnly, page: page), seq: \.seq)
        return .with {
            $0.tasks = rows.map(\.task)
            $0.page = next
        }
    }

    func completeCollectionTask(
        request: Sales_Opportunities_V1_CompleteCollectionTaskRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_CollectionTask {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        let outcome = try Require.text(request.outcome, field: "outcome", maxLength: 200)
        return try await Idempotency.run("CompleteCollectionTask", request: request, database: receivables.database) { connection in
            guard let task = try await sweeper.tasks.complete(id, outcome: outcome, for: caller, on: connection) else {
                throw ServiceError.notFound(kind: "collection task", id: id.apiString)
            }
            return task
        }
    }

    func sweepReceivables(
        request: Sales_Opportunities_V1_SweepReceivablesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_SweepReceivablesResponse {
        let caller = try RequestContext.caller(allowedTo: .keepAccounts, "sweeping receivables")
        let (tasks, escalated) = try await sweeper.sweep(tenant: caller.tenant)
        return .with {
            $0.tasksCreated = Int32(tasks)
            $0.escalated = Int32(escalated)
        }
    }
}
