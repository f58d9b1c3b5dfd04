public enum SafeguardsPlaceholder {}
