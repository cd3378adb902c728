import AsyncHTTPClient
import Foundation
import NIOCore
import SalesProto
import ServiceKit
import ServiceLifecycle

/// Everything a service needs to send reminders and escalations, assembled once in its
/// composition root: the notifier its handlers queue notices with (in the transaction of the
/// change they tell about), the admin API over its channels and delivery log, and the worker
/// that sends. The service lists `migrations` after the kit's.
///
/// Each service keeps its own channels and log in its own schema, as it keeps its own tables.
public struct Notifications: Sendable {
    public static let migrations = NotificationMigrations.all

    public let notifier: Notifier
    let store: NotificationStore
    let senders: NotificationSenders
    let interval: Duration
    let runtime: ServiceRuntime

    /// SALES_NOTIFY_SECONDS is how often the worker looks for due notices when none were due (default 1).
    public init(runtime: ServiceRuntime) throws {
        store = NotificationStore(
            database: runtime.database,
            sealing: SealedText(secret: runtime.configuration.jwtSecret, label: "sales.notification-channels.v1"))
        senders = NotificationSenders.standard()
        notifier = Notifier(store: store, senders: senders)
        interval = .seconds(try Environment().integer("SALES_NOTIFY_SECONDS", in: 1...3_600, default: 1))
        self.runtime = runtime
    }

    /// sales.notifications.v1.NotificationService, for the service's admins.
    public var api: HostedService {
        HostedService(Sales_Notifications_V1_NotificationService.descriptor, NotificationHandler(store: store, senders: senders))
    }

    /// The background job that sends due deliveries and retries failed ones.
    public func worker() -> any Service {
        NotificationWorkerService(store: store, senders: senders, logger: runtime.logger, interval: interval, health: runtime.health)
    }

    /// The client notices go out through: an address that does not answer fails within two
    /// seconds (the default waits ten), so its retry comes on time and the slot frees quickly.
    static func vendorClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(5))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
