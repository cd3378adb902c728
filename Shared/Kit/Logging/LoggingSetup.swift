import Logging
import Synchronization

/// Bootstraps swift-log once per process: readable lines locally, JSON when SALES_LOG_FORMAT=json.
public enum LoggingSetup {
    private static let done = Mutex(false)

    public static func bootstrap(format: ServiceConfiguration.LogFormat, level: String) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = parsed
                return handler
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = parsed
                return handler
            }
        }
    }
}
