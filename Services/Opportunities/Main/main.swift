import OpportunitiesService
import SalesModel
import ServiceKit

await ServiceMain.run(
    .opportunities, peers: OpportunitiesServer.peers + OpportunitiesServer.optionalPeers, migrations: OpportunitiesServer.migrations,
    build: { try OpportunitiesServer.components($0) })
