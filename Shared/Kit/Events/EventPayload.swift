import SalesProto
import SwiftProtobuf

extension Sales_Common_V1_EventEnvelope {
    /// The typed payload; a type mismatch or unreadable JSON is a producer bug, reported as such.
    public func payload<M: SwiftProtobuf.Message>(as type: M.Type) throws -> M {
        guard eventType == M.protoMessageName else {
            throw ServiceError.failedPrecondition("event \(eventID) is a \(eventType), not a \(M.protoMessageName)")
        }
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true  // newer producers may add fields
        return try M(jsonString: payloadJson, options: options)
    }
}
