public enum REPLPlaceholder {}
