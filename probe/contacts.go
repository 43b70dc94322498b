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
	stats := dpi.StatsProto(f.DPI.Result)
	for i, h := range []*Host{f.Cli, f.Srv} {
		hs := &ifc.hosts[h.Key.shard()]
		hs.mu.Lock()
		if i == 0 && h.Local && name != "" {
			h.contactedServices.add([]byte(name))
			h.domainNames.add([]byte(name))
		}
		if ac := h.NDPI[stats]; ac != nil {
			ac.NumFlows++
		}
		hs.mu.Unlock()
	}
}
