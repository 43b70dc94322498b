package probe

import (
	"encoding/binary"

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
	if cli.Local {
		cli.contactedHosts.add(srvIP)
		cli.contactsCli.add(srvIP)
		binary.BigEndian.PutUint16(port[:], f.SrvPort)
		cli.contactedPorts.add(port[:])
		switch f.SrvPort {
		case 53:
			cli.dnsServers.add(srvIP)
		case 25, 465, 587:
			cli.smtpServers.add(srvIP)
		case 123:
			cli.ntpServers.add(srvIP)
		}
	}
	hs.mu.Unlock()
	hs = &ifc.hosts[srv.Key.shard()]
	hs.mu.Lock()
	if srv.Local {
		srv.contactsAsServer.add(cliIP)
		srv.contactsSrv.add(cliIP)
		binary.BigEndian.PutUint16(port[:], f.CliPort)
		srv.contactedByPorts.add(port[:])
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
		if i == 0 && h.Local && name != "" {
			h.contactedServices.add([]byte(name))
			h.domainNames.add([]byte(name))
		}
		if i == 1 && name != "" && nameSrc != 255 && !isIPLiteral(name) {
			h.setName(nameSrc, name)
		}
		if ac := h.NDPI[stats]; ac != nil {
			ac.NumFlows++
		}
		hs.mu.Unlock()
	}
}
