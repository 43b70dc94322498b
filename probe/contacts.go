package probe

import (
	"encoding/binary"
	"strings"

	"github.com/ntopng-go/ntopng/probe/dpi"
)

// flowContacts feeds the cardinality estimators of both hosts when a flow
// is created (spec A.10). Called by the writer only.
func (ifc *Interface) flowContacts(f *Flow) {
	var cliIP, srvIP []byte
	if f.CliIP.Is4() {
		a, b := f.CliIP.As4(), f.SrvIP.As4()
		cliIP, srvIP = a[:], b[:]
	} else {
		a, b := f.CliIP.As16(), f.SrvIP.As16()
		cliIP, srvIP = a[:], b[:]
	}
	var port [2]byte
	cli, srv := f.Cli, f.Srv
	hs := &ifc.hosts[cli.Key.shard()]
	hs.mu.Lock()
	if l := cli.LocalData; l != nil {
		l.contactedHosts.add(srvIP)
		l.contactsCli.add(srvIP)
		binary.BigEndian.PutUint16(port[:], f.SrvPort)
		l.contactedPorts.add(port[:])
		switch f.SrvPort {
		case 53:
			l.dnsServers.add(srvIP)
		case 25, 465, 587:
			l.smtpServers.add(srvIP)
		case 123:
			l.ntpServers.add(srvIP)
		}
	}
	hs.mu.Unlock()
	hs = &ifc.hosts[srv.Key.shard()]
	hs.mu.Lock()
	if l := srv.LocalData; l != nil {
		l.contactsAsServer.add(cliIP)
		l.contactsSrv.add(cliIP)
		binary.BigEndian.PutUint16(port[:], f.CliPort)
		l.contactedByPorts.add(port[:])
	}
	hs.mu.Unlock()
}

// detectionContacts records the server name of a classified flow as a
// contacted service of its client and counts the flow in the client's and
// server's per-protocol counters when those already exist (spec C.3.8).
func (ifc *Interface) detectionContacts(f *Flow) {
	name := f.DPI.ServerName
	res := f.DPI.Result
	stats := dpi.StatsProto(res)
	// The server is named after the SNI of TLS flows and the Host of HTTP
	// flows towards it (REF-v1 "tls" and "http" name sources, A.4.1).
	nameSrc := dpi.NameSource(255)
	switch {
	case res.Is(dpi.ProtoDNS) || res.Is(dpi.ProtoMDNS):
	case res.Is(dpi.ProtoTLS) || res.Is(dpi.ProtoQUIC):
		nameSrc = dpi.NameTLS
	case res.Is(dpi.ProtoHTTP):
		nameSrc = dpi.NameHTTP
	}
	for i, h := range []*Host{f.Cli, f.Srv} {
		hs := &ifc.hosts[h.Key.shard()]
		hs.mu.Lock()
		if l := h.LocalData; i == 0 && l != nil {
			if name != "" {
				l.contactedServices.add([]byte(name))
				l.domainNames.add([]byte(name))
			}
			// The OS of a local host is learnt from the User-Agent of
			// the HTTP requests it sends; the first recognised one stays.
			if ua := f.DPI.HTTPUserAgent; ua != "" && h.OS == 0 {
				if os, detail := OSFromUserAgent(ua); os != OSUnknown {
					h.OS, h.OSDetail = uint8(os), strings.Clone(detail)
				}
			}
		}
		if i == 1 {
			if name != "" && nameSrc != 255 && !isIPLiteral(name) {
				h.setName(nameSrc, name)
			}
			if s := serviceOf(res, f.SrvPort); s != 0 {
				h.Services |= 1 << s
			}
		}
		if ac := h.NDPI[stats]; ac != nil {
			ac.NumFlows++
		}
		hs.mu.Unlock()
	}
}

// serviceOf is the server role a classified flow reveals for its server
// (0 for none). The well-known server port is required too, so that a
// client-to-client exchange or a scan does not promote a host.
func serviceOf(res dpi.Result, srvPort uint16) uint8 {
	switch {
	case res.Is(dpi.ProtoDNS) && srvPort == 53:
		return ServiceDNS
	case res.Is(dpi.ProtoDHCP) && srvPort == 67:
		return ServiceDHCP
	case res.Is(dpi.ProtoNTP) && srvPort == 123:
		return ServiceNTP
	case res.Is(dpi.ProtoSMTP) && (srvPort == 25 || srvPort == 587) || res.Is(dpi.ProtoSMTPS) && srvPort == 465:
		return ServiceSMTP
	case res.Is(dpi.ProtoPOP3) && srvPort == 110 || res.Is(dpi.ProtoPOPS) && srvPort == 995:
		return ServicePOP
	case res.Is(dpi.ProtoIMAP) && srvPort == 143 || res.Is(dpi.ProtoIMAPS) && srvPort == 993:
		return ServiceIMAP
	}
	return 0
}
