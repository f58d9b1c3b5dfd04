/// A small offline table of MITRE ATT&CK Enterprise techniques (ID → name, tactics), so an ID the
/// model made up (`T9999`, `T1059.999`) is flagged instead of exported as real.
///
/// Data from ATT&CK Enterprise (techniques and their common sub-techniques, names as of v15);
/// a sub-technique takes its parent's tactics. The table is deliberately partial: an ID missing
/// here is reported as "not in the offline table", never silently dropped.
public enum AttackCatalog {
    /// One technique or sub-technique.
    public struct Technique: Sendable, Equatable, Hashable {
        /// `T1059` or `T1059.001`.
        public var id: String
        /// `PowerShell`; a sub-technique's name is prefixed by its parent's (`Command and Scripting Interpreter: PowerShell`).
        public var name: String
        /// The tactics it serves, in ATT&CK's words (`Execution`, `Defense Evasion`, …).
        public var tactics: [String]

        /// The technique's page on attack.mitre.org.
        public var url: String {
            "https://attack.mitre.org/techniques/" + id.replacing(".", with: "/") + "/"
        }
    }

    /// The technique with `id` (any case), or nil when the table does not know it.
    public static func technique(_ id: String) -> Technique? {
        techniques[id.uppercased()]
    }

    /// Every technique in the table, by ID.
    public static let techniques: [String: Technique] = {
        var table: [String: Technique] = [:]
        var parent: Technique?
        for line in data.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if line.hasPrefix("T"), fields.count == 3 {
                let tactics = fields[2].split(separator: ",").map { expand(String($0)) }
                let technique = Technique(id: fields[0], name: fields[1], tactics: tactics)
                table[technique.id] = technique
                parent = technique
            } else if line.hasPrefix("."), fields.count == 2, let parent {
                let id = parent.id + fields[0]
                table[id] = Technique(id: id, name: parent.name + ": " + fields[1], tactics: parent.tactics)
            }
        }
        return table
    }()

    static let tacticNames: [String: String] = [
        "RE": "Reconnaissance", "RD": "Resource Development", "IA": "Initial Access", "EX": "Execution",
        "PE": "Persistence", "PR": "Privilege Escalation", "DE": "Defense Evasion", "CA": "Credential Access",
        "DI": "Discovery", "LM": "Lateral Movement", "CO": "Collection", "C2": "Command and Control",
        "XF": "Exfiltration", "IM": "Impact",
    ]

    static func expand(_ code: String) -> String { tacticNames[code] ?? code }

    /// `ID|Name|tactic codes` for a technique, `.NNN|Name` for a sub-technique of the one above.
    static let data = """
    T1001|Data Obfuscation|C2
    .001|Junk Data
    .002|Steganography
    .003|Protocol or Service Impersonation
    T1003|OS Credential Dumping|CA
    .001|LSASS Memory
    .002|Security Account Manager
    .003|NTDS
    .004|LSA Secrets
    .005|Cached Domain Credentials
    .006|DCSync
    .007|Proc Filesystem
    .008|/etc/passwd and /etc/shadow
    T1005|Data from Local System|CO
    T1006|Direct Volume Access|DE
    T1007|System Service Discovery|DI
    T1008|Fallback Channels|C2
    T1010|Application Window Discovery|DI
    T1011|Exfiltration Over Other Network Medium|XF
    .001|Exfiltration Over Bluetooth
    T1012|Query Registry|DI
    T1014|Rootkit|DE
    T1016|System Network Configuration Discovery|DI
    .001|Internet Connection Discovery
    T1018|Remote System Discovery|DI
    T1020|Automated Exfiltration|XF
    .001|Traffic Duplication
    T1021|Remote Services|LM
    .001|Remote Desktop Protocol
    .002|SMB/Windows Admin Shares
    .003|Distributed Component Object Model
    .004|SSH
    .005|VNC
    .006|Windows Remote Management
    .007|Cloud Services
    .008|Direct Cloud VM Connections
    T1025|Data from Removable Media|CO
    T1027|Obfuscated Files or Information|DE
    .001|Binary Padding
    .002|Software Packing
    .003|Steganography
    .004|Compile After Delivery
    .005|Indicator Removal from Tools
    .006|HTML Smuggling
    .007|Dynamic API Resolution
    .008|Stripped Payloads
    .009|Embedded Payloads
    .010|Command Obfuscation
    T1029|Scheduled Transfer|XF
    T1030|Data Transfer Size Limits|XF
    T1033|System Owner/User Discovery|DI
    T1036|Masquerading|DE
    .001|Invalid Code Signature
    .002|Right-to-Left Override
    .003|Rename System Utilities
    .004|Masquerade Task or Service
    .005|Match Legitimate Name or Location
    .006|Space after Filename
    .007|Double File Extension
    .008|Masquerade File Type
    T1037|Boot or Logon Initialization Scripts|PE,PR
    .001|Logon Script (Windows)
    .002|Login Hook
    .003|Network Logon Script
    .004|RC Scripts
    .005|Startup Items
    T1039|Data from Network Shared Drive|CO
    T1040|Network Sniffing|CA,DI
    T1041|Exfiltration Over C2 Channel|XF
    T1046|Network Service Discovery|DI
    T1047|Windows Management Instrumentation|EX
    T1048|Exfiltration Over Alternative Protocol|XF
    .001|Exfiltration Over Symmetric Encrypted Non-C2 Protocol
    .002|Exfiltration Over Asymmetric Encrypted Non-C2 Protocol
    .003|Exfiltration Over Unencrypted Non-C2 Protocol
    T1049|System Network Connections Discovery|DI
    T1052|Exfiltration Over Physical Medium|XF
    .001|Exfiltration over USB
    T1053|Scheduled Task/Job|EX,PE,PR
    .002|At
    .003|Cron
    .005|Scheduled Task
    .006|Systemd Timers
    .007|Container Orchestration Job
    T1055|Process Injection|DE,PR
    .001|Dynamic-link Library Injection
    .002|Portable Executable Injection
    .003|Thread Execution Hijacking
    .004|Asynchronous Procedure Call
    .005|Thread Local Storage
    .008|Ptrace System Calls
    .009|Proc Memory
    .011|Extra Window Memory Injection
    .012|Process Hollowing
    .013|Process Doppelgänging
    .014|VDSO Hijacking
    .015|ListPlanting
    T1056|Input Capture|CO,CA
    .001|Keylogging
    .002|GUI Input Capture
    .003|Web Portal Capture
    .004|Credential API Hooking
    T1057|Process Discovery|DI
    T1059|Command and Scripting Interpreter|EX
    .001|PowerShell
    .002|AppleScript
    .003|Windows Command Shell
    .004|Unix Shell
    .005|Visual Basic
    .006|Python
    .007|JavaScript
    .008|Network Device CLI
    .009|Cloud API
    T1068|Exploitation for Privilege Escalation|PR
    T1069|Permission Groups Discovery|DI
    .001|Local Groups
    .002|Domain Groups
    .003|Cloud Groups
    T1070|Indicator Removal|DE
    .001|Clear Windows Event Logs
    .002|Clear Linux or Mac System Logs
    .003|Clear Command History
    .004|File Deletion
    .005|Network Share Connection Removal
    .006|Timestomp
    T1071|Application Layer Protocol|C2
    .001|Web Protocols
    .002|File Transfer Protocols
    .003|Mail Protocols
    .004|DNS
    T1072|Software Deployment Tools|EX,LM
    T1074|Data Staged|CO
    .001|Local Data Staging
    .002|Remote Data Staging
    T1078|Valid Accounts|DE,PE,PR,IA
    .001|Default Accounts
    .002|Domain Accounts
    .003|Local Accounts
    .004|Cloud Accounts
    T1080|Taint Shared Content|LM
    T1082|System Information Discovery|DI
    T1083|File and Directory Discovery|DI
    T1087|Account Discovery|DI
    .001|Local Account
    .002|Domain Account
    .003|Email Account
    .004|Cloud Account
    T1090|Proxy|C2
    .001|Internal Proxy
    .002|External Proxy
    .003|Multi-hop Proxy
    .004|Domain Fronting
    T1091|Replication Through Removable Media|LM,IA
    T1092|Communication Through Removable Media|C2
    T1095|Non-Application Layer Protocol|C2
    T1098|Account Manipulation|PE,PR
    .001|Additional Cloud Credentials
    .002|Additional Email Delegate Permissions
    .003|Additional Cloud Roles
    .004|SSH Authorized Keys
    .005|Device Registration
    T1102|Web Service|C2
    .001|Dead Drop Resolver
    .002|Bidirectional Communication
    .003|One-Way Communication
    T1104|Multi-Stage Channels|C2
    T1105|Ingress Tool Transfer|C2
    T1106|Native API|EX
    T1110|Brute Force|CA
    .001|Password Guessing
    .002|Password Cracking
    .003|Password Spraying
    .004|Credential Stuffing
    T1111|Multi-Factor Authentication Interception|CA
    T1112|Modify Registry|DE
    T1113|Screen Capture|CO
    T1114|Email Collection|CO
    .001|Local Email Collection
    .002|Remote Email Collection
    .003|Email Forwarding Rule
    T1115|Clipboard Data|CO
    T1119|Automated Collection|CO
    T1120|Peripheral Device Discovery|DI
    T1123|Audio Capture|CO
    T1124|System Time Discovery|DI
    T1125|Video Capture|CO
    T1127|Trusted Developer Utilities Proxy Execution|DE
    .001|MSBuild
    T1129|Shared Modules|EX
    T1132|Data Encoding|C2
    .001|Standard Encoding
    .002|Non-Standard Encoding
    T1133|External Remote Services|PE,IA
    T1134|Access Token Manipulation|DE,PR
    .001|Token Impersonation/Theft
    .002|Create Process with Token
    .003|Make and Impersonate Token
    .004|Parent PID Spoofing
    .005|SID-History Injection
    T1135|Network Share Discovery|DI
    T1136|Create Account|PE
    .001|Local Account
    .002|Domain Account
    .003|Cloud Account
    T1137|Office Application Startup|PE
    .001|Office Template Macros
    .002|Office Test
    .003|Outlook Forms
    .004|Outlook Home Page
    .005|Outlook Rules
    .006|Add-ins
    T1140|Deobfuscate/Decode Files or Information|DE
    T1176|Browser Extensions|PE
    T1185|Browser Session Hijacking|CO
    T1187|Forced Authentication|CA
    T1189|Drive-by Compromise|IA
    T1190|Exploit Public-Facing Application|IA
    T1195|Supply Chain Compromise|IA
    .001|Compromise Software Dependencies and Development Tools
    .002|Compromise Software Supply Chain
    .003|Compromise Hardware Supply Chain
    T1197|BITS Jobs|DE,PE
    T1199|Trusted Relationship|IA
    T1200|Hardware Additions|IA
    T1201|Password Policy Discovery|DI
    T1202|Indirect Command Execution|DE
    T1203|Exploitation for Client Execution|EX
    T1204|User Execution|EX
    .001|Malicious Link
    .002|Malicious File
    .003|Malicious Image
    T1205|Traffic Signaling|DE,PE,C2
    .001|Port Knocking
    .002|Socket Filters
    T1207|Rogue Domain Controller|DE
    T1210|Exploitation of Remote Services|LM
    T1211|Exploitation for Defense Evasion|DE
    T1212|Exploitation for Credential Access|CA
    T1213|Data from Information Repositories|CO
    .001|Confluence
    .002|Sharepoint
    .003|Code Repositories
    T1216|System Script Proxy Execution|DE
    .001|PubPrn
    T1217|Browser Information Discovery|DI
    T1218|System Binary Proxy Execution|DE
    .001|Compiled HTML File
    .002|Control Panel
    .003|CMSTP
    .004|InstallUtil
    .005|Mshta
    .007|Msiexec
    .008|Odbcconf
    .009|Regsvcs/Regasm
    .010|Regsvr32
    .011|Rundll32
    .012|Verclsid
    .013|Mavinject
    .014|MMC
    T1219|Remote Access Software|C2
    T1220|XSL Script Processing|DE
    T1221|Template Injection|DE
    T1222|File and Directory Permissions Modification|DE
    .001|Windows File and Directory Permissions Modification
    .002|Linux and Mac File and Directory Permissions Modification
    T1482|Domain Trust Discovery|DI
    T1484|Domain or Tenant Policy Modification|DE,PR
    .001|Group Policy Modification
    .002|Trust Modification
    T1485|Data Destruction|IM
    T1486|Data Encrypted for Impact|IM
    T1489|Service Stop|IM
    T1490|Inhibit System Recovery|IM
    T1491|Defacement|IM
    .001|Internal Defacement
    .002|External Defacement
    T1495|Firmware Corruption|IM
    T1496|Resource Hijacking|IM
    T1497|Virtualization/Sandbox Evasion|DE,DI
    .001|System Checks
    .002|User Activity Based Checks
    .003|Time Based Evasion
    T1498|Network Denial of Service|IM
    .001|Direct Network Flood
    .002|Reflection Amplification
    T1499|Endpoint Denial of Service|IM
    T1505|Server Software Component|PE
    .001|SQL Stored Procedures
    .002|Transport Agent
    .003|Web Shell
    .004|IIS Components
    .005|Terminal Services DLL
    T1518|Software Discovery|DI
    .001|Security Software Discovery
    T1525|Implant Internal Image|PE
    T1526|Cloud Service Discovery|DI
    T1528|Steal Application Access Token|CA
    T1529|System Shutdown/Reboot|IM
    T1530|Data from Cloud Storage|CO
    T1531|Account Access Removal|IM
    T1534|Internal Spearphishing|LM
    T1535|Unused/Unsupported Cloud Regions|DE
    T1537|Transfer Data to Cloud Account|XF
    T1538|Cloud Service Dashboard|DI
    T1539|Steal Web Session Cookie|CA
    T1542|Pre-OS Boot|DE,PE
    .001|System Firmware
    .002|Component Firmware
    .003|Bootkit
    T1543|Create or Modify System Process|PE,PR
    .001|Launch Agent
    .002|Systemd Service
    .003|Windows Service
    .004|Launch Daemon
    T1546|Event Triggered Execution|PE,PR
    .001|Change Default File Association
    .002|Screensaver
    .003|Windows Management Instrumentation Event Subscription
    .004|Unix Shell Configuration Modification
    .005|Trap
    .007|Netsh Helper DLL
    .008|Accessibility Features
    .009|AppCert DLLs
    .010|AppInit DLLs
    .011|Application Shimming
    .012|Image File Execution Options Injection
    .013|PowerShell Profile
    .015|Component Object Model Hijacking
    T1547|Boot or Logon Autostart Execution|PE,PR
    .001|Registry Run Keys / Startup Folder
    .002|Authentication Package
    .003|Time Providers
    .004|Winlogon Helper DLL
    .005|Security Support Provider
    .006|Kernel Modules and Extensions
    .008|LSASS Driver
    .009|Shortcut Modification
    .010|Port Monitors
    .012|Print Processors
    .013|XDG Autostart Entries
    .014|Active Setup
    .015|Login Items
    T1548|Abuse Elevation Control Mechanism|PR,DE
    .001|Setuid and Setgid
    .002|Bypass User Account Control
    .003|Sudo and Sudo Caching
    .004|Elevated Execution with Prompt
    T1550|Use Alternate Authentication Material|DE,LM
    .001|Application Access Token
    .002|Pass the Hash
    .003|Pass the Ticket
    .004|Web Session Cookie
    T1552|Unsecured Credentials|CA
    .001|Credentials In Files
    .002|Credentials in Registry
    .003|Bash History
    .004|Private Keys
    .005|Cloud Instance Metadata API
    .006|Group Policy Preferences
    .007|Container API
    T1553|Subvert Trust Controls|DE
    .001|Gatekeeper Bypass
    .002|Code Signing
    .003|SIP and Trust Provider Hijacking
    .004|Install Root Certificate
    .005|Mark-of-the-Web Bypass
    .006|Code Signing Policy Modification
    T1554|Compromise Host Software Binary|PE
    T1555|Credentials from Password Stores|CA
    .001|Keychain
    .002|Securityd Memory
    .003|Credentials from Web Browsers
    .004|Windows Credential Manager
    .005|Password Managers
    T1556|Modify Authentication Process|CA,DE,PE
    .001|Domain Controller Authentication
    .002|Password Filter DLL
    .003|Pluggable Authentication Modules
    .004|Network Device Authentication
    .006|Multi-Factor Authentication
    T1557|Adversary-in-the-Middle|CA,CO
    .001|LLMNR/NBT-NS Poisoning and SMB Relay
    .002|ARP Cache Poisoning
    .003|DHCP Spoofing
    T1558|Steal or Forge Kerberos Tickets|CA
    .001|Golden Ticket
    .002|Silver Ticket
    .003|Kerberoasting
    .004|AS-REP Roasting
    T1559|Inter-Process Communication|EX
    .001|Component Object Model
    .002|Dynamic Data Exchange
    T1560|Archive Collected Data|CO
    .001|Archive via Utility
    .002|Archive via Library
    .003|Archive via Custom Method
    T1561|Disk Wipe|IM
    .001|Disk Content Wipe
    .002|Disk Structure Wipe
    T1562|Impair Defenses|DE
    .001|Disable or Modify Tools
    .002|Disable Windows Event Logging
    .003|Impair Command History Logging
    .004|Disable or Modify System Firewall
    .006|Indicator Blocking
    .007|Disable or Modify Cloud Firewall
    .008|Disable or Modify Cloud Logs
    .009|Safe Mode Boot
    .010|Downgrade Attack
    T1563|Remote Service Session Hijacking|LM
    .001|SSH Hijacking
    .002|RDP Hijacking
    T1564|Hide Artifacts|DE
    .001|Hidden Files and Directories
    .002|Hidden Users
    .003|Hidden Window
    .004|NTFS File Attributes
    .005|Hidden File System
    .006|Run Virtual Instance
    .007|VBA Stomping
    .008|Email Hiding Rules
    T1565|Data Manipulation|IM
    .001|Stored Data Manipulation
    .002|Transmitted Data Manipulation
    .003|Runtime Data Manipulation
    T1566|Phishing|IA
    .001|Spearphishing Attachment
    .002|Spearphishing Link
    .003|Spearphishing via Service
    .004|Spearphishing Voice
    T1567|Exfiltration Over Web Service|XF
    .001|Exfiltration to Code Repository
    .002|Exfiltration to Cloud Storage
    T1568|Dynamic Resolution|C2
    .001|Fast Flux DNS
    .002|Domain Generation Algorithms
    .003|DNS Calculation
    T1569|System Services|EX
    .001|Launchctl
    .002|Service Execution
    T1570|Lateral Tool Transfer|LM
    T1571|Non-Standard Port|C2
    T1572|Protocol Tunneling|C2
    T1573|Encrypted Channel|C2
    .001|Symmetric Cryptography
    .002|Asymmetric Cryptography
    T1574|Hijack Execution Flow|PE,PR,DE
    .001|DLL Search Order Hijacking
    .002|DLL Side-Loading
    .004|Dylib Hijacking
    .006|Dynamic Linker Hijacking
    .007|Path Interception by PATH Environment Variable
    .008|Path Interception by Search Order Hijacking
    .009|Path Interception by Unquoted Path
    .010|Services File Permissions Weakness
    .011|Services Registry Permissions Weakness
    .012|COR_PROFILER
    T1578|Modify Cloud Compute Infrastructure|DE
    .001|Create Snapshot
    .002|Create Cloud Instance
    .003|Delete Cloud Instance
    .004|Revert Cloud Instance
    T1580|Cloud Infrastructure Discovery|DI
    T1583|Acquire Infrastructure|RD
    .001|Domains
    .002|DNS Server
    .003|Virtual Private Server
    .004|Server
    .005|Botnet
    .006|Web Services
    T1584|Compromise Infrastructure|RD
    .001|Domains
    .002|DNS Server
    .003|Virtual Private Server
    .004|Server
    .005|Botnet
    .006|Web Services
    T1585|Establish Accounts|RD
    .001|Social Media Accounts
    .002|Email Accounts
    T1586|Compromise Accounts|RD
    .001|Social Media Accounts
    .002|Email Accounts
    T1587|Develop Capabilities|RD
    .001|Malware
    .002|Code Signing Certificates
    .003|Digital Certificates
    .004|Exploits
    T1588|Obtain Capabilities|RD
    .001|Malware
    .002|Tool
    .003|Code Signing Certificates
    .004|Digital Certificates
    .005|Exploits
    .006|Vulnerabilities
    T1589|Gather Victim Identity Information|RE
    .001|Credentials
    .002|Email Addresses
    .003|Employee Names
    T1590|Gather Victim Network Information|RE
    T1591|Gather Victim Org Information|RE
    T1592|Gather Victim Host Information|RE
    T1593|Search Open Websites/Domains|RE
    T1594|Search Victim-Owned Websites|RE
    T1595|Active Scanning|RE
    .001|Scanning IP Blocks
    .002|Vulnerability Scanning
    .003|Wordlist Scanning
    T1596|Search Open Technical Databases|RE
    T1597|Search Closed Sources|RE
    T1598|Phishing for Information|RE
    .001|Spearphishing Service
    .002|Spearphishing Attachment
    .003|Spearphishing Link
    T1599|Network Boundary Bridging|DE
    T1600|Weaken Encryption|DE
    T1601|Modify System Image|DE
    T1602|Data from Configuration Repository|CO
    T1606|Forge Web Credentials|CA
    .001|Web Cookies
    .002|SAML Tokens
    T1608|Stage Capabilities|RD
    T1609|Container Administration Command|EX
    T1610|Deploy Container|DE,EX
    T1611|Escape to Host|PR
    T1612|Build Image on Host|DE
    T1613|Container and Resource Discovery|DI
    T1614|System Location Discovery|DI
    .001|System Language Discovery
    T1615|Group Policy Discovery|DI
    T1619|Cloud Storage Object Discovery|DI
    T1620|Reflective Code Loading|DE
    T1621|Multi-Factor Authentication Request Generation|CA
    T1622|Debugger Evasion|DE,DI
    T1647|Plist File Modification|DE
    T1648|Serverless Execution|EX
    T1649|Steal or Forge Authentication Certificates|CA
    T1651|Cloud Administration Command|EX
    T1652|Device Driver Discovery|DI
    T1653|Power Settings|PE
    T1654|Log Enumeration|DI
    T1656|Impersonation|DE
    T1657|Financial Theft|IM
    """
}
