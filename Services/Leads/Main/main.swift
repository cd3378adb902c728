import APIIntake
import DouyinIntake
import LeadIntake
import LeadsService
import MeituanIntake
import SalesModel
import ServiceKit
import StorePOSIntake
import TradeShowIntake
import WeChatIntake
import WebFormIntake

/// The intake channels this executable ships; SALES_LEADS_INTAKE chooses which are active.
let adapters: [any IntakeAdapter] = [
    WebFormIntake(), DouyinIntake(), WeChatIntake(), MeituanIntake(), TradeShowIntake(), StorePOSIntake(), APIIntake(),
]

await ServiceMain.run(.leads, peers: LeadsServer.peers + LeadsServer.optionalPeers, migrations: LeadsServer.migrations) { runtime in
    try LeadsServer.components(runtime, adapters: adapters)
}
