import SalesModel
import ServiceKit
import StoreSalesService

await ServiceMain.run(
    .storeSales, peers: StoreSalesServer.peers + StoreSalesServer.optionalPeers, migrations: StoreSalesServer.migrations,
    build: { try StoreSalesServer.components($0) })
