import Crypto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A week of the demo stores' operations: the chain's 双12 promotion and a Meituan set, a new
/// nebuliser on its way to the shelves, the chain's complaint topics, and each store's daily
/// uploads, done well in Guangzhou, half done in Shenzhen (where customers keep saying the
/// nebuliser is loud) and barely in Foshan. Uploads are keyed by their content and orders by
/// number, so loading again records nothing twice.
enum DemoStoreOperations {
    static let launchSKU = "NEB-200"

    static func load(tokens: [String: String], admin: Metadata, client: GRPCClient<HTTP2ClientTransport.Posix>) async throws {
        let operations = Sales_Storesales_V1_StoreOperationsService.Client(wrapping: client)
        _ = try await operations.savePromotion(
            .with {
                $0.code = "SHUANG12"
                $0.name = "双12会员满减"
                $0.firstDay = day(-6).description
                $0.lastDay = day(10).description
                $0.discountKind = .threshold
                $0.threshold = money(30_000)
                $0.amountOff = money(5_000)
                $0.items = ["堆头陈列", "海报张贴", "试用台"]
            }, metadata: admin)
        _ = try await operations.savePromotion(
            .with {
                $0.code = "MT-BP-SET"
                $0.name = "美团 血压计套餐"
                $0.firstDay = day(-6).description
                $0.lastDay = day(24).description
                $0.discountKind = .fixedPrice
                $0.fixedPrice = money(19_900)
                $0.items = ["团购海报"]
            }, metadata: admin)
        _ = try await Sales_Storesales_V1_ReceiptService.Client(wrapping: client).importProducts(
            .with {
                $0.rows = [
                    .with {
                        $0.line = 2
                        $0.sku = launchSKU
                        $0.name = "静音雾化器 二代"
                        $0.category = "呼吸护理"
                        $0.price = money(45_900)
                    }
                ]
            }, metadata: admin)
        _ = try await operations.saveProductLaunch(
            .with {
                $0.sku = launchSKU
                $0.firstDay = day(-5).description
                $0.dueDay = day(-1).description
            }, metadata: admin)
        _ = try await operations.setComplaintTopics(
            .with {
                $0.topics = [
                    topic("雾化器噪音大", scenario: "quiet-demo-room", ["噪音大", "太吵", "声音大", "声音太大"]),
                    topic("血压计袖带偏小", scenario: "cuff-fitting", ["袖带小", "绑不上", "袖带太紧"]),
                    topic("排队结账太久", scenario: "checkout", ["排队太久", "结账慢", "等太久"]),
                ]
            }, metadata: admin)

        // How much of its day each store uploads (shelf photos, consultations), by store.
        let effort = [(3, 5), (2, 4), (1, 2)]
        for (index, store) in DemoOrg.stores.enumerated() {
            let clerk: Metadata = ["authorization": "Bearer \(tokens[store.clerk]!)"]
            let (photos, consultations) = effort[index % effort.count]
            for daysAgo in 0..<7 {
                let date = day(-daysAgo)
                for photo in 0..<photos {
                    // The store shows as many of the promotion's items as it uploads photos; Guangzhou also shows the new nebuliser.
                    let items = ["堆头陈列", "海报张贴", "试用台"]
                    _ = try await operations.recordUpload(
                        .with {
                            $0.storeCode = store.code
                            $0.kind = .shelfPhoto
                            $0.day = date.description
                            $0.content = Data("demo shelf \(store.code) \(date) #\(photo)".utf8)
                            $0.contentType = "image/jpeg"
                            if daysAgo < 6 {
                                $0.promotionCode = "SHUANG12"
                                $0.promotionItem = items[photo % items.count]
                            }
                            if index == 0 && daysAgo == 2 && photo == 0 { $0.sku = launchSKU }
                        }, metadata: clerk)
                }
                for consultation in 0..<consultations {
                    // Shenzhen's customers say the nebuliser is loud three days running.
                    let loud = index == 1 && daysAgo < 3 && consultation == 0
                    _ = try await operations.recordUpload(
                        .with {
                            $0.storeCode = store.code
                            $0.kind = .consultation
                            $0.day = date.description
                            $0.recordingSha256 = hex("demo recording \(store.code) \(date) #\(consultation)")
                            $0.durationSeconds = Int32(120 + 37 * consultation)
                            $0.transcript =
                                loud
                                ? "顾客试用雾化器后说声音太大，晚上给孩子用怕吵醒，问有没有静音款。"
                                : ["顾客咨询电子血压计的测量方法，关心老人是否好操作。", "顾客问血糖试纸有没有会员价，登记了下次到店时间。"][consultation % 2]
                            if loud { $0.complaints = ["雾化器噪音大"] }
                        }, metadata: clerk)
                }
            }
        }
        try await recordOrders(operations: operations, tokens: tokens)
    }

    /// What a clerk owes after serving a member: nothing for consumables, a photo within 10 minutes
    /// for a sale of 300 yuan or more, else a note within the golden 15 minutes. Saved once, before
    /// the week's receipts, which keep what they owe.
    static func saveFeedbackRules(admin: Metadata, client: GRPCClient<HTTP2ClientTransport.Posix>) async throws {
        let rules = Sales_Common_V1_RuleSetService.Client(wrapping: client)
        if try await rules.listRuleSetVersions(.with { $0.name = "store-feedback" }, metadata: admin).versions.isEmpty {
            _ = try await rules.saveRuleSet(
                .with {
                    $0.name = "store-feedback"
                    $0.comment = "耗材不用反馈；300元以上大单10分钟内拍照反馈；其余15分钟内记录"
                    $0.activate = true
                    $0.rules = [
                        rule("consumables", #"{"in": ["耗材", {"var": "categories"}]}"#, #"{"minutes": 0}"#),
                        rule("big-sale-photo", #"{">=": [{"var": "total"}, 300]}"#, #"{"minutes": 10, "needs": "photo", "label": "大单拍照反馈"}"#),
                        rule("golden-15", "true", #"{"minutes": 15, "needs": "note", "label": "黄金15分钟"}"#),
                    ]
                }, metadata: admin)
        }
    }

    /// Meituan set orders: Guangzhou's at the set price, one of Foshan's with too much taken off.
    private static func recordOrders(
        operations: Sales_Storesales_V1_StoreOperationsService.Client<HTTP2ClientTransport.Posix>, tokens: [String: String]
    ) async throws {
        let orders: [(store: Int, number: String, amount: Int64, discount: Int64)] = [
            (0, "MT-20261201-0001", 29_900, 10_000), (0, "MT-20261201-0002", 29_900, 10_000), (2, "MT-20261201-0003", 29_900, 12_000),
        ]
        for order in orders {
            let store = DemoOrg.stores[order.store]
            _ = try await operations.recordUpload(
                .with {
                    $0.storeCode = store.code
                    $0.kind = .groupBuy
                    $0.content = Data("demo order screenshot \(order.number)".utf8)
                    $0.contentType = "image/png"
                    $0.groupBuy = .with {
                        $0.orderNumber = order.number
                        $0.promotionCode = "MT-BP-SET"
                        $0.orderAmount = money(order.amount)
                        $0.discount = money(order.discount)
                    }
                }, metadata: ["authorization": "Bearer \(tokens[store.clerk]!)"])
        }
    }

    private static func topic(_ name: String, scenario: String, _ keywords: [String]) -> Sales_Storesales_V1_ComplaintTopic {
        .with {
            $0.topic = name
            $0.scenario = scenario
            $0.keywords = keywords
        }
    }

    private static func rule(_ id: String, _ condition: String, _ outcome: String) -> Sales_Common_V1_RuleDefinition {
        .with {
            $0.id = id
            $0.conditionJson = condition
            $0.outcomeJson = outcome
        }
    }

    private static func money(_ fen: Int64) -> Sales_Common_V1_Money { .init(minorUnits: fen, currency: "CNY") }

    private static func hex(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).hexEncoded }

    /// The day `offset` days from today in the demo tenant's calendar (Shanghai).
    private static func day(_ offset: Int) -> LocalDate { WorkCalendar.standard.localDate(of: Date()).adding(days: offset) }
}
