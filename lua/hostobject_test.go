package lua

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/dpi"
	"github.com/ntopng-go/ntopng/probe/synth"
)

// sampleInterface reads the synthetic sample capture into an interface.
func sampleInterface(t *testing.T) (*probe.Interface, *dpi.Registry) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "sample.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.WriteSample(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	reg := dpi.NewRegistry()
	ifc := probe.New(probe.Config{ID: 0, Name: "sample.pcap", Registry: reg, PacketClock: true,
		LocalNets: probe.NewLocalNets([]netip.Prefix{netip.MustParsePrefix(synth.SampleLocalNet)}, nil)})
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := ifc.Capture(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return ifc, reg
}

func runScript(t *testing.T, ifc *probe.Interface, reg *dpi.Registry, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	app := &App{Interfaces: []*probe.Interface{ifc}, Registry: reg, Version: "t", Start: time.Now()}
	rt := New(Config{ModulesDir: t.TempDir(), PoolSize: 1, Timeout: 5 * time.Second, Installers: []Installer{Bindings(app)}})
	out, err := rt.Run(context.Background(), path, &Request{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func TestHostObjectReadsLiveHost(t *testing.T) {
	ifc, reg := sampleInterface(t)
	d, ok := ifc.HostDetail(probe.HostKey{IP: netip.MustParseAddr("192.168.1.10")})
	if !ok {
		t.Fatal("sample host missing")
	}
	got := runScript(t, ifc, reg, `
local h = interface.getHost("192.168.1.10")
local l7 = h.l7()
print(h.ip(), h.vlan_id(), h.name(), tostring(h.is_unicast()), tostring(h.is_local()),
      h.bytes_sent(), h.bytes_rcvd(), h.bytes(), l7.TLS["bytes.sent"] > 0, h.no_such_member)
print(interface.getHost("10.99.99.99") == nil, pcall(function() h.x = 1 end))`)
	want := strings.Join([]string{
		strings.Join([]string{"192.168.1.10", "0", d.Name, "true", "true",
			itoa(d.Traffic.BytesSent), itoa(d.Traffic.BytesRcvd), itoa(d.Traffic.BytesSent + d.Traffic.BytesRcvd), "true", "nil"}, "\t"),
		"true\tfalse\t",
	}, "\n")
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "host objects are read-only") {
		t.Errorf("script printed\n%q\nwant\n%q", got, want)
	}
}

func itoa(n uint64) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}
