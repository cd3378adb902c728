import SalesModel
import SalesProto
import ServiceKit

/// A new lead checked, graded and routed, ready to be written: everything the transaction needs,
/// including the request's context (the writing may happen in a batch, outside the request's task).
struct PreparedLead: Sendable {
    let lead: NewLead
    let request: Sales_Leads_V1_CreateLeadRequest
    let caller: Caller
    let customerKey: CustomerKey
    /// The phone's keyed hash (stored with the lead so repeat customers are found by index).
    let phoneHash: String?
    let grade: String
    /// Nil for a customer known to have an owner: the lead goes to them.
    let decision: RoutingDecision?
    let known: CustomerStore.KnownCustomer?
    /// The client's `idempotency-key`, or an intake adapter's key from the channel's message id.
    let idempotencyKey: Idempotency.Key?
    let context: RequestContext?
}
