import Foundation
import Synchronization

/// Pipeline versions already parsed and compiled, by what their row holds: a version never
/// changes once saved, so a stage move or an import reads the row but does not parse its
/// definition and compile its requirements again. Bounded: emptied when it grows past `limit`.
final class ParsedPipelines: Sendable {
    struct Key: Hashable, Sendable {
        let version: Int32
        let savedBy: String
        let savedAt: Date
        let definition: String
    }

    private let entries = Mutex<[Key: PipelineDefinition]>([:])
    private let limit: Int

    init(limit: Int = 512) { self.limit = limit }

    func definition(for key: Key, parse: () throws -> PipelineDefinition) throws -> PipelineDefinition {
        if let known = entries.withLock({ $0[key] }) { return known }
        let parsed = try parse()
        entries.withLock {
            if $0.count >= limit { $0.removeAll(keepingCapacity: true) }
            $0[key] = parsed
        }
        return parsed
    }
}
