import ForecastingService
import SalesModel
import ServiceKit

await ServiceMain.run(
    .forecasting, peers: ForecastingServer.peers + ForecastingServer.optionalPeers, migrations: ForecastingServer.migrations,
    build: { try ForecastingServer.components($0) })
