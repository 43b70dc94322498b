package engine

import (
	"strings"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// riskDetail is the detail nDPI gives with some risks (ntopng shows it
// after the risk's title as "[detail]" and stores it as ndpi_risk_info),
// rebuilt from the flow when the alert is raised rather than kept per
// flow on the packet path. "" when the risk has none or the flow lacks
// the data.
func riskDetail(id dpi.RiskID, v *alerts.FlowView) string {
	var tls *dpi.TLSInfo
	if v.Info != nil {
		tls = &v.Info.TLS
	}
	switch id {
	case dpi.RiskUnidirectionalTraffic:
		switch {
		case v.S2C.Packets == 0:
			return "No server to client traffic"
		case v.C2S.Packets == 0:
			return "No client to server traffic"
		}
	case dpi.RiskTLSObsoleteVersion:
		if tls != nil {
			return tlsVersionName(max(tls.Version, tls.ClientVersion))
		}
	case dpi.RiskTLSCertExpired, dpi.RiskTLSCertAboutToExpire:
		if tls != nil && tls.NotBefore != 0 && tls.NotAfter != 0 {
			return certTime(tls.NotBefore) + " - " + certTime(tls.NotAfter)
		}
	case dpi.RiskTLSCertMismatch:
		if tls != nil && v.ServerName != "" && len(tls.AltNames) > 0 {
			return v.ServerName + " vs " + strings.Join(tls.AltNames, ",")
		}
	case dpi.RiskTLSSelfSigned:
		if tls != nil {
			return tls.Issuer
		}
	case dpi.RiskSuspiciousDGADomain, dpi.RiskNumericIPHost:
		return v.ServerName
	}
	return ""
}

// certTime formats a certificate validity bound as nDPI does (UTC).
func certTime(unix int64) string {
	return time.Unix(unix, 0).UTC().Format("02/Jan/2006 15:04:05")
}

// tlsVersionName is nDPI's name of a TLS/SSL version number.
func tlsVersionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSLv3"
	case 0x0301:
		return "TLSv1"
	case 0x0302:
		return "TLSv1.1"
	case 0x0303:
		return "TLSv1.2"
	case 0x0304:
		return "TLSv1.3"
	case 0xfeff:
		return "DTLSv1.0"
	case 0xfefd:
		return "DTLSv1.2"
	}
	return ""
}
