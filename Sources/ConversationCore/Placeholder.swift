public enum ConversationCorePlaceholder {}
