import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit

/// The ERP link, on demand: finance syncs now, or sees where the link stands.
extension ReceivableServiceHandler {
    func syncErp(request: Sales_Opportunities_V1_SyncErpRequest, context: ServerContext) async throws -> Sales_Opportunities_V1_SyncErpResponse {
        let caller = try RequestContext.caller(allowedTo: .keepAccounts, "syncing with the ERP")
        return try await linkedErp().sync(tenant: caller.tenant, by: caller)
    }

    func getErpLink(request: Sales_Opportunities_V1_GetErpLinkRequest, context: ServerContext) async throws -> Sales_Opportunities_V1_ErpLink {
        let caller = try RequestContext.caller(allowedTo: .keepAccounts, "reading the ERP link")
        let erp = try linkedErp()
        var link = try await erp.links.find(tenant: caller.tenant)
        link.kind = erp.erp.kind
        link.ordersWaiting = Int32(try await contracts.countWaitingForErp(tenant: caller.tenant))
        return link
    }

    private func linkedErp() throws(ServiceError) -> ErpSync {
        guard let erp else {
            throw .failedPrecondition("no ERP is linked (SALES_OPPORTUNITIES_ERP=none); set it to file, or to the tenant's ERP plugin")
        }
        return erp
    }
}
