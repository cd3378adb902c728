import GRPCCore
import SwiftProtobuf

/// Every request message of every service passes `TextCheck` as its handler reads it, so no
/// handler can forget a field and nothing a caller typed reaches Postgres unchecked.
struct TextCheckInterceptor: ServerInterceptor {
    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let checked = request.messages.map { message in
            if let message = message as? any SwiftProtobuf.Message, !(message is any TextCheckedByItem) { try TextCheck.validate(message) }
            return message
        }
        return try await next(StreamingServerRequest(metadata: request.metadata, messages: RPCAsyncSequence(wrapping: checked)), context)
    }
}

/// A request of many items (an import's rows) whose handler passes each item through `TextCheck`
/// itself, so one bad cell refuses its row alone instead of ending the whole stream.
public protocol TextCheckedByItem: SwiftProtobuf.Message {}
