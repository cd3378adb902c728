import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import StoreSalesService
import SwiftProtobuf
import TestSupport
import Testing

/// Store operations: the day's uploads (three shelf photos, five consultations, group-buy
/// screenshots checked against their promotion), promotion execution, new products reaching the
/// shelves, and the same complaint three days running.
@Suite struct StoreOperationsTests {
    @Test func theDaysUploadsAreCountedOnceAndTheBoardSaysWhatIsMissing() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            _ = try await scene.plainStore("SH-002", district: "静安寺")
            for photo in 1...3 { _ = try await scene.shelfPhoto("photo \(photo)") }
            let again = try await scene.shelfPhoto("photo 1")
            #expect(again.alreadyRecorded, "the same image for the same day is one upload")
            for recording in 1...5 { _ = try await scene.consultation(recording) }

            let board = try await scene.board()
            #expect(board.stores.map(\.storeCode) == ["SH-001", "SH-002"])
            let first = try #require(board.stores.first)
            #expect(first.shelfPhotos == 3 && first.consultations == 5 && first.uploadsComplete && first.missing.isEmpty)
            #expect(board.stores[1].missing == ["货架照片 0/3", "咨询录音 0/5"] && !board.stores[1].uploadsComplete)
            #expect(board.storesComplete == 1)
            // Yesterday is another day.
            #expect(try await scene.board(day: LocalDays.fromToday(-1)).stores.first?.shelfPhotos == 0)

            // The store's manager sees their store; the string-prefix sibling sees none; a clerk may not read the board.
            let managers = try await scene.operations.getOperationsBoard(.init(), metadata: try await scene.metadata(scene.manager))
            #expect(managers.stores.map(\.storeCode) == ["SH-001"])
            let sibling = try await scene.operations.getOperationsBoard(.init(), metadata: try await scene.metadata(scene.siblingManager))
            #expect(sibling.stores.isEmpty)
            let clerk = await #expect(throws: RPCError.self) {
                try await scene.operations.getOperationsBoard(.init(), metadata: try await scene.metadata(scene.clerk))
            }
            #expect(clerk?.code == .permissionDenied)
        }
    }

    @Test func groupBuyOrdersAreCheckedAgainstThePromotionAndExecutionIsCounted() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            _ = try await scene.plainStore("SH-002", district: "静安寺")
            let plan = try await scene.savePromotion(
                "DOUBLE12", kind: .threshold, items: ["堆头陈列", "海报张贴"]
            ) {
                $0.threshold = StoreScene.money(30_000)
                $0.amountOff = StoreScene.money(5_000)
            }
            #expect(plan.firstDay == LocalDays.fromToday(-2) && plan.items == ["堆头陈列", "海报张贴"])

            _ = try await scene.shelfPhoto("end cap", promotion: ("DOUBLE12", "堆头陈列"))
            let fits = try await scene.groupBuy("MT-1", promotion: "DOUBLE12", amount: 35_000, discount: 5_000)
            #expect(fits.discountCheck.matches && fits.discountCheck.expectedDiscount.minorUnits == 5_000)
            let underThreshold = try await scene.groupBuy("MT-2", promotion: "DOUBLE12", amount: 28_000, discount: 5_000)
            #expect(!underThreshold.discountCheck.matches && underThreshold.discountCheck.expectedDiscount.minorUnits == 0)
            let tooMuch = try await scene.groupBuy("MT-3", promotion: "DOUBLE12", amount: 40_000, discount: 8_000)
            #expect(tooMuch.discountCheck.reason.contains("took 80.00 CNY off") && tooMuch.discountCheck.reason.contains("50.00 CNY here"))
            let repeated = try await scene.groupBuy("MT-3", promotion: "DOUBLE12", amount: 40_000, discount: 8_000, image: "another screenshot")
            #expect(repeated.alreadyRecorded && repeated.id == tooMuch.id, "an order is recorded once")
            let reusedScreenshot = await #expect(throws: RPCError.self) {
                try await scene.groupBuy("MT-4", promotion: "DOUBLE12", amount: 40_000, discount: 5_000, image: "screenshot of MT-1")
            }
            #expect(reusedScreenshot?.code == .alreadyExists && reusedScreenshot?.message.contains("recorded for group-buy order MT-1") == true)

            // 八折 on an awkward amount: 20% of 123.45 is 24.69, rounded down to the fen.
            _ = try await scene.savePromotion("EIGHTY", kind: .percentOff, items: ["海报张贴"]) { $0.percentOffBp = 2_000 }
            let percent = try await scene.groupBuy("DY-1", promotion: "EIGHTY", amount: 12_345, discount: 2_469)
            #expect(percent.discountCheck.matches)

            let board = try await scene.board()
            let store = try #require(board.stores.first { $0.storeCode == "SH-001" })
            let double12 = try #require(store.promotions.first { $0.promotionCode == "DOUBLE12" })
            #expect(double12.itemsDone == 1 && double12.itemsPlanned == 2 && double12.executionBp == 5_000)
            #expect(double12.itemsMissing == ["海报张贴"] && double12.orders == 3 && double12.ordersMismatched == 2)
            #expect(store.groupBuyOrders == 4 && store.groupBuyMismatches == 2)
            let chain = try #require(board.promotions.first { $0.promotionCode == "DOUBLE12" })
            #expect(chain.stores == 2 && chain.itemsPlanned == 4 && chain.itemsDone == 1 && chain.executionBp == 2_500)

            let week = try await scene.stores.getStoreComparison(
                .with {
                    $0.from = LocalDays.fromToday(-6)
                    $0.to = LocalDays.fromToday(0)
                }, metadata: try await scene.metadata(scene.admin))
            let compared = try #require(week.rows.first { $0.key == "SH-001" })
            #expect(compared.promotionItemsPlanned == 3 && compared.promotionItemsDone == 1 && compared.promotionExecutionBp == 3_333)

            // What a shelf photo claims must be the promotion's.
            let wrongItem = await #expect(throws: RPCError.self) {
                try await scene.shelfPhoto("x", promotion: ("DOUBLE12", "门头"))
            }
            #expect(wrongItem?.message.hasPrefix("promotion_item: is not an item of DOUBLE12") == true, "\(String(describing: wrongItem))")
            #expect(wrongItem?.message.contains("堆头陈列, 海报张贴") == true)
            let noPromotion = await #expect(throws: RPCError.self) {
                try await scene.groupBuy("MT-9", promotion: "NOPE", amount: 100, discount: 0)
            }
            #expect(noPromotion?.message.hasPrefix("group_buy.promotion_code: names no promotion") == true)
            #expect(try await scene.operations.listPromotions(.init(), metadata: try await scene.metadata(scene.clerk)).promotions.count == 2)
        }
    }

    @Test func aNewProductReachesTheShelvesByPhotoOrSale() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            _ = try await scene.plainStore("SH-002", district: "静安寺")
            _ = try await scene.plainStore("SH-003", district: "五角场")
            let launch = try await scene.operations.saveProductLaunch(
                .with {
                    $0.sku = "SKU-CLEANSER"
                    $0.firstDay = LocalDays.fromToday(-3)
                    $0.dueDay = LocalDays.fromToday(-1)
                }, metadata: try await scene.metadata(scene.admin))
            #expect(launch.name == "洁面乳")
            _ = try await scene.shelfPhoto("new on the shelf", sku: "SKU-CLEANSER")
            _ = try await scene.record(StoreScene.receipt("N-1", store: "SH-002", items: [("SKU-CLEANSER", 1, 12_800, 0)]), by: scene.admin)

            let board = try await scene.board()
            let progress = try #require(board.launches.first)
            #expect(progress.storesTargeted == 3 && progress.storesReached == 2 && progress.progressBp == 6_666)
            #expect(progress.storesMissing == ["SH-003"] && progress.overdue)
            #expect(board.stores.first { $0.storeCode == "SH-003" }?.launchesMissing == ["SKU-CLEANSER"])
            // Before the launch started it is not on the board.
            #expect(try await scene.board(day: LocalDays.fromToday(-4)).launches.isEmpty)

            let unknown = await #expect(throws: RPCError.self) {
                try await scene.operations.saveProductLaunch(
                    .with {
                        $0.sku = "SKU-NONE"
                        $0.firstDay = LocalDays.fromToday(0)
                        $0.dueDay = LocalDays.fromToday(7)
                    }, metadata: try await scene.metadata(scene.admin))
            }
            #expect(unknown?.message.hasPrefix("sku: is not in the catalogue") == true)
            let photoOfUnknown = await #expect(throws: RPCError.self) { try await scene.shelfPhoto("y", sku: "SKU-NONE") }
            #expect(photoOfUnknown?.message.hasPrefix("sku: is not in the catalogue") == true)
        }
    }

    @Test func theSameComplaintThreeDaysRunningMakesAScenarioCandidateOnce() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            try await scene.reachPeople()
            let defaults = try await scene.operations.listComplaintTopics(.init(), metadata: try await scene.metadata(scene.clerk))
            #expect(defaults.defaults && defaults.topics.contains { $0.topic == "预制菜加热不便" && $0.scenario == "kitchen" })

            // Two days apart first, then the day between: the run is whole only with the last upload.
            let heard = ["顾客说预制菜回家不好加热"]
            let first = try await scene.consultation(1, complaints: heard, day: LocalDays.fromToday(-2))
            #expect(first.complaintTopics == ["预制菜加热不便"])
            _ = try await scene.consultation(2, complaints: heard, day: LocalDays.fromToday(0))
            #expect(try await scene.board().scenarioCandidates.isEmpty)
            // The transcript alone names it too.
            let third = try await scene.consultation(3, transcript: "她问能不能现场加热，说家里没有微波炉", day: LocalDays.fromToday(-1))
            #expect(third.complaintTopics == ["预制菜加热不便"])
            _ = try await scene.consultation(4, complaints: heard, day: LocalDays.fromToday(-1))

            let candidates = try await scene.board().scenarioCandidates
            #expect(candidates.count == 1)
            let candidate = try #require(candidates.first)
            #expect(candidate.storeCode == "SH-001" && candidate.scenario == "kitchen" && candidate.days == 3)
            #expect(candidate.firstDay == LocalDays.fromToday(-2) && candidate.lastDay == LocalDays.fromToday(0))
            let notices = try await scene.deliveries("scenario_candidate", to: "ChenJing")
            #expect(notices.count == 1, "announced once: \(notices)")
            #expect(notices.first?.contains("预制菜加热不便") == true && notices.first?.contains("kitchen") == true)

            // A chain's own topics replace the defaults; a complaint no topic knows is its own topic.
            let set = try await scene.operations.setComplaintTopics(
                .with {
                    $0.topics = [
                        .with {
                            $0.topic = "试衣间太挤"
                            $0.scenario = "fitting"
                            $0.keywords = ["试衣间小", "试衣间太小"]
                        }
                    ]
                }, metadata: try await scene.metadata(scene.admin))
            #expect(!set.defaults)
            let own = try await scene.consultation(5, complaints: ["试衣间太小了", "想要更多颜色"])
            #expect(own.complaintTopics == ["试衣间太挤", "想要更多颜色"])

            let badTopics = await #expect(throws: RPCError.self) {
                try await scene.operations.setComplaintTopics(
                    .with { $0.topics = [.with { $0.topic = "a" }, .with { $0.topic = "a" }] }, metadata: try await scene.metadata(scene.admin))
            }
            #expect(badTopics?.message.hasPrefix("topics[1].topic: repeats") == true)
            let byClerk = await #expect(throws: RPCError.self) {
                try await scene.operations.setComplaintTopics(
                    .with { $0.topics = [.with { $0.topic = "a" }] }, metadata: try await scene.metadata(scene.clerk))
            }
            #expect(byClerk?.code == .permissionDenied)
        }
    }

    @Test(arguments: StoreOperationsTests.badUploads)
    func aBadUploadIsRefusedNamingItsField(_ bad: BadUpload) async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            _ = try await scene.savePromotion("DOUBLE12", kind: .threshold, items: ["堆头陈列"]) {
                $0.threshold = StoreScene.money(30_000)
                $0.amountOff = StoreScene.money(5_000)
            }
            var request = Sales_Storesales_V1_RecordUploadRequest.with {
                $0.storeCode = "SH-001"
                $0.kind = .shelfPhoto
                $0.content = Data("photo".utf8)
                $0.contentType = "image/jpeg"
            }
            bad.change(&request)
            let error = await #expect(throws: RPCError.self) {
                try await scene.operations.recordUpload(request, metadata: try await scene.metadata(bad.caller(scene)))
            }
            #expect(error?.code == bad.code, "\(bad.name): \(String(describing: error))")
            #expect(error?.message.hasPrefix(bad.prefix) == true, "\(bad.name): \(error?.message ?? "")")
            #expect(try await scene.board().stores.first?.shelfPhotos == 0, "nothing of a refused upload is kept")
        }
    }

    @Test func aBadPromotionIsRefusedNamingItsField() async throws {
        try await StoreScene.hosted { scene in
            let cases: [(String, (inout Sales_Storesales_V1_Promotion) -> Void)] = [
                ("amount_off: is more than the threshold", { $0.amountOff = StoreScene.money(40_000) }),
                ("discount_kind: is required", { $0.discountKind = .unspecified }),
                ("last_day: must be on or after first_day", { $0.lastDay = LocalDays.fromToday(-5) }),
                ("first_day: must be a day like", { $0.firstDay = "12/01/2026" }),
                ("items[1]: repeats", { $0.items = ["堆头陈列", "堆头陈列"] }),
                ("items: a promotion has 1 to 20", { $0.items = [] }),
                ("store_codes[0]: must be 2 to 32", { $0.storeCodes = ["上海店"] }),
                (
                    "percent_off_bp: must be 1 to 9999",
                    {
                        $0.discountKind = .percentOff
                        $0.percentOffBp = 10_000
                    }
                ),
                ("amount_off.currency: must be the threshold's currency", { $0.amountOff.currency = "USD" }),
                ("name: must not contain NUL", { $0.name = "双12\u{0}" }),
            ]
            for (prefix, change) in cases {
                var promotion = Sales_Storesales_V1_Promotion.with {
                    $0.code = "DOUBLE12"
                    $0.name = "双12满减"
                    $0.firstDay = LocalDays.fromToday(-2)
                    $0.lastDay = LocalDays.fromToday(5)
                    $0.discountKind = .threshold
                    $0.threshold = StoreScene.money(30_000)
                    $0.amountOff = StoreScene.money(5_000)
                    $0.items = ["堆头陈列"]
                }
                change(&promotion)
                let error = await #expect(throws: RPCError.self) {
                    try await scene.operations.savePromotion(promotion, metadata: try await scene.metadata(scene.admin))
                }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix(prefix) == true, "\(prefix): \(error?.message ?? "")")
            }
            let listed = try await scene.operations.listPromotions(.init(), metadata: try await scene.metadata(scene.admin))
            #expect(listed.promotions.isEmpty)
        }
    }

    @Test func aKeyReplayedByAnotherClerkIsTheirOwnUpload() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            let mine = try await scene.consultation(1, key: "upload-1")
            let again = try await scene.consultation(1, key: "upload-1")
            #expect(again.id == mine.id && again.userID == scene.clerk.userID)
            let theirs = try await scene.consultation(2, by: scene.otherClerk, key: "upload-1")
            #expect(theirs.id != mine.id && theirs.userID == scene.otherClerk.userID && theirs.sha256 != mine.sha256)
            #expect(try await scene.board().stores.first?.consultations == 2)
        }
    }
}

/// One way to get an upload wrong, what it is refused with, and by whom it is sent.
struct BadUpload: Sendable, CustomTestStringConvertible {
    let name: String
    let code: RPCError.Code
    let prefix: String
    let sender: @Sendable (StoreScene) -> Caller
    let change: @Sendable (inout Sales_Storesales_V1_RecordUploadRequest) -> Void

    init(
        _ name: String, _ prefix: String, code: RPCError.Code = .invalidArgument, by sender: @escaping @Sendable (StoreScene) -> Caller = \.clerk,
        _ change: @escaping @Sendable (inout Sales_Storesales_V1_RecordUploadRequest) -> Void
    ) {
        (self.name, self.code, self.prefix, self.sender, self.change) = (name, code, prefix, sender, change)
    }

    func caller(_ scene: StoreScene) -> Caller { sender(scene) }
    var testDescription: String { name }
}

extension StoreOperationsTests {
    static let badUploads: [BadUpload] = [
        BadUpload("no kind", "kind: is required") { $0.kind = .unspecified },
        BadUpload("no image", "content: is empty") { $0.content = Data() },
        BadUpload("not an image", "content_type: must be one of") { $0.contentType = "text/plain" },
        BadUpload("too big", "content: is 3145729 bytes") { $0.content = Data(count: 3 * 1024 * 1024 + 1) },
        BadUpload("a transcript on a photo", "transcript: is for a consultation") { $0.transcript = "x" },
        BadUpload("tomorrow", "day: must be today") { $0.day = LocalDays.fromToday(1) },
        BadUpload("eight days back", "day: must be today") { $0.day = LocalDays.fromToday(-8) },
        BadUpload("a bad day", "day: must be a day like") { $0.day = "2026-13-01" },
        BadUpload("an item without its promotion", "promotion_item: and promotion_code go together") { $0.promotionItem = "堆头陈列" },
        BadUpload("a consultation with an image", "content: is for a photo or screenshot") { $0.kind = .consultation },
        BadUpload("a consultation without its recording", "recording_sha256: must be the recording's hex SHA-256") {
            $0.kind = .consultation
            $0.content = Data()
            $0.transcript = "顾客问价格"
            $0.durationSeconds = 60
        },
        BadUpload("a transcript with NUL", "transcript: must not contain NUL") {
            $0.kind = .consultation
            $0.content = Data()
            $0.recordingSha256 = String(repeating: "a", count: 64)
            $0.durationSeconds = 60
            $0.transcript = "顾客\u{0}问价格"
        },
        BadUpload("a group-buy order without the order", "group_buy: is required") { $0.kind = .groupBuy },
        BadUpload("a discount in another currency", "group_buy.discount.currency: must be the order's currency") {
            $0.kind = .groupBuy
            $0.groupBuy = .with {
                $0.orderNumber = "MT-1"
                $0.promotionCode = "DOUBLE12"
                $0.orderAmount = StoreScene.money(30_000)
                $0.discount = .with {
                    $0.minorUnits = 100
                    $0.currency = "USD"
                }
            }
        },
        BadUpload("another chain's store", "store SH-001", code: .notFound, by: \.stranger) { _ in },
        BadUpload("a store manager's sibling", "store SH-001", code: .notFound, by: \.siblingManager) { _ in },
    ]
}

extension StoreScene {
    /// A store with no clerks of its own, opened by head office (not the manager's).
    func plainStore(_ code: String, district: String) async throws -> Sales_Storesales_V1_Store {
        try await stores.createStore(
            .with {
                $0.code = code
                $0.name = "\(district)店"
                $0.city = "上海"
                $0.district = district
            }, metadata: try await metadata(admin))
    }

    func shelfPhoto(
        _ image: String, store: String = "SH-001", promotion: (code: String, item: String)? = nil, sku: String = ""
    ) async throws -> Sales_Storesales_V1_StoreUpload {
        try await operations.recordUpload(
            .with {
                $0.storeCode = store
                $0.kind = .shelfPhoto
                $0.content = Data(image.utf8)
                $0.contentType = "image/jpeg"
                if let promotion {
                    $0.promotionCode = promotion.code
                    $0.promotionItem = promotion.item
                }
                $0.sku = sku
            }, metadata: try await metadata(clerk))
    }

    /// The consultation recorded as `recording` (its hash is made from the number).
    func consultation(
        _ recording: Int, complaints: [String] = [], transcript: String = "顾客咨询洁面乳的用法", day: String = "", by: Caller? = nil,
        key: String? = nil
    ) async throws -> Sales_Storesales_V1_StoreUpload {
        try await operations.recordUpload(
            .with {
                $0.storeCode = "SH-001"
                $0.kind = .consultation
                $0.recordingSha256 = String(format: "%064x", recording)
                $0.durationSeconds = 180
                $0.transcript = transcript
                $0.complaints = complaints
                $0.day = day
            }, metadata: try await metadata(by ?? clerk, key: key))
    }

    func groupBuy(
        _ number: String, promotion: String, amount: Int64, discount: Int64, image: String? = nil
    ) async throws -> Sales_Storesales_V1_StoreUpload {
        try await operations.recordUpload(
            .with {
                $0.storeCode = "SH-001"
                $0.kind = .groupBuy
                $0.content = Data((image ?? "screenshot of \(number)").utf8)
                $0.contentType = "image/png"
                $0.groupBuy = .with {
                    $0.orderNumber = number
                    $0.promotionCode = promotion
                    $0.orderAmount = StoreScene.money(amount)
                    $0.discount = StoreScene.money(discount)
                }
            }, metadata: try await metadata(clerk))
    }

    /// A promotion from two days ago to five days ahead, every store.
    func savePromotion(
        _ code: String, kind: Sales_Storesales_V1_DiscountKind, items: [String], rule: (inout Sales_Storesales_V1_Promotion) -> Void
    ) async throws -> Sales_Storesales_V1_Promotion {
        var promotion = Sales_Storesales_V1_Promotion.with {
            $0.code = code
            $0.name = code
            $0.firstDay = LocalDays.fromToday(-2)
            $0.lastDay = LocalDays.fromToday(5)
            $0.discountKind = kind
            $0.items = items
        }
        rule(&promotion)
        return try await operations.savePromotion(promotion, metadata: try await metadata(admin))
    }

    func board(day: String = "") async throws -> Sales_Storesales_V1_OperationsBoard {
        try await operations.getOperationsBoard(.with { $0.day = day }, metadata: try await metadata(admin))
    }
}
