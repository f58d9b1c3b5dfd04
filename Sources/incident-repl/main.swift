print("incident-repl")
