import SalesProto
import Testing

@testable import OpportunitiesService

/// Matching an objection to playbook atoms: the words first, then the stage and the customer type.
@Suite struct PlaybookMatchTests {
    func score(_ said: String, _ atom: String, stage: String = "商务谈判", atomStage: String = "*", type: String = "三甲医院", atomType: String = "*")
        -> Double?
    {
        PlaybookMatch.score(
            objection: said, atomObjection: atom, stage: stage, atomStage: atomStage, customerType: type, atomCustomerType: atomType)
    }

    @Test func theSameObjectionBeatsOneInsideItBeatsASimilarOne() throws {
        let same = try #require(score("价格 太高！", "价格太高"))
        let inside = try #require(score("你们价格太高了，比竞品贵", "价格太高"))
        let similar = try #require(score("价格太贵了", "价格太高"))
        #expect(same == 3 && inside == 2)
        #expect(similar > 1 && similar < 2)
        #expect(score("交期太长", "价格太高") == nil, "an unrelated objection does not match")
        #expect(score("", "价格太高") == nil)
    }

    @Test func aStageOrCustomerTypeOfItsOwnMustFitAndCountsWhenItDoes() {
        #expect(score("价格太高", "价格太高", atomStage: "方案报价") == nil)
        #expect(score("价格太高", "价格太高", atomType: "民营医院") == nil)
        #expect(score("价格太高", "价格太高", atomStage: "商务谈判") == 4)
        #expect(score("价格太高", "价格太高", atomStage: "商务谈判", atomType: "三甲医院") == 4.5)
    }

    @Test func figuresSayHowMuchMoreOftenDealsWereWonOnlyWithEnoughClosedDeals() {
        let few = PlaybookFigures.make(regional: 5, uses: 9, closed: 4, won: 4, baseWon: 4, baseClosed: 10)
        #expect(!few.hasWinLiftPercent && few.summary.contains("不足 5 个"))
        let enough = PlaybookFigures.make(regional: 5, uses: 9, closed: 6, won: 4, baseWon: 4, baseClosed: 10)
        #expect(enough.winLiftPercent == 67 && enough.summary == "本区域 7 天内使用 5 次；使用后赢单率高 67%")
        let worse = PlaybookFigures.make(regional: 0, uses: 9, closed: 5, won: 1, baseWon: 5, baseClosed: 10)
        #expect(worse.winLiftPercent == -60 && worse.summary.hasSuffix("使用后赢单率低 60%"))
    }
}
