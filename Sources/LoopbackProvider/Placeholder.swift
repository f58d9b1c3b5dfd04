public enum LoopbackProviderPlaceholder {}
