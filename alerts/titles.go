package alerts

import (
	"strconv"
	"strings"
	"unicode"
)

// English titles of alert types, as ntopng's English locale names them in
// alert lists (alert_name, alert_id labels, counters). Keys are unique only
// inside a family, hence the family in the key. Where the locale was
// reworded over time, the wording of the REF-v1 captures wins (e.g.
// "Suspicious DNS Traffic", later abbreviated "Susp. DNS Traffic").
var titles = map[familyKey]string{
	// flow alerts
	{FamilyFlow, 1}:   "Blacklisted Flow",
	{FamilyFlow, 2}:   "Blacklisted Country",
	{FamilyFlow, 3}:   "Blocked Flow",
	{FamilyFlow, 4}:   "ICMP Data Exfiltration",
	{FamilyFlow, 5}:   "Suspicious Device Protocol",
	{FamilyFlow, 6}:   "DNS Data Exfiltration",
	{FamilyFlow, 7}:   "Invalid DNS Query",
	{FamilyFlow, 8}:   "Elephant Flow",
	{FamilyFlow, 9}:   "Blacklisted Client Contact",
	{FamilyFlow, 10}:  "External Alert",
	{FamilyFlow, 11}:  "Long-Lived Flow",
	{FamilyFlow, 12}:  "Low Goodput Ratio",
	{FamilyFlow, 13}:  "Blacklisted Server Contact",
	{FamilyFlow, 14}:  "Internal Issues",
	{FamilyFlow, 16}:  "Remote to Remote",
	{FamilyFlow, 19}:  "TCP Packets Issues",
	{FamilyFlow, 20}:  "TCP Connection Refused",
	{FamilyFlow, 22}:  "TLS Cert. Expired",
	{FamilyFlow, 23}:  "TLS Cert. Mismatch",
	{FamilyFlow, 24}:  "Obsolete TLS Version",
	{FamilyFlow, 25}:  "Weak TLS Cipher",
	{FamilyFlow, 26}:  "Unidirectional Traffic",
	{FamilyFlow, 27}:  "Web Mining",
	{FamilyFlow, 28}:  "Self-signed Cert",
	{FamilyFlow, 29}:  "Binary Application Transfer",
	{FamilyFlow, 30}:  "Known Proto on Non Std Port",
	{FamilyFlow, 32}:  "Unexpected DHCP server found",
	{FamilyFlow, 33}:  "Unexpected DNS server found",
	{FamilyFlow, 34}:  "Unexpected SMTP server found",
	{FamilyFlow, 35}:  "Unexpected NTP server found",
	{FamilyFlow, 36}:  "TCP Zero Window",
	{FamilyFlow, 37}:  "IEC104 Invalid Transition",
	{FamilyFlow, 38}:  "Remote to Local Insecure Protocol",
	{FamilyFlow, 39}:  "Possible XSS",
	{FamilyFlow, 40}:  "Possible SQL Injection",
	{FamilyFlow, 41}:  "Possible RCE Injection",
	{FamilyFlow, 42}:  "HTTP Suspicious User-Agent",
	{FamilyFlow, 43}:  "HTTP/TLS/QUIC Numeric Hostname/SNI",
	{FamilyFlow, 44}:  "HTTP Suspicious URL",
	{FamilyFlow, 45}:  "HTTP Suspicious Header",
	{FamilyFlow, 46}:  "TLS not carrying HTTPS",
	{FamilyFlow, 47}:  "Suspicious DGA Domain",
	{FamilyFlow, 48}:  "Malformed Packet",
	{FamilyFlow, 49}:  "SSH Obsolete Ser Vers/Cipher",
	{FamilyFlow, 50}:  "Insecure SMB Version",
	{FamilyFlow, 51}:  "Suspicious TLS ESNI Usage",
	{FamilyFlow, 52}:  "Unsafe Protocol",
	{FamilyFlow, 53}:  "Suspicious DNS Traffic",
	{FamilyFlow, 54}:  "Missing SNI TLS Extn",
	{FamilyFlow, 55}:  "IEC104 Unexpected TypeId",
	{FamilyFlow, 56}:  "TCP No Data Exchanged",
	{FamilyFlow, 57}:  "Remote Access",
	{FamilyFlow, 58}:  "Lateral Movement on Service Map",
	{FamilyFlow, 59}:  "Periodicity Changed",
	{FamilyFlow, 60}:  "Too Long TLS Cert Validity",
	{FamilyFlow, 61}:  "SSH Obsolete Cli Vers/Cipher",
	{FamilyFlow, 62}:  "Clear-Text Credentials",
	{FamilyFlow, 63}:  "HTTP Suspicious Content",
	{FamilyFlow, 64}:  "Large DNS Packet",
	{FamilyFlow, 65}:  "Fragmented DNS Message",
	{FamilyFlow, 66}:  "Invalid Characters Detected",
	{FamilyFlow, 67}:  "Broadcast Non-UDP Traffic",
	{FamilyFlow, 68}:  "Possible Exploit",
	{FamilyFlow, 69}:  "TLS Cert About To Expire",
	{FamilyFlow, 70}:  "IDN Domain Name",
	{FamilyFlow, 71}:  "Error Code",
	{FamilyFlow, 72}:  "Crawler/Bot",
	{FamilyFlow, 73}:  "Suspicious Entropy",
	{FamilyFlow, 74}:  "IEC104 Invalid Command Transition",
	{FamilyFlow, 75}:  "TCP With No Answer",
	{FamilyFlow, 76}:  "Anonymous Subscriber",
	{FamilyFlow, 78}:  "Desktop/File Sharing",
	{FamilyFlow, 79}:  "Malicious JA3 Fingerprint",
	{FamilyFlow, 80}:  "Malicious SHA1 Cert",
	{FamilyFlow, 81}:  "TLS Uncommon ALPN",
	{FamilyFlow, 82}:  "TLS Suspicious Extension",
	{FamilyFlow, 83}:  "TLS Fatal Alert",
	{FamilyFlow, 84}:  "HTTP Obsolete Server",
	{FamilyFlow, 85}:  "Risky ASN",
	{FamilyFlow, 86}:  "Risky Domain",
	{FamilyFlow, 87}:  "Custom Script",
	{FamilyFlow, 88}:  "Periodic Flow",
	{FamilyFlow, 89}:  "Minor Issues",
	{FamilyFlow, 90}:  "TCP Connection Issues",
	{FamilyFlow, 91}:  "VLAN Bidirectional Traffic",
	{FamilyFlow, 92}:  "Rare Destination",
	{FamilyFlow, 93}:  "ModbusTCP Unexpected Function Code",
	{FamilyFlow, 94}:  "ModbusTCP Too Many Exceptions",
	{FamilyFlow, 95}:  "ModbusTCP Invalid Transition",
	{FamilyFlow, 96}:  "Fully Encrypted Flow",
	{FamilyFlow, 97}:  "ALPN/SNI Mismatch",
	{FamilyFlow, 98}:  "Malware Host Contacted",
	{FamilyFlow, 99}:  "Binary Data Transfer",
	{FamilyFlow, 100}: "TCP Flow Reset",
	{FamilyFlow, 101}: "Probing Attempt",

	// host alerts
	{FamilyHost, 1}:  "SMTP Server Contacts",
	{FamilyHost, 2}:  "DNS Server Contacts",
	{FamilyHost, 3}:  "NTP Server Contacts",
	{FamilyHost, 4}:  "Flows Flood",
	{FamilyHost, 5}:  "TCP SYN Scan",
	{FamilyHost, 6}:  "TCP SYN Flood",
	{FamilyHost, 7}:  "Domain Names Contacts",
	{FamilyHost, 8}:  "P2P Traffic",
	{FamilyHost, 9}:  "DNS Traffic",
	{FamilyHost, 10}: "Flow Anomaly",
	{FamilyHost, 11}: "Score Anomaly",
	{FamilyHost, 12}: "Remote Connection",
	{FamilyHost, 13}: "Host Log",
	{FamilyHost, 14}: "Dangerous Host",
	{FamilyHost, 15}: "NTP Traffic",
	{FamilyHost, 16}: "Countries Contacts",
	{FamilyHost, 17}: "Score Threshold Cross",
	{FamilyHost, 18}: "ICMP Flood",
	{FamilyHost, 19}: "Pkt Threshold",
	{FamilyHost, 20}: "Scan Detected",
	{FamilyHost, 21}: "TCP FIN Scan",
	{FamilyHost, 22}: "DNS Flood",
	{FamilyHost, 23}: "SNMP Flood",
	{FamilyHost, 24}: "Custom Script",
	{FamilyHost, 25}: "TCP RST Scan",
	{FamilyHost, 26}: "Threshold Crossed",
	{FamilyHost, 27}: "External Script",

	// other alerts (system, interface, network, MAC, user, ...)
	{FamilyOther, 4099}: "Dropped Alerts",
	{FamilyOther, 4100}: "Gateway Unreachable",
	{FamilyOther, 4102}: "Ghost Network Detected",
	{FamilyOther, 4104}: "Host Pool Disconnection",
	{FamilyOther, 4106}: "InfluxDB Error",
	{FamilyOther, 4107}: "InfluxDB Export Failure",
	{FamilyOther, 4109}: "Misconfigured DHCP Range",
	{FamilyOther, 4110}: "List Download Failed",
	{FamilyOther, 4111}: "Login Failed",
	{FamilyOther, 4112}: "IP/MAC Reassoc/Spoofing",
	{FamilyOther, 4114}: "Misconfigured App",
	{FamilyOther, 4116}: "Packets Queue Flushed",
	{FamilyOther, 4118}: "Periodic Activity Not Executed",
	{FamilyOther, 4126}: "Quota Exceeded",
	{FamilyOther, 4128}: "Slow Periodic Activity",
	{FamilyOther, 4129}: "Slow Idle Purging",
	{FamilyOther, 4136}: "Threshold Cross",
	{FamilyOther, 4137}: "Packet Drops",
	{FamilyOther, 4139}: "User Activity",
	{FamilyOther, 4145}: "List Download Succeeded",
	{FamilyOther, 4146}: "Inactivity",
	{FamilyOther, 4147}: "Unexpected MAC Conn./Disc.",
	{FamilyOther, 4151}: "Fail2Ban command executed",
	{FamilyOther, 4153}: "Flows Flood Victim",
	{FamilyOther, 4157}: "TCP SYN Scan Victim",
	{FamilyOther, 4164}: "Broadcast domain",
	{FamilyOther, 4165}: "NGI Trust Event",
	{FamilyOther, 4168}: "Jailed Host Added",
	{FamilyOther, 4169}: "Jailed Host Removed",
	{FamilyOther, 4170}: "Many MACs on Non-Trunk",
	{FamilyOther, 4175}: "DHCP Storm",
	{FamilyOther, 4178}: "Local Host Blacklisted",
	{FamilyOther, 4179}: "Network issues",
	{FamilyOther, 4184}: "Vulnerability Scan",
	{FamilyOther, 4187}: "System Error",
}

// TypeTitle is the English title of the alert type with this key in family
// f. Types without a known title get one derived from the type name
// ("alert_foo_bar" → "Foo Bar"); unknown keys get "Unknown alert <key>".
func TypeTitle(f Family, key int) string {
	if t, ok := titles[familyKey{f, key}]; ok {
		return t
	}
	if t, ok := TypeByFamilyKey(f, key); ok {
		return titleFromName(t.Name)
	}
	return "Unknown alert " + strconv.Itoa(key)
}

// titleFromName derives a readable title from a type name.
func titleFromName(name string) string {
	for _, p := range []string{"host_alert_", "alert_ndpi_", "alert_", "ndpi_"} {
		if strings.HasPrefix(name, p) {
			name = name[len(p):]
			break
		}
	}
	words := strings.Split(name, "_")
	for i, w := range words {
		r := []rune(w)
		if len(r) > 0 {
			r[0] = unicode.ToUpper(r[0])
		}
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}
