import FoundationEssentials  // JSONEncoder/JSONDecoder for the Codable round trip only
import Safeguards
import Testing

/// Realistic but fake secrets; none of them is live.
enum FakeSecrets {
    static let awsKey = "AKIAIOSFODNN7EXAMPLE"
    static let githubToken = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
    static let githubPAT = "github_pat_11ABCDEFG0" + String(repeating: "x7Yq2Lm9Zb", count: 7) + "Qw"
    static let slackToken = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
    static let slackWebhook = "hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
    static let anthropicKey = "sk-ant-api03-" + String(repeating: "Ab3_d-F9hJ", count: 9) + "kLm" + "AA"
    static let openAIProjectKey = "sk-proj-" + String(repeating: "Zx8Qw", count: 11) + "abc" + "T3BlbkFJ"
        + String(repeating: "Pl0Mn", count: 11) + "xyz"
    static let openAILegacyKey = "sk-" + "a1B2c3D4e5F6g7H8i9J0" + "T3BlbkFJ" + "k1L2m3N4o5P6q7R8s9T0"
    static let googleKey = "AIzaSyD" + "8fK2m_Lq9xZ-4hT7vB1nC3pW6sE0rYuI"
    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    static let pemKey = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6bnTq0xmBcbO6sLh1kqCzpZlJ
        vQ8H7oY0sXv5pL2mN4dT9rW1kF6bC3xE8gJ0hY7uI2oP5qA9sD4fG6hJ8kL1zX3c
        -----END RSA PRIVATE KEY-----
        """
}

@Suite("SecretRedactor")
struct SecretRedactorTests {
    @Test(
        "Each secret kind is replaced by its typed placeholder",
        arguments: [
            ("key id \(FakeSecrets.awsKey) used", SecretKind.awsAccessKey, "key id [REDACTED:aws-access-key-1] used"),
            ("token \(FakeSecrets.githubToken).", .githubToken, "token [REDACTED:github-token-1]."),
            ("GH_TOKEN \(FakeSecrets.githubPAT)", .githubToken, "GH_TOKEN [REDACTED:github-token-1]"),
            ("slack \(FakeSecrets.slackToken) end", .slackToken, "slack [REDACTED:slack-token-1] end"),
            ("post https://\(FakeSecrets.slackWebhook) now", .slackWebhook, "post https://[REDACTED:slack-webhook-1] now"),
            ("ANTHROPIC \(FakeSecrets.anthropicKey)", .anthropicKey, "ANTHROPIC [REDACTED:anthropic-key-1]"),
            ("key: \(FakeSecrets.openAIProjectKey)", .openAIKey, "key: [REDACTED:openai-key-1]"),
            ("old \(FakeSecrets.openAILegacyKey)", .openAIKey, "old [REDACTED:openai-key-1]"),
            ("maps?key=\(FakeSecrets.googleKey)&v=3", .googleAPIKey, "maps?key=[REDACTED:google-api-key-1]&v=3"),
            ("cookie session \(FakeSecrets.jwt) set", .jwt, "cookie session [REDACTED:jwt-1] set"),
            ("Authorization: Bearer abcdef0123456789XYZ", .authorizationHeader, "Authorization: Bearer [REDACTED:auth-header-1]"),
            ("authorization: basic dXNlcjpwYXNzd29yZA==", .authorizationHeader, "authorization: basic [REDACTED:auth-header-1]"),
            ("curl -H 'X-Api-Key: 9f8e7d6c5b4a39281706' x", .authorizationHeader, "curl -H 'X-Api-Key: [REDACTED:auth-header-1]' x"),
            ("https://admin:Pa55w0rd@db.example.com/x", .urlCredentials, "https://[REDACTED:url-credentials-1]@db.example.com/x"),
            ("password=Sup3rS3cretValue!", .genericSecret, "password=[REDACTED:generic-secret-1]"),
            (#"{"db_password": "Tr0ub4dor&3xyz"}"#, .genericSecret, #"{"db_password": "[REDACTED:generic-secret-1]"}"#),
            ("client-secret: q8Zr2Lw9Xv4Nt6", .genericSecret, "client-secret: [REDACTED:generic-secret-1]"),
            ("export API_KEY=h7Gk2pQ9zX4mW1", .genericSecret, "export API_KEY=[REDACTED:generic-secret-1]"),
            ("pwd := 'x9!Kq2#Lm7$v'", .genericSecret, "pwd := '[REDACTED:generic-secret-1]'"),
            ("define( 'DB_PASSWORD', 'wp_Secr3t!2024' );", .genericSecret,
             "define( 'DB_PASSWORD', '[REDACTED:generic-secret-1]' );"),
            ("https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&sig=Qm9ndXNTaWduYXR1cmUxMjM0NTY3ODkw%2BabcD%3D x",
             .urlSignature,
             "https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&sig=[REDACTED:url-signature-1] x"),
            ("https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=8f3a9c0d1e2b4f6a7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f&x=1",
             .urlSignature,
             "https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=[REDACTED:url-signature-1]&x=1"),
            ("Cookie: sessionid=9f8e7d6c5b4a; csrftoken=Zx81kQp0LmN3", .cookie, "Cookie: [REDACTED:cookie-1]"),
            ("Set-Cookie: SID=31d4d96e407aad42; Path=/; Secure\nnext", .cookie, "Set-Cookie: [REDACTED:cookie-1]\nnext"),
            ("mysql -h db01 -uroot -pS3cretPass! wordpress", .commandLinePassword,
             "mysql -h db01 -uroot -p[REDACTED:cli-password-1] wordpress"),
            ("AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", .awsAccessKey,
             "[REDACTED:aws-access-key-1],[REDACTED:aws-secret-key-1]"),
        ])
    func eachKindIsRedacted(input: String, kind: SecretKind, expected: String) {
        var redactor = SecretRedactor()
        let redaction = redactor.redact(input)
        #expect(redaction.text == expected)
        #expect(redaction.findings.first?.kind == kind)
        #expect(!redaction.text.contains("S3cret") && !redaction.text.contains("EXAMPLEKEY"))
    }

    @Test("A 40-hex SHA-1 next to an access key ID is not taken for its secret key")
    func hexNextToAnAccessKeyIsNotASecretKey() {
        var redactor = SecretRedactor()
        let text = "AKIAIOSFODNN7EXAMPLE sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 thumb 3B7E0A1F2C4D6E8F0A1B2C3D4E5F6A7B8C9D0E1F"
        let redaction = redactor.redact(text)
        #expect(redaction.findings.map(\.kind) == [.awsAccessKey])
    }

    @Test("A 40-character key far from any access key ID is left alone")
    func aBareSecretKeyAloneIsLeftAlone() {
        var redactor = SecretRedactor()
        let text = "blob wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        #expect(redactor.redact(text).isUnchanged)
    }

    @Test("Fake secrets have the lengths the formats prescribe")
    func fakeSecretsHaveRealisticLengths() {
        #expect(FakeSecrets.githubToken.count == 4 + 36)
        #expect(FakeSecrets.githubPAT.count == 11 + 82)
        #expect(FakeSecrets.anthropicKey.count == 13 + 93 + 2)
        #expect(FakeSecrets.googleKey.count == 4 + 35)
    }

    @Test("Checklist 11: a request body with every kind carries only placeholders")
    func requestBodyHasOnlyPlaceholders() {
        let secrets = [
            FakeSecrets.awsKey, FakeSecrets.githubToken, FakeSecrets.slackToken, FakeSecrets.jwt,
            FakeSecrets.anthropicKey, FakeSecrets.openAIProjectKey, FakeSecrets.googleKey, "abcdef0123456789XYZ",
            "Sup3rS3cretValue!", "u:p", "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6bnTq0xmBcbO6sLh1kqCzpZlJ",
        ]
        let body = """
            aws \(secrets[0]) gh \(secrets[1]) slack \(secrets[2]) jwt \(secrets[3])
            anthropic \(secrets[4]) openai \(secrets[5]) google \(secrets[6])
            Authorization: Bearer \(secrets[7])
            password=\(secrets[8]) and https://u:p@host.example/
            \(FakeSecrets.pemKey)
            """
        var redactor = SecretRedactor()
        let redaction = redactor.redact(body)
        for secret in secrets { #expect(!redaction.text.contains(secret), "\(secret) leaked") }
        #expect(redaction.findings.count == 11)
        #expect(redaction.text.contains("https://[REDACTED:url-credentials-1]@host.example/"))
    }

    @Test("Checklist 12: a UUID, a SHA-1 and a bare password are left unchanged")
    func indicatorsAndBarePasswordAreUnchanged() {
        var redactor = SecretRedactor()
        for text in [
            "550e8400-e29b-41d4-a716-446655440000", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "password", "the password was reset", "password=", "password: ", "password=changeme",
            "password: ********", "Password: [REDACTED:generic-secret-9]",
        ] {
            let redaction = redactor.redact(text)
            #expect(redaction.text == text)
            #expect(redaction.isUnchanged)
            #expect(redaction.summary == nil)
        }
    }

    @Test("The same secret always gets the same placeholder, different ones are numbered")
    func placeholdersAreStable() {
        var redactor = SecretRedactor()
        let first = redactor.redact("a \(FakeSecrets.awsKey) b \(FakeSecrets.awsKey)")
        #expect(first.text == "a [REDACTED:aws-access-key-1] b [REDACTED:aws-access-key-1]")
        #expect(first.findings == [.init(kind: .awsAccessKey, placeholder: "[REDACTED:aws-access-key-1]", count: 2)])
        let second = redactor.redact("c AKIAI44QH8DHBEXAMPLE d \(FakeSecrets.awsKey) e \(FakeSecrets.githubToken)")
        #expect(second.text == "c [REDACTED:aws-access-key-2] d [REDACTED:aws-access-key-1] e [REDACTED:github-token-1]")
        #expect(redactor.secretCount == 3)
    }

    @Test("The summary counts distinct secrets per kind")
    func summaryNamesKindsAndCounts() {
        var redactor = SecretRedactor()
        let redaction = redactor.redact("\(FakeSecrets.githubToken) \(FakeSecrets.awsKey) \(FakeSecrets.awsKey)")
        #expect(redaction.summary == "redacted 2 secrets: aws-access-key ×1, github-token ×1")
        #expect(redactor.redact(FakeSecrets.jwt).summary == "redacted 1 secret: jwt ×1")
    }

    @Test("A PEM private key spanning lines is replaced as one block")
    func pemBlockIsRedactedWhole() {
        var redactor = SecretRedactor()
        let redaction = redactor.redact("key file:\n\(FakeSecrets.pemKey)\nend of file\n")
        #expect(redaction.text == "key file:\n[REDACTED:private-key-1]\nend of file\n")
    }

    @Test("Other PEM key types and a truncated block are redacted, a certificate is not")
    func pemVariants() {
        var redactor = SecretRedactor()
        let openSSH = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----"
        #expect(redactor.redact("x \(openSSH) y").text == "x [REDACTED:private-key-1] y")
        let truncated = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\nAwEHoUQDQgAE\n\nnext paragraph"
        #expect(redactor.redact(truncated).text == "[REDACTED:private-key-2]\n\nnext paragraph")
        let certificate = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----"
        #expect(redactor.redact(certificate).text == certificate)
    }

    @Test("Secrets inside a pasted multi-line log are redacted and the rest is kept")
    func secretsInPastedLogAreRedacted() {
        let log = """
            2024-03-11T09:14:02Z web01 nginx[812]: 203.0.113.45 - - "GET /api/v1/users HTTP/1.1" 200 512
            2024-03-11T09:14:03Z web01 app[1033]: outbound request Authorization: Bearer \(FakeSecrets.jwt)
            2024-03-11T09:14:05Z web01 app[1033]: config reload db_url=postgres://svc_app:Xk29!vQpL3@10.20.0.15:5432/prod
            2024-03-11T09:14:07Z web01 app[1033]: env AWS_ACCESS_KEY_ID=\(FakeSecrets.awsKey) region=us-east-1
            2024-03-11T09:14:09Z web01 sshd[2201]: Failed password for invalid user admin from 198.51.100.23 port 50122 ssh2
            """
        var redactor = SecretRedactor()
        let redaction = redactor.redact(log)
        let expected = """
            2024-03-11T09:14:02Z web01 nginx[812]: 203.0.113.45 - - "GET /api/v1/users HTTP/1.1" 200 512
            2024-03-11T09:14:03Z web01 app[1033]: outbound request Authorization: Bearer [REDACTED:jwt-1]
            2024-03-11T09:14:05Z web01 app[1033]: config reload db_url=postgres://[REDACTED:url-credentials-1]@10.20.0.15:5432/prod
            2024-03-11T09:14:07Z web01 app[1033]: env AWS_ACCESS_KEY_ID=[REDACTED:aws-access-key-1] region=us-east-1
            2024-03-11T09:14:09Z web01 sshd[2201]: Failed password for invalid user admin from 198.51.100.23 port 50122 ssh2
            """
        #expect(redaction.text == expected)
        #expect(redaction.findings.count == 3)
    }

    @Test("Redacting already redacted text changes nothing")
    func redactionIsIdempotent() {
        var redactor = SecretRedactor()
        let input = "https://u:p4ss@h.example/ password=Sup3rS3cretValue! \(FakeSecrets.awsKey) Authorization: Bearer abcdef0123456789XYZ"
        let once = redactor.redact(input)
        let twice = redactor.redact(once.text)
        #expect(twice.text == once.text)
        #expect(twice.isUnchanged)
    }

    @Test("Codable round trip keeps the numbering and the mapping")
    func codableRoundTripPreservesNumbering() throws {
        var redactor = SecretRedactor()
        _ = redactor.redact("\(FakeSecrets.awsKey) AKIAI44QH8DHBEXAMPLE")
        let encoded = try JSONEncoder().encode(redactor)
        #expect(!String(decoding: encoded, as: UTF8.self).contains(FakeSecrets.awsKey), "the saved state must not hold the secret")
        var restored = try JSONDecoder().decode(SecretRedactor.self, from: encoded)
        #expect(restored == redactor)
        let redaction = restored.redact("AKIAJ7QX2R4T6Y8U0W2E then \(FakeSecrets.awsKey)")
        #expect(redaction.text == "[REDACTED:aws-access-key-3] then [REDACTED:aws-access-key-1]")
    }

    @Test("A 10 MB paste is redacted whole")
    func largePasteIsFast() {
        let line = "2024-03-11T09:14:02Z host-17 sshd[2201]: Accepted publickey for alice from 203.0.113.45 port 50122 ssh2: RSA SHA256:Xk29vQpL3n8 user=alice key=value\n"
        var text = String(repeating: line, count: 10_000_000 / line.utf8.count)
        text += "token=\(FakeSecrets.githubToken)\n"
        var redactor = SecretRedactor()
        let clock = ContinuousClock()
        var redaction = Redaction(text: "", findings: [])
        let elapsed = clock.measure { redaction = redactor.redact(text) }
        print("SecretRedactor: \(text.utf8.count) bytes in \(elapsed)")
        #expect(redaction.findings.count == 1)
        #expect(redaction.text.hasSuffix("token=[REDACTED:github-token-1]\n"))
        // Speed is measured by `make bench`, not asserted here: a shared machine makes timed tests flaky.
    }
}
