import Foundation
import SalesModel
import ServiceKit

/// A new lead with everything its row needs: its customer's key, the phone's hash, its grade and
/// the owner it was assigned.
struct NewLeadRow: Sendable {
    let tenant: TenantID
    let lead: NewLead
    let key: CustomerKey
    let phoneHash: String?
    let grade: String
    let assignment: LeadAssignment
    let id = UUID.random()
}
