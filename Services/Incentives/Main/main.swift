import IncentivesService
import SalesModel
import ServiceKit

await ServiceMain.run(
    .incentives, peers: IncentivesServer.peers, migrations: IncentivesServer.migrations, build: IncentivesServer.components)
