package luacheck

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/db"
)

// TestConcurrentRuns: calls from several goroutines (one per interface in
// the engine) share the runner, also while it reloads. Run with -race.
func TestConcurrentRuns(t *testing.T) {
	f := newFixture(t, map[string]string{
		"flow/a.lua":                       checkScript(`x = (x or 0) + 1; flow.triggerAlert(1, "a" .. x .. flow.srv_port())`),
		"flow/b.lua":                       checkScript(`if conf.on then flow.triggerAlert(2, "b") end`),
		"flows/custom_flow_lua_script.lua": `flow.triggerAlert(3, "ref" .. flow.cli_port()) return(0)`,
	}, func(o *Options) { o.PoolSize = 2 })
	cfg := config{
		"flow/a":                 {hooks: []string{"all"}},
		"flow/b":                 {hooks: []string{"all"}, conf: `{"on":true}`},
		"flow/custom_lua_script": {hooks: []string{"all"}},
	}
	const goroutines, calls = 4, 200
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fv := dnsFlow()
			fv.CliPort = uint16(1000 + g)
			want := fmt.Sprintf("ref%d a153 b", 1000+g)
			for range calls {
				var got []string
				for _, r := range f.r.RunFlow("protocolDetected", fv, cfg.enabled) {
					got = append(got, r.Message)
				}
				if s := strings.Join(got, " "); s != want {
					errs <- fmt.Sprintf("goroutine %d: %q, want %q", g, s, want)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			f.r.Reload()
			_ = f.r.Defs()
			runtime.Gosched()
		}
	}()
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	f.expectNoProblem()
}

// TestStoreIntegration: script checks appear in the checks configuration
// like built-in ones, are enabled and configured through it, and a
// deleted script's check becomes unknown while its entry stays.
func TestStoreIntegration(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(filepath.Join(t.TempDir(), "ntopng.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	store, err := checks.NewStore(ctx, d.SQL(), checks.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, map[string]string{
		"flow/big_flow.lua": flowCheck,
		"host/chatty.lua":   hostCheck,
	}, nil)
	if err := f.r.Sync(ctx, store); err != nil {
		t.Fatal(err)
	}

	// get/checks/config lists them with their defaults.
	var doc struct {
		Set struct {
			Config map[string]map[string]map[string]checks.Hook `json:"config"`
		} `json:"0"`
	}
	readDoc := func() {
		t.Helper()
		b, err := store.Document()
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
	}
	readDoc()
	if h := doc.Set.Config["flow"]["big_flow"]["all"]; h.Enabled || string(h.ScriptConf) != `{"items":["a","b"],"operator":"gt","threshold":1000}` {
		t.Errorf("flow/big_flow entry %+v", doc.Set.Config["flow"]["big_flow"])
	}
	if h := doc.Set.Config["host"]["chatty"]; !h["min"].Enabled || !h["5mins"].Enabled {
		t.Errorf("host/chatty entry %+v", h)
	}

	// Disabled by default: nothing runs.
	if got := f.r.RunFlow("periodicUpdate", dnsFlow(), store.Enabled); got != nil {
		t.Errorf("disabled check ran: %+v", got)
	}
	// enable/check.lua, then set/checks/config with a new threshold.
	if err := store.Enable(ctx, "flow", "big_flow", true); err != nil {
		t.Fatal(err)
	}
	if got := f.r.RunFlow("periodicUpdate", dnsFlow(), store.Enabled); len(got) != 0 {
		t.Errorf("220 bytes are below the default threshold: %+v", got)
	}
	b, _ := store.Document()
	b = []byte(strings.Replace(string(b), `"threshold":1000`, `"threshold":100`, 1))
	if err := store.Set(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got := f.r.RunFlow("periodicUpdate", dnsFlow(), store.Enabled); len(got) != 1 || got[0].Message != "periodic 220 > 100" {
		t.Errorf("after set: %+v", got)
	}
	bound := f.r.Configured(store.Enabled)
	if got := bound.RunHost("min", aHost()); len(got) != 1 || got[0].Check != "chatty" {
		t.Errorf("host check: %+v", got)
	}
	if got := bound.RunFlow("periodicUpdate", dnsFlow()); len(got) != 1 {
		t.Errorf("bound flow check: %+v", got)
	}
	if got := bound.RunInterface("min", &alerts.InterfaceView{}); got != nil {
		t.Errorf("no interface check: %+v", got)
	}

	// The script is deleted: its check is unknown, its entry stays.
	f.remove("flow/big_flow.lua")
	f.r.Reload()
	if err := f.r.Sync(ctx, store); err != nil {
		t.Fatal(err)
	}
	if err := store.Enable(ctx, "flow", "big_flow", false); checks.KindOf(err) != checks.UnknownCheck {
		t.Errorf("disable of a deleted script: %v", err)
	}
	readDoc()
	if h := doc.Set.Config["flow"]["big_flow"]["all"]; !h.Enabled {
		t.Errorf("entry of the deleted script %+v", doc.Set.Config["flow"]["big_flow"])
	}
	if err := store.Enable(ctx, "host", "chatty", false); err != nil {
		t.Errorf("the other script: %v", err)
	}
}

// TestShippedExample loads the example of scripts/checks: disabled by
// default, it raises for long DNS names once enabled.
func TestShippedExample(t *testing.T) {
	var problems []Problem
	r, err := New(Options{Dirs: []string{"../../scripts/checks"}, Report: func(p Problem) { problems = append(problems, p) }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(problems) != 0 {
		t.Fatalf("problems %+v", problems)
	}
	defs := r.Defs()
	d, ok := checks.Lookup(defs, "flow", "long_dns_query")
	if !ok || d.Enabled || d.Conf != `{"operator":"gt","threshold":100}` || d.Input != checks.InputThreshold || d.AlertID != 87 {
		t.Fatalf("long_dns_query: %+v (of %+v)", d, defs)
	}
	for _, def := range defs {
		if def.Enabled {
			t.Errorf("shipped check %s/%s is enabled by default", def.Subdir, def.Key)
		}
	}
	// Its defaults change nothing.
	defaults := checks.Defaults(defs)
	if got := r.RunFlow("protocolDetected", dnsFlow(), defaults.Enabled); got != nil {
		t.Errorf("with the defaults: %+v", got)
	}
	enabled := config{"flow/long_dns_query": {hooks: []string{"all"}, conf: `{"operator":"gt","threshold":20}`}}
	long := dnsFlow()
	long.ServerName = "aGVsbG8gd29ybGQgdGhpcyBpcyBhIHR1bm5lbA.x.example.com"
	got := r.RunFlow("protocolDetected", long, enabled.enabled)
	if len(got) != 1 || got[0].Score != 60 || got[0].Message != "DNS query for a 52-byte name with 4 labels: "+long.ServerName {
		t.Errorf("long name: %+v", got)
	}
	if got := r.RunFlow("protocolDetected", dnsFlow(), enabled.enabled); got != nil {
		t.Errorf("short name: %+v", got)
	}
	if got := r.RunFlow("protocolDetected", httpFlow(), enabled.enabled); got != nil {
		t.Errorf("not DNS: %+v", got)
	}
	if len(problems) != 0 {
		t.Errorf("problems %+v", problems)
	}
}

// BenchmarkRunFlow is the cost of one trivial check on one flow.
func BenchmarkRunFlow(b *testing.B) {
	for _, bc := range []struct {
		name, file, src, id string
	}{
		{"check", "flow/trivial.lua", checkScript(`if flow.srv_port() == 443 then flow.triggerAlert(1, "x") end`), "flow/trivial"},
		{"reference", "flows/custom_flow_lua_script.lua", `if flow.srv_port() == 443 then flow.triggerAlert(1, "x") end return(0)`, "flow/custom_lua_script"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b, map[string]string{bc.file: bc.src}, nil)
			enabled := on("all", bc.id).enabled
			fv := dnsFlow()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if got := f.r.RunFlow("protocolDetected", fv, enabled); got != nil {
					b.Fatal(got)
				}
			}
		})
	}
}
