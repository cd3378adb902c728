import GatewayService
import SalesModel
import ServiceKit

await ServiceMain.run(.gateway, peers: GatewayServer.peers, migrations: GatewayServer.migrations, build: GatewayServer.components)
