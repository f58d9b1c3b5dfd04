import ConversationCore
import Testing

@Suite("ModelCatalog")
struct ModelCatalogTests {
    @Test func knownModelsHaveTheirWindows() {
        #expect(ModelCatalog.contextWindow(for: "claude-sonnet-4-5") == 200_000)
        #expect(ModelCatalog.contextWindow(for: "anthropic/claude-haiku-4-5") == 200_000)
        #expect(ModelCatalog.contextWindow(for: "gpt-4o-mini") == 128_000)
        #expect(ModelCatalog.contextWindow(for: "gpt-4.1") == 1_047_576)
        #expect(ModelCatalog.contextWindow(for: "gemini-2.5-pro") == 1_048_576)
        #expect(ModelCatalog.contextWindow(for: "gemini-3.0-flash") == 1_048_576)
        #expect(ModelCatalog.contextWindow(for: "llama3.1:8b") == 131_072)
        #expect(ModelCatalog.contextWindow(for: "llama3:latest") == 8_192)
    }

    @Test func unknownModelsFallBackToTheConservativeDefault() {
        #expect(ModelCatalog.contextWindow(for: "my-finetune") == nil)
        #expect(ModelCatalog.contextWindowOrDefault(for: "my-finetune") == 8_192)
    }

    @Test func budgetPrefersTheOverride() {
        let budget = ContextBudget.forModel("claude-sonnet-4-5", reservedForAnswer: 4_096, contextWindowOverride: 32_000)
        #expect(budget.contextWindow == 32_000)
        #expect(budget.available == 32_000 - 4_096 - 1_600)
    }
}
