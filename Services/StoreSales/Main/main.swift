import SalesModel
import ServiceKit
import StoreSalesService

await ServiceMain.run(
    .storeSales, peers: StoreSalesServer.peers, migrations: StoreSalesServer.migrations, build: StoreSalesServer.components)
