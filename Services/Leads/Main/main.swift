import LeadsService
import ServiceKit

await ServiceMain.run(.leads, peers: LeadsServer.peers, migrations: LeadsServer.migrations, build: LeadsServer.components)
