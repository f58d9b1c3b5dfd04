import ConversationCore
import Testing

@Suite("TokenEstimator")
struct TokenEstimatorTests {
    @Test func estimatesRoughlyFourLettersPerToken() {
        let estimator = TokenEstimator()
        #expect(estimator.estimate("") == 0)
        #expect(estimator.estimate("abcdefgh") == 2)
        #expect(estimator.estimate("12345678") == 4)
        #expect(estimator.estimate("ééé") == 3)
    }

    @Test func firstReportSetsTheRatioAndLaterOnesAreSmoothed() {
        var estimator = TokenEstimator(key: "openai/gpt-4o")
        #expect(!estimator.isCalibrated)
        estimator.calibrate(estimatedInput: 1_000, reportedInput: 1_300)
        #expect(abs(estimator.ratio - 1.3) < 1e-9)
        #expect(estimator.isCalibrated)
        // Estimates now carry the ratio; a report matching the new estimate leaves it alone.
        estimator.calibrate(estimatedInput: 1_300, reportedInput: 1_300)
        #expect(abs(estimator.ratio - 1.3) < 1e-9)
        estimator.calibrate(estimatedInput: 1_300, reportedInput: 2_600)
        #expect(estimator.ratio > 1.3 && estimator.ratio < 2.6)
    }

    @Test func ratioIsClampedAndTinyReportsAreIgnored() {
        var estimator = TokenEstimator()
        estimator.calibrate(estimatedInput: 10, reportedInput: 1_000)
        #expect(!estimator.isCalibrated)
        estimator.calibrate(estimatedInput: 100, reportedInput: 100_000)
        #expect(estimator.ratio == TokenEstimator.maximumRatio)
        estimator.calibrate(estimatedInput: 100_000, reportedInput: 1)
        #expect(estimator.ratio >= TokenEstimator.minimumRatio)
    }

    @Test func calibrationIsKeptPerProviderAndModel() {
        var estimator = TokenEstimator(key: TokenEstimator.key(provider: "anthropic", model: "claude-sonnet-4-5"))
        estimator.calibrate(estimatedInput: 1_000, reportedInput: 1_200)
        estimator.key = TokenEstimator.key(provider: "ollama", model: "llama3.1")
        #expect(estimator.ratio == 1)
        estimator.key = "anthropic/claude-sonnet-4-5"
        #expect(abs(estimator.ratio - 1.2) < 1e-9)
    }

    @Test func overflowRaisesTheRatioHarderThanCalibration() {
        var estimator = TokenEstimator()
        estimator.recordOverflow(sentEstimate: 1_000, reportedPromptTokens: 1_200, limit: 1_100)
        #expect(estimator.ratio >= 1.32 - 1e-9)
        let before = estimator.ratio
        estimator.recordOverflow(sentEstimate: 1_000, reportedPromptTokens: nil, limit: nil)
        #expect(estimator.ratio > before)
        let afterUnknown = estimator.ratio
        estimator.recordOverflow(sentEstimate: 1_000, reportedPromptTokens: nil, limit: 2_000)
        #expect(estimator.ratio >= afterUnknown * 2)
    }
}
