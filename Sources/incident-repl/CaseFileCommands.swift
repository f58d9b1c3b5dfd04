import ArgumentParser
import IncidentREPLKit
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Prints a report of ``CaseFileCommands`` and exits with its status.
func finish(_ report: CaseFileCommands.Report) throws {
    for line in report.output { print(line) }
    for line in report.errors { FileHandleless.writeError(line + "\n") }
    if report.status != 0 { throw ExitCode(report.status) }
}

enum FileHandleless {
    static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0, errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

var standardStore: SessionStore { SessionStore.standard(environment: ProcessInfo.processInfo.environment) }

/// `incident-repl search TERM`.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident-repl search",
        abstract: "Search every journaled session for an indicator or text, without a model.",
        discussion: """
        An indicator matches in any spelling: defanged (203.0.113[.]45, hxxps://evil[.]example), any case, \
        any IPv6 form; a domain also finds the URLs and e-mail addresses on it. Anything else is searched as \
        text, ignoring case. Prints session, turn, time and the matching line per hit, oldest first. \
        Exit status 0 with hits, 1 without.
        """
    )

    @Argument(help: "An indicator, or text (quote several words).")
    var term: [String]

    func validate() throws {
        if term.joined(separator: " ").allSatisfy(\.isWhitespace) { throw ValidationError("search needs a term") }
    }

    func run() throws {
        try finish(CaseFileCommands.search(term.joined(separator: " "), store: standardStore))
    }
}

/// `incident-repl sessions`.
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident-repl sessions",
        abstract: "List journaled sessions: time span, messages, indicators and the first question."
    )

    func run() throws {
        try finish(CaseFileCommands.sessions(store: standardStore))
    }
}

/// `incident-repl verify [SESSION]`.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident-repl verify",
        abstract: "Check a session journal's hash chain and name the first line that breaks it.",
        discussion: """
        Prints the final chain hash, to match against the one at the end of exported notes. \
        Exit status 0 intact, 1 broken, 3 for a journal written before chaining (cannot be verified), 2 on an error.
        """
    )

    @Argument(help: "The session name (default: the latest).")
    var session: String?

    func run() throws {
        try finish(CaseFileCommands.verify(session, store: standardStore))
    }
}
