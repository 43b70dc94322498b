package luacheck

import (
	"os"
	"regexp"
	"testing"

	"github.com/ntopng-go/ntopng/alerts"
)

// TestDocsExamples runs the examples of docs/lua-checks.md ("Save this as
// `<datadir>/checks/<subdir>/<key>.lua`:" followed by a Lua block), so
// that the page never shows a check that does not work.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/lua-checks.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)Save this as `<datadir>/checks/(\\w+)/(\\w+)\\.lua`:\\s*```lua\n(.*?)```")
	examples := re.FindAllSubmatch(doc, -1)
	if len(examples) != 2 {
		t.Fatalf("%d examples found, want 2", len(examples))
	}
	files := map[string]string{}
	for _, m := range examples {
		files[string(m[1])+"/"+string(m[2])+".lua"] = string(m[3])
	}
	f := newFixture(t, files, nil)
	f.expectNoProblem()

	// exe_download: an .exe from a server that is not in the list.
	exe := httpFlow()
	enabled := config{"flow/exe_download": {hooks: []string{"all"}, conf: `{"items":["download.windowsupdate.com"]}`}}.enabled
	got := f.r.RunFlow("protocolDetected", exe, enabled)
	if len(got) != 1 || got[0].Score != 100 || got[0].Type != 87 || got[0].Message != "executable downloaded from example.com/setup.exe" ||
		got[0].Params["url"] != "/setup.exe" || got[0].Params["server"] != "example.com" {
		t.Errorf("exe_download: %+v", got)
	}
	mirror := httpFlow()
	mirror.ServerName = "download.windowsupdate.com"
	if got := f.r.RunFlow("protocolDetected", mirror, enabled); got != nil {
		t.Errorf("exe_download from a mirror: %+v", got)
	}
	if got := f.r.RunFlow("protocolDetected", dnsFlow(), enabled); got != nil {
		t.Errorf("exe_download on DNS: %+v", got)
	}

	// many_flows: 4 active flows against thresholds 3 and 500.
	h := aHost()
	for _, tc := range []struct {
		conf string
		want []alerts.Raised
	}{
		{`{"operator":"gt","threshold":3}`, []alerts.Raised{{Subdir: "host", Check: "many_flows", Type: 24, Score: 50, Message: "192.168.1.10 has 4 active flows (threshold 3)"}}},
		{`{"operator":"gt","threshold":500}`, nil},
	} {
		got := f.r.RunHost("min", h, config{"host/many_flows": {hooks: []string{"min"}, conf: tc.conf}}.enabled)
		if len(got) != len(tc.want) || len(got) == 1 && (got[0].Message != tc.want[0].Message || got[0].Score != 50 || got[0].Type != 24) {
			t.Errorf("many_flows %s: %+v", tc.conf, got)
		}
	}
	f.expectNoProblem()
	for _, d := range f.r.Defs() {
		if d.Enabled {
			t.Errorf("example %s is enabled by default", d.Key)
		}
	}
}

// TestReadmeExample runs the check of the README's "Writing a Lua check".
func TestReadmeExample(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)`<datadir>/checks/(\\w+)/(\\w+)\\.lua`:\\s*```lua\n(.*?)```").FindSubmatch(doc)
	if m == nil || string(m[1]) != "flow" || string(m[2]) != "big_dns" {
		t.Fatal("README example not found")
	}
	f := newFixture(t, map[string]string{"flow/big_dns.lua": string(m[3])}, nil)
	f.expectNoProblem()
	enabled := config{"flow/big_dns": {hooks: []string{"all"}, conf: `{"operator":"gt","threshold":1000}`}}.enabled
	big := dnsFlow()
	big.S2C.Bytes = 1500
	got := f.r.RunFlow("protocolDetected", big, enabled)
	if len(got) != 1 || got[0].Score != 60 || got[0].Type != 87 || got[0].Message != "1500 bytes of DNS answers from 8.8.8.8" {
		t.Errorf("big answer: %+v", got)
	}
	if got := f.r.RunFlow("protocolDetected", dnsFlow(), enabled); got != nil {
		t.Errorf("small answer: %+v", got)
	}
	if got := f.r.RunFlow("protocolDetected", httpFlow(), enabled); got != nil {
		t.Errorf("HTTP flow: %+v", got)
	}
}
