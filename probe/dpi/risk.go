package dpi

import "math/bits"

// Flow risks, with nDPI's numbering (ndpi_risk_enum), display names,
// severities and the share of the score charged to the client. A flow's
// risk score is the sum of the scores of its risks; the client and server
// parts feed the host scores.

// RiskID is an nDPI flow risk id.
type RiskID uint8

// Risk ids (nDPI numbering).
const (
	RiskNone                     RiskID = 0
	RiskURLPossibleXSS           RiskID = 1
	RiskURLPossibleSQLInjection  RiskID = 2
	RiskURLPossibleRCEInjection  RiskID = 3
	RiskBinaryAppTransfer        RiskID = 4
	RiskKnownProtoNonStdPort     RiskID = 5
	RiskTLSSelfSigned            RiskID = 6
	RiskTLSObsoleteVersion       RiskID = 7
	RiskTLSWeakCipher            RiskID = 8
	RiskTLSCertExpired           RiskID = 9
	RiskTLSCertMismatch          RiskID = 10
	RiskHTTPSuspiciousUserAgent  RiskID = 11
	RiskNumericIPHost            RiskID = 12
	RiskHTTPSuspiciousURL        RiskID = 13
	RiskHTTPSuspiciousHeader     RiskID = 14
	RiskTLSNotCarryingHTTPS      RiskID = 15
	RiskSuspiciousDGADomain      RiskID = 16
	RiskMalformedPacket          RiskID = 17
	RiskSSHObsoleteClient        RiskID = 18
	RiskSSHObsoleteServer        RiskID = 19
	RiskSMBInsecureVersion       RiskID = 20
	RiskTLSSuspiciousESNI        RiskID = 21
	RiskUnsafeProtocol           RiskID = 22
	RiskDNSSuspiciousTraffic     RiskID = 23
	RiskTLSMissingSNI            RiskID = 24
	RiskHTTPSuspiciousContent    RiskID = 25
	RiskRiskyASN                 RiskID = 26
	RiskRiskyDomain              RiskID = 27
	RiskMaliciousFingerprint     RiskID = 28
	RiskMaliciousSHA1Certificate RiskID = 29
	RiskDesktopOrFileSharing     RiskID = 30
	RiskTLSUncommonALPN          RiskID = 31
	RiskTLSCertValidityTooLong   RiskID = 32
	RiskTLSSuspiciousExtension   RiskID = 33
	RiskTLSFatalAlert            RiskID = 34
	RiskSuspiciousEntropy        RiskID = 35
	RiskClearTextCredentials     RiskID = 36
	RiskDNSLargePacket           RiskID = 37
	RiskDNSFragmented            RiskID = 38
	RiskInvalidCharacters        RiskID = 39
	RiskPossibleExploit          RiskID = 40
	RiskTLSCertAboutToExpire     RiskID = 41
	RiskPunycodeIDN              RiskID = 42
	RiskErrorCode                RiskID = 43
	RiskHTTPCrawlerBot           RiskID = 44
	RiskAnonymousSubscriber      RiskID = 45
	RiskUnidirectionalTraffic    RiskID = 46
	RiskHTTPObsoleteServer       RiskID = 47
	RiskPeriodicFlow             RiskID = 48
	RiskMinorIssues              RiskID = 49
	RiskTCPIssues                RiskID = 50
	RiskFullyEncrypted           RiskID = 51
	RiskTLSALPNSNIMismatch       RiskID = 52
	RiskMalwareHostContacted     RiskID = 53
	RiskBinaryDataTransfer       RiskID = 54
	RiskProbingAttempt           RiskID = 55
	RiskObfuscatedTraffic        RiskID = 56
	numRisks                            = 57
)

// RiskSeverity is nDPI's risk severity; its score is the risk's weight.
type RiskSeverity uint8

const (
	SeverityLow RiskSeverity = iota
	SeverityMedium
	SeverityHigh
	SeveritySevere
	SeverityCritical
	SeverityEmergency
)

// Score is the score nDPI gives a risk of this severity.
func (s RiskSeverity) Score() int {
	return [...]int{10, 50, 100, 150, 200, 250}[s]
}

func (s RiskSeverity) String() string {
	return [...]string{"low", "medium", "high", "severe", "critical", "emergency"}[s]
}

// RiskInfo describes one risk.
type RiskInfo struct {
	ID       RiskID
	Key      string // nDPI's enum name without the NDPI_ prefix, lower-case
	Name     string // display name, as ndpiReader prints it
	Severity RiskSeverity
	// ClientPct is the percentage of the score charged to the client
	// (the rest goes to the server).
	ClientPct int
	// AlertKey is ntopng's flow alert type id for this risk (0: none).
	AlertKey int
}

// Score is the risk's score.
func (ri *RiskInfo) Score() int { return ri.Severity.Score() }

// Shares of a risk's score charged to the client.
const (
	clientLow  = 10
	clientFair = 50
	clientHigh = 90
)

var riskTable = [numRisks]RiskInfo{
	{RiskNone, "no_risk", "No Risk", SeverityLow, clientFair, 0},
	{RiskURLPossibleXSS, "url_possible_xss", "XSS Attack", SeveritySevere, clientHigh, 39},
	{RiskURLPossibleSQLInjection, "url_possible_sql_injection", "SQL Injection", SeveritySevere, clientHigh, 40},
	{RiskURLPossibleRCEInjection, "url_possible_rce_injection", "RCE Injection", SeveritySevere, clientHigh, 41},
	{RiskBinaryAppTransfer, "binary_application_transfer", "Binary App Transfer", SeveritySevere, clientFair, 29},
	{RiskKnownProtoNonStdPort, "known_protocol_on_non_standard_port", "Known Proto on Non Std Port", SeverityMedium, clientHigh, 30},
	{RiskTLSSelfSigned, "tls_selfsigned_certificate", "Self-signed Cert", SeverityHigh, clientLow, 28},
	{RiskTLSObsoleteVersion, "tls_obsolete_version", "Obsolete TLS (v1.1 or older)", SeverityHigh, clientHigh, 24},
	{RiskTLSWeakCipher, "tls_weak_cipher", "Weak TLS Cipher", SeverityHigh, clientHigh, 25},
	{RiskTLSCertExpired, "tls_certificate_expired", "TLS Cert Expired", SeverityHigh, clientLow, 22},
	{RiskTLSCertMismatch, "tls_certificate_mismatch", "TLS Cert Mismatch", SeverityHigh, clientLow, 23},
	{RiskHTTPSuspiciousUserAgent, "http_suspicious_user_agent", "HTTP Susp User-Agent", SeverityHigh, clientHigh, 42},
	{RiskNumericIPHost, "numeric_ip_host", "HTTP/TLS/QUIC Numeric Hostname/SNI", SeverityLow, clientHigh, 43},
	{RiskHTTPSuspiciousURL, "http_suspicious_url", "HTTP Susp URL", SeverityHigh, clientHigh, 44},
	{RiskHTTPSuspiciousHeader, "http_suspicious_header", "HTTP Susp Header", SeverityHigh, clientHigh, 45},
	{RiskTLSNotCarryingHTTPS, "tls_not_carrying_https", "TLS (probably) Not Carrying HTTPS", SeverityLow, clientHigh, 46},
	{RiskSuspiciousDGADomain, "suspicious_dga_domain", "Susp DGA Domain name", SeverityHigh, clientHigh, 47},
	{RiskMalformedPacket, "malformed_packet", "Malformed Packet", SeverityLow, clientHigh, 48},
	{RiskSSHObsoleteClient, "ssh_obsolete_client_version_or_cipher", "SSH Obsolete Cli Vers/Cipher", SeverityHigh, clientHigh, 61},
	{RiskSSHObsoleteServer, "ssh_obsolete_server_version_or_cipher", "SSH Obsolete Ser Vers/Cipher", SeverityHigh, clientLow, 49},
	{RiskSMBInsecureVersion, "smb_insecure_version", "SMB Insecure Vers", SeverityHigh, clientHigh, 50},
	{RiskTLSSuspiciousESNI, "tls_suspicious_esni_usage", "TLS Susp ESNI Usage", SeverityMedium, clientHigh, 51},
	{RiskUnsafeProtocol, "unsafe_protocol", "Unsafe Protocol", SeverityLow, clientHigh, 52},
	{RiskDNSSuspiciousTraffic, "dns_suspicious_traffic", "Susp DNS Traffic", SeverityMedium, clientHigh, 53},
	{RiskTLSMissingSNI, "tls_missing_sni", "Missing SNI TLS Extn", SeverityMedium, clientHigh, 54},
	{RiskHTTPSuspiciousContent, "http_suspicious_content", "HTTP Susp Content", SeverityHigh, clientHigh, 63},
	{RiskRiskyASN, "risky_asn", "Risky ASN", SeverityMedium, clientHigh, 85},
	{RiskRiskyDomain, "risky_domain", "Risky Domain Name", SeverityMedium, clientHigh, 86},
	{RiskMaliciousFingerprint, "malicious_fingerprint", "Malicious Fingerpint", SeverityMedium, clientHigh, 79},
	{RiskMaliciousSHA1Certificate, "malicious_sha1_certificate", "Malicious SSL Cert/SHA1 Fingerp.", SeverityMedium, clientHigh, 80},
	{RiskDesktopOrFileSharing, "desktop_or_file_sharing_session", "Desktop/File Sharing", SeverityLow, clientFair, 78},
	{RiskTLSUncommonALPN, "tls_uncommon_alpn", "Uncommon TLS ALPN", SeverityMedium, clientHigh, 81},
	{RiskTLSCertValidityTooLong, "tls_cert_validity_too_long", "TLS Cert Validity Too Long", SeverityMedium, clientLow, 60},
	{RiskTLSSuspiciousExtension, "tls_suspicious_extension", "TLS Susp Extn", SeverityHigh, clientHigh, 82},
	{RiskTLSFatalAlert, "tls_fatal_alert", "TLS Fatal Alert", SeverityLow, clientFair, 83},
	{RiskSuspiciousEntropy, "suspicious_entropy", "Susp Entropy", SeverityLow, clientFair, 73},
	{RiskClearTextCredentials, "clear_text_credentials", "Clear-Text Credentials", SeverityHigh, clientHigh, 62},
	{RiskDNSLargePacket, "dns_large_packet", "Large DNS Packet (512+ bytes)", SeverityMedium, clientHigh, 64},
	{RiskDNSFragmented, "dns_fragmented", "Fragmented DNS Message", SeverityMedium, clientHigh, 65},
	{RiskInvalidCharacters, "invalid_characters", "Non-Printable/Invalid Chars Detected", SeverityHigh, clientHigh, 66},
	{RiskPossibleExploit, "possible_exploit", "Possible Exploit Attempt", SeveritySevere, clientHigh, 68},
	{RiskTLSCertAboutToExpire, "tls_certificate_about_to_expire", "TLS Cert About To Expire", SeverityMedium, clientLow, 69},
	{RiskPunycodeIDN, "punycode_idn", "IDN Domain Name", SeverityLow, clientLow, 70},
	{RiskErrorCode, "error_code_detected", "Error Code", SeverityLow, clientLow, 71},
	{RiskHTTPCrawlerBot, "http_crawler_bot", "Crawler/Bot", SeverityLow, clientLow, 72},
	{RiskAnonymousSubscriber, "anonymous_subscriber", "Anonymous Subscriber", SeverityMedium, clientFair, 76},
	{RiskUnidirectionalTraffic, "unidirectional_traffic", "Unidirectional Traffic", SeverityLow, clientFair, 26},
	{RiskHTTPObsoleteServer, "http_obsolete_server", "HTTP Obsolete Server", SeverityMedium, clientLow, 84},
	{RiskPeriodicFlow, "periodic_flow", "Periodic Flow", SeverityLow, clientFair, 88},
	{RiskMinorIssues, "minor_issues", "Minor Issues", SeverityLow, clientFair, 89},
	{RiskTCPIssues, "tcp_issues", "TCP Connection Issues", SeverityMedium, clientFair, 90},
	{RiskFullyEncrypted, "fully_encrypted", "Fully Encrypted Flow", SeverityMedium, clientFair, 96},
	{RiskTLSALPNSNIMismatch, "tls_alpn_sni_mismatch", "ALPN/SNI Mismatch", SeverityMedium, clientFair, 97},
	{RiskMalwareHostContacted, "malware_host_contacted", "Client Contacted A Malware Host", SeveritySevere, clientHigh, 98},
	{RiskBinaryDataTransfer, "binary_data_transfer", "Binary File/Data Transfer (Attempt)", SeverityMedium, clientFair, 99},
	{RiskProbingAttempt, "probing_attempt", "Probing Attempt", SeverityMedium, clientHigh, 101},
	{RiskObfuscatedTraffic, "obfuscated_traffic", "Obfuscated Traffic", SeverityHigh, clientFair, 0},
}

// Risk returns the description of a risk id (nil for ids out of range).
func Risk(id RiskID) *RiskInfo {
	if int(id) >= numRisks {
		return nil
	}
	return &riskTable[id]
}

// Risks is the set of risks of a flow, as nDPI's risk bitmap.
type Risks uint64

// Set adds a risk.
func (r *Risks) Set(id RiskID) {
	if id != RiskNone && int(id) < numRisks {
		*r |= 1 << id
	}
}

// Has reports whether the risk is set.
func (r Risks) Has(id RiskID) bool { return r&(1<<id) != 0 }

// Each calls fn for every risk of the set, in id order.
func (r Risks) Each(fn func(*RiskInfo)) {
	for r != 0 {
		i := bits.TrailingZeros64(uint64(r))
		r &^= 1 << i
		if i < numRisks {
			fn(&riskTable[i])
		}
	}
}

// Score returns the flow score of the set and its client and server parts.
func (r Risks) Score() (total, client, server int) {
	r.Each(func(ri *RiskInfo) {
		s := ri.Score()
		c := s * ri.ClientPct / 100
		total += s
		client += c
		server += s - c
	})
	return total, client, server
}
