import Safeguards
import Testing

/// Incident text full of indicators and secret-looking words that are not secrets.
/// The redactor must return every line unchanged.
private let indicatorCorpus = #"""
    Incident IR-2024-0317: suspected initial access via CVE-2023-4966 (Citrix Bleed) and CVE-2021-44228.
    ATT&CK: T1059.001, T1003.001, T1547.001, T1071.001, TA0008; sub-technique T1110.003 (password spraying).
    Source IPs: 203.0.113.45, 198.51.100.23, 192.0.2.10/32; internal 10.20.0.15:5432 and 172.16.4.9.
    IPv6 beacon to 2001:db8:85a3::8a2e:370:7334 and fe80::1ff:fe23:4567:890a%eth0, loopback ::1.
    C2 domains: update-check.badcdn.example, login-microsoftonline.example.net, xn--80ak6aa92e.example.
    URLs: https://update-check.badcdn.example/api/v2/beacon?id=42&ts=1710148442 and http://192.0.2.10:8080/payload.bin
    Phish link: https://login-microsoftonline.example.net/common/oauth2/authorize?client_id=4765445b-32c6-49b0-83e6-1d93765276ca&response_type=code
    Clone URL seen: ssh://git@github.com/acme/infra.git and https://alice@dev.azure.example/acme/_git/app
    MD5 44d88612fea8a8f36de82e1278abb02f SHA1 da39a3ee5e6b4b0d3255bfef95601890afd80709
    SHA256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
    Sysmon hashes: Hashes: MD5=44D88612FEA8A8F36DE82E1278ABB02F,SHA256=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855,IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744
    Sysmon Event ID 1: Process Create: UtcTime: 2024-03-11 09:14:02.117 ProcessGuid: {5770385f-c22a-43e0-bf4c-06f5698ffbd9}
    Image: C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe User: ACME\svc_backup LogonId: 0x3E7
    CommandLine: powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA
    ParentImage: C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE ParentCommandLine: "WINWORD.EXE" /n "C:\Users\bob\Downloads\Invoice_4471.docm"
    Event 4624: An account was successfully logged on. Logon Type: 3 Elevated Token: Yes Impersonation Level: Impersonation
    Event 4624: Account Name: bob.smith Account Domain: ACME Logon ID: 0x1A2B3C Logon GUID: {00000000-0000-0000-0000-000000000000}
    Event 4624: Source Network Address: 198.51.100.23 Source Port: 50122 Authentication Package: NTLM Key Length: 128
    Event 4688: Token Elevation Type: %%1936 Mandatory Label: S-1-16-12288 Creator Process Name: C:\Windows\explorer.exe
    Event 4723: An attempt was made to change an account's password. Target Account: Security ID: S-1-5-21-3623811015-3361044348-30300820-1013
    Event 4769: Ticket Encryption Type: 0x17 Ticket Options: 0x40810000 Service Name: MSSQLSvc/db01.acme.local:1433
    AD: pwdLastSet: 133547136000000000 userAccountControl: 0x10200 sAMAccountName: svc_backup
    Mar 11 09:14:09 bastion sshd[2201]: Failed password for invalid user admin from 198.51.100.23 port 50122 ssh2
    Mar 11 09:14:12 bastion sshd[2201]: Accepted password for alice from 203.0.113.45 port 50144 ssh2
    Mar 11 09:15:01 bastion sudo:    alice : TTY=pts/0 ; PWD=/var/www/html/uploads/tmp ; USER=root ; COMMAND=/usr/bin/tar czf /tmp/x.tgz /etc
    Mar 11 09:15:03 bastion CRON[3301]: (root) CMD (/usr/local/bin/backup.sh --config /etc/backup/backup.conf)
    Mar 11 09:16:44 web01 nginx: 203.0.113.45 - - [11/Mar/2024:09:16:44 +0000] "POST /wp-login.php HTTP/1.1" 302 0 "-" "Mozilla/5.0"
    Web log: GET /reset?user=bob&token= HTTP/1.1 400; form fields: username, password, remember_me
    Config excerpt: password_policy: min_length=14; password_expiry_days=90; token_lifetime: 3600
    Vault audit: "auth": {"client_token": "hmac-sha256:", "accessor": "hmac-sha256:"}, "type": "request"
    App log: password reset requested for bob@acme.example from 198.51.100.23; password: ******** (masked)
    Dockerfile: ENV DB_PASSWORD=${DB_PASSWORD} API_TOKEN=$API_TOKEN SECRET_KEY=<set-at-runtime>
    Template: password: "{{ vault_db_password }}" and token: "%(token)s"
    Registry: HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\Updater = "C:\ProgramData\upd\upd.exe"
    File paths: C:\Users\bob\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\evil.lnk, /home/alice/.ssh/authorized_keys
    UUIDs: 550e8400-e29b-41d4-a716-446655440000, 7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d; request id 01HRZ8WQ2M4P6R8T0V2X4Z6B8D
    Timestamps: 2024-03-11T09:14:02.117Z, 1710148442, Mon, 11 Mar 2024 09:14:02 GMT
    Base64 payload (decodes to a URL, not a secret): aHR0cHM6Ly91cGRhdGUtY2hlY2suYmFkY2RuLmV4YW1wbGUvcGF5bG9hZC5iaW4=
    PowerShell: IEX ([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('VwByAGkAdABlAC0ASABvAHMAdAAgACIAaABpACIA')))
    Certificate thumbprint 3B7E0A1F2C4D6E8F0A1B2C3D4E5F6A7B8C9D0E1F, serial 0x1A2B3C4D5E6F
    Hosts: DC01.acme.local, WS-0423.acme.local, bastion.acme.example; users: alice, bob.smith, ACME\svc_backup, root
    The attacker likely reused the token from the earlier session; no secret values were present in the logs.
    YARA rule hit: rule APT_Loader_Strings { strings: $a = "AKIA" $b = "ghp_" condition: all of them }
    AWS CloudTrail: "eventName": "GetSecretValue", "secretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
    Kubernetes: kubectl get secret db-creds -n prod -o yaml; serviceAccountName: default
    Slack message link: https://acme.slack.com/archives/C0123456789/p1710148442000100
    JWT header alone: eyJhbGciOiJIUzI1NiJ9 (no payload); Git commit 9fceb02d0ae598e95dc970b74767f19372d61af8
    Commands: mkdir -p /tmp/x; ssh -p 2222 admin@bastion; mysql -u root -p (prompted); gcc -pthread main.c; mysql -p $MYSQL_PWD
    Blob URL without a signature: https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r; signature=valid; sig=short
    Headers: Cookie: none; "cookie": "" and the user cleared cookies: yes; Set-Cookie: (not sent)
    PHP config: define('WP_DEBUG', false); define('DB_NAME', 'wordpress'); define('DB_HOST', 'localhost'); define('DB_PASSWORD', getenv('DB_PASSWORD'));
    CSV header: user,password,access_key_id,secret_access_key and ["password", "token"] as field names
    """#

@Suite("SecretRedactor false positives")
struct SecretRedactorCorpusTests {
    @Test("An incident corpus full of indicators is left unchanged")
    func indicatorCorpusIsUnchanged() {
        var redactor = SecretRedactor()
        let lines = indicatorCorpus.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count >= 40)
        for line in lines {
            let redaction = redactor.redact(String(line))
            #expect(redaction.text == String(line))
            #expect(redaction.isUnchanged, "\(redaction.findings)")
        }
        #expect(redactor.redact(indicatorCorpus).text == indicatorCorpus)
        #expect(redactor.secretCount == 0)
    }

    @Test("A secret added to the corpus is still found among the indicators")
    func secretAmongIndicatorsIsFound() {
        var redactor = SecretRedactor()
        let redaction = redactor.redact(indicatorCorpus + "\nleaked: aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
        #expect(redaction.findings.map(\.kind) == [.genericSecret])
        #expect(redaction.text == indicatorCorpus + "\nleaked: aws_secret_access_key=[REDACTED:generic-secret-1]\n")
    }
}
