#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore

extension ChatSession {
    /// `/file PATH[:FIRST-LAST] [PATH…] [--tail N | --grep PATTERN]`: reads the files and attaches
    /// them to the next question, if they fit the window; `/file` alone lists the evidence;
    /// `/file --clear` drops what waits for the next question.
    func attachEvidence(_ argument: String) async {
        if argument.isEmpty { return listEvidence() }
        if argument == "--clear" {
            let count = evidence.staged.count
            evidence.staged = []
            return say(count == 0 ? "no evidence was waiting" : "dropped \(count) file\(count == 1 ? "" : "s") waiting for the next question")
        }
        await settleContextWindow()
        let environment = ProcessInfo.processInfo.environment
        let directory = FileManager.default.currentDirectoryPath
        var files: [EvidenceFile] = []
        do {
            let requests = try EvidenceRequest.parse(argument) { written in
                EvidenceReader.exists(EvidenceReader.absolutePath(written, environment: environment, currentDirectory: directory))
            }
            for request in requests {
                files.append(try EvidenceReader.read(request, environment: environment, currentDirectory: directory))
            }
        } catch {
            return evidenceFailure("\(error); nothing attached")
        }
        if let refusal = stage(files) { evidenceFailure(refusal) }
    }

    /// Stages files for the next question if they fit (with what is already staged) next to the
    /// system prompt, the pins and a short question; otherwise returns why not, with what would
    /// fit, and stages nothing.
    @discardableResult
    public func stage(_ files: [EvidenceFile]) -> String? {
        let candidate = evidence.staged + files
        if let refusal = evidenceRefusal(candidate, question: "(your next question)") { return refusal }
        evidence.staged = candidate
        for file in files {
            if let notice = file.notice { warn("\(file.name): " + notice) }
            var line = "attached \(file.name): \(file.attachedLines.grouped) line\(file.attachedLines == 1 ? "" : "s")"
            if let selection = file.selection { line += " (\(selection) of \(file.totalLines.grouped))" }
            line += ", about \(estimator.estimate(file.text).grouped) tokens, SHA-256 \(file.sha256); it goes with your next question as untrusted data"
            say(line)
            if file.replacedSequences > 0 {
                warn("\(file.name): \(file.replacedSequences) invalid UTF-8 sequence\(file.replacedSequences == 1 ? "" : "s") shown as \u{FFFD}")
            }
        }
        return nil
    }

    /// Appends the analyst's question to the conversation and the journal, with the staged
    /// evidence if there is any. Returns false, having appended nothing, when the question and
    /// the evidence together do not fit the window (the evidence stays staged).
    func appendQuestion(_ question: String) -> Bool {
        guard !evidence.staged.isEmpty else {
            conversation.appendUser(question)
            record { try $0.recordQuestion(question) }
            return true
        }
        let files = evidence.staged
        if let refusal = evidenceRefusal(files, question: question) {
            echo(question)
            reportFailure(refusal + "\nYour question was not sent; the evidence is still attached (/file --clear drops it).")
            return false
        }
        let message = conversation.appendUser(question, attachments: files.map(\.attachment))
        // The evidence lines come first: replaying a `.user` line attaches the evidence before it.
        record { journal in
            for file in files { try journal.append(.evidence(file)) }
            try journal.recordQuestion(question)
        }
        evidence.attached += files.map { AttachedEvidence(messageID: message.id, file: $0) }
        evidence.staged = []
        return true
    }

    /// The question to ask again for `/retry` of `message`: when evidence went with it, the
    /// question as typed, with those files staged again (unless others wait already), so the retry
    /// carries the same evidence, journaled as such, rather than the whole message as a paste.
    func questionForRetry(_ message: Message) -> String {
        let files = evidence.attached.filter { $0.messageID == message.id }.map(\.file)
        guard let first = files.first, evidence.staged.isEmpty,
              let start = message.text.firstRange(of: "\n\n" + first.attachment.header)
        else { return message.text }
        evidence.staged = files
        return String(message.text[..<start.lowerBound])
    }

    /// Why `files` with `question` would not fit the window (with what would), or nil if they fit.
    func evidenceRefusal(_ files: [EvidenceFile], question: String) -> String? {
        let attachments = files.map(\.attachment)
        let draft = conversation.draft(appendingUser: Attachment.compose(question: question, attachments: attachments))
        do {
            _ = try draft.makeView(budget: budget, estimator: estimator)
            return nil
        } catch .contextTooSmall(let required, let available) {
            let needed = estimator.estimate(Attachment.compose(question: "", attachments: attachments))
            let free = max(0, available - max(0, required - needed))
            return EvidenceBudgetAdvice(
                files: files, needed: needed, free: free, contextWindow: options.contextWindow,
                reservedForAnswer: options.maxTokens, fileTokens: files.map { estimator.estimate($0.text) }
            ).message
        } catch {
            return "\(error)"
        }
    }

    /// `/file` alone: what waits for the next question, and what was sent.
    func listEvidence() {
        if evidence.staged.isEmpty && evidence.attached.isEmpty {
            return say("no evidence yet: /file PATH attaches a file to your next question (tab completes paths)")
        }
        if !evidence.staged.isEmpty {
            say("waiting for your next question:")
            for file in evidence.staged { sayUntrusted("  " + file.summaryLine) }
        }
        if !evidence.attached.isEmpty {
            say("sent:")
            for item in evidence.attached { sayUntrusted("  #\(item.messageID + 1) " + item.file.summaryLine) }
        }
    }

    /// Evidence still waiting when the session ends was never sent: said once, so nobody believes it was.
    func warnAboutUnsentEvidence() {
        guard !evidence.staged.isEmpty else { return }
        warn("not sent (no question followed): " + evidence.staged.map(\.name).joined(separator: ", "))
        evidence.staged = []
    }

    /// A `/file` that attached nothing: said, and counted as a failed turn in a transcript.
    func evidenceFailure(_ message: String) {
        if input.isScripted { failedTurns += 1 }
        errors.write(errors.red("file: "))
        errors.writeUntrustedLine(message)
    }
}
