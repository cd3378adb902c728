import ForecastingService
import SalesModel
import ServiceKit

await ServiceMain.run(
    .forecasting, peers: ForecastingServer.peers, migrations: ForecastingServer.migrations, build: ForecastingServer.components)
