print("incident-bench: not yet")
