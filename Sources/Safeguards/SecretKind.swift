/// The kind of a redacted secret; its raw value names the placeholder (`[REDACTED:jwt-1]`).
public enum SecretKind: String, Sendable, Codable, CaseIterable, Comparable {
    /// An AWS access key ID: `AKIA`, `ASIA`, `ABIA` or `ACCA` and 16 upper-case alphanumerics.
    case awsAccessKey = "aws-access-key"
    /// A whole PEM private-key block, `-----BEGIN … PRIVATE KEY-----` through its `END` line.
    case privateKey = "private-key"
    /// A GitHub token: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and 36+ alphanumerics, or `github_pat_` and 82+.
    case githubToken = "github-token"
    /// A Slack token: `xoxb-`, `xoxp-`, `xoxa-`, `xoxo-`, `xoxr-`, `xoxs-`, `xoxe-` or `xapp-`.
    case slackToken = "slack-token"
    /// A Slack incoming-webhook URL, `hooks.slack.com/services/…` (the scheme stays visible).
    case slackWebhook = "slack-webhook"
    /// An Anthropic key: `sk-ant-api03-…` or `sk-ant-admin01-…`.
    case anthropicKey = "anthropic-key"
    /// An OpenAI key: contains `T3BlbkFJ`, or starts `sk-proj-`, `sk-svcacct-` or `sk-admin-`.
    case openAIKey = "openai-key"
    /// A Google API key: `AIza` and 35 characters of `[A-Za-z0-9_-]`.
    case googleAPIKey = "google-api-key"
    /// A JSON Web Token: three dot-joined base64url segments, the first two starting `ey`.
    case jwt = "jwt"
    /// The value of an `Authorization:` (Bearer, Token, Basic) or `X-Api-Key:` header.
    case authorizationHeader = "auth-header"
    /// The `user:password` part of `scheme://user:password@host`.
    case urlCredentials = "url-credentials"
    /// A high-entropy value after a `password=`, `secret:`, `token=`, `api_key:` (…) key, or in a
    /// configuration call such as PHP's `define('DB_PASSWORD', '…')`.
    case genericSecret = "generic-secret"
    /// A 40-character AWS secret access key standing near an access key ID (a CSV of credentials,
    /// a `credentials` file pasted without its key names).
    case awsSecretKey = "aws-secret-key"
    /// The signature of a signed URL: Azure SAS `sig=`, Google `X-Goog-Signature=`, AWS `X-Amz-Signature=`.
    case urlSignature = "url-signature"
    /// The value of a `Cookie:` or `Set-Cookie:` header (session cookies).
    case cookie = "cookie"
    /// A password glued to a command-line flag, as in `mysql -uroot -pS3cret`.
    case commandLinePassword = "cli-password"

    /// Orders kinds by their raw value, for stable summaries.
    public static func < (lhs: SecretKind, rhs: SecretKind) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Lower values win when two matches start at the same place: specific formats first.
    var priority: Int {
        switch self {
        case .urlCredentials: 1
        case .authorizationHeader: 2
        case .genericSecret: 3
        case .cookie: 2
        default: 0
        }
    }
}
