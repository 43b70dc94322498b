package checks

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
)

// userDefs are definitions as the Lua check runner registers them.
func userDefs() []Def {
	return []Def{
		{Subdir: "flow", Key: "big_flow", Edition: Community, Listed: true, Hooks: []string{"all"}, Conf: `{"threshold":1000}`, AlertID: 87, AlertFamily: "flow", Category: "network", Title: "Big flow", Script: "/data/checks/flow/big_flow.lua"},
		{Subdir: "host", Key: "chatty", Edition: Community, Listed: true, Hooks: []string{"5mins", "min"}, Enabled: true, Conf: `[]`, AlertID: 24, AlertFamily: "host", Category: "security"},
	}
}

func TestRegister(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ntopng.db")
	s, d := openStore(t, path, Builtin())
	var changes atomic.Int32
	s.OnChange(func() { changes.Add(1) })
	before := len(s.Defs())

	if err := s.Register(ctx, userDefs()); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Defs()); n != before+2 {
		t.Errorf("%d definitions, want %d", n, before+2)
	}
	if changes.Load() != 0 {
		t.Error("Register notified the listeners")
	}
	// The document lists them with their defaults.
	set := storeDoc(t, s)["0"].(map[string]any)["config"].(map[string]any)
	if got := set["flow"].(map[string]any)["big_flow"]; !reflect.DeepEqual(got, map[string]any{"all": map[string]any{"enabled": false, "script_conf": map[string]any{"threshold": float64(1000)}}}) {
		t.Errorf("flow/big_flow: %v", got)
	}
	if got := set["host"].(map[string]any)["chatty"].(map[string]any); len(got) != 2 {
		t.Errorf("host/chatty: %v", got)
	}
	// enable/disable and Enabled know them.
	if err := s.Enable(ctx, "flow", "big_flow", true); err != nil {
		t.Fatal(err)
	}
	if hooks, conf := s.Enabled("flow", "big_flow"); !reflect.DeepEqual(hooks, []string{"all"}) || string(conf) != `{"threshold":1000}` {
		t.Errorf("enabled %v %s", hooks, conf)
	}

	// Registering again (an edited script) never overwrites the entry.
	edited := userDefs()
	edited[0].Conf = `{"threshold":5}`
	edited[0].Title = "Bigger flow"
	if err := s.Register(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if hooks, conf := s.Enabled("flow", "big_flow"); len(hooks) != 1 || string(conf) != `{"threshold":1000}` {
		t.Errorf("after a second registration: %v %s", hooks, conf)
	}
	if d, _ := Lookup(s.Defs(), "flow", "big_flow"); d.Title != "Bigger flow" {
		t.Errorf("definition not replaced: %+v", d)
	}

	// Saved: a restart keeps the entries (with the enabled state) even
	// before the scripts register again.
	d.Close()
	s2, d2 := openStore(t, path, Builtin())
	defer d2.Close()
	if hooks, _ := s2.Config().Enabled("flow", "big_flow"); len(hooks) != 1 {
		t.Errorf("after reopening: %v", hooks)
	}
	if _, ok := Lookup(s2.Defs(), "flow", "big_flow"); ok {
		t.Error("a registration survived a restart")
	}

	// Reset writes the defaults of the registered checks too.
	if err := s2.Register(ctx, userDefs()); err != nil {
		t.Fatal(err)
	}
	if err := s2.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if hooks, _ := s2.Config().Enabled("flow", "big_flow"); hooks != nil {
		t.Errorf("after reset: %v", hooks)
	}
	if hooks, _ := s2.Config().Enabled("host", "chatty"); len(hooks) != 2 {
		t.Errorf("after reset: %v", hooks)
	}
}

func TestRegisterRefuses(t *testing.T) {
	ctx := context.Background()
	s, d := openStore(t, filepath.Join(t.TempDir(), "ntopng.db"), Builtin())
	defer d.Close()
	before, _ := s.Document()
	ok := userDefs()[0]
	for _, tc := range []struct {
		name  string
		def   func(Def) Def
		twice bool
	}{
		{"built-in check", func(d Def) Def { d.Key = "low_goodput"; return d }, false},
		{"unknown subdir", func(d Def) Def { d.Subdir = "flows"; return d }, false},
		{"empty key", func(d Def) Def { d.Key = ""; return d }, false},
		{"key with a space", func(d Def) Def { d.Key = "big flow"; return d }, false},
		{"no hook", func(d Def) Def { d.Hooks = nil; return d }, false},
		{"conf not JSON", func(d Def) Def { d.Conf = `{`; return d }, false},
		{"filters not JSON", func(d Def) Def { d.Filters = `[`; return d }, false},
		{"twice", func(d Def) Def { return d }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defs := []Def{userDefs()[1], tc.def(ok)}
			if tc.twice {
				defs = append(defs, ok)
			}
			if err := s.Register(ctx, defs); KindOf(err) != InvalidArguments {
				t.Errorf("error %v", err)
			}
			// Nothing changed, not even the valid definition.
			if _, found := Lookup(s.Defs(), "host", "chatty"); found {
				t.Error("a refused registration registered something")
			}
			after, _ := s.Document()
			if string(after) != string(before) {
				t.Error("a refused registration changed the configuration")
			}
		})
	}
}

func TestUnregister(t *testing.T) {
	ctx := context.Background()
	s, d := openStore(t, filepath.Join(t.TempDir(), "ntopng.db"), Builtin())
	defer d.Close()
	if err := s.Register(ctx, userDefs()); err != nil {
		t.Fatal(err)
	}
	if err := s.Enable(ctx, "flow", "big_flow", true); err != nil {
		t.Fatal(err)
	}
	if !s.Unregister("flow", "big_flow") {
		t.Fatal("not unregistered")
	}
	if s.Unregister("flow", "big_flow") || s.Unregister("flow", "low_goodput") || s.Unregister("flow", "nope") {
		t.Error("Unregister of an unregistered or built-in check")
	}
	if _, ok := Lookup(s.Defs(), "flow", "low_goodput"); !ok {
		t.Error("built-in check gone")
	}
	// Unknown to enable/disable, but its entry and state stay.
	if err := s.Enable(ctx, "flow", "big_flow", false); KindOf(err) != UnknownCheck {
		t.Errorf("disable after unregister: %v", err)
	}
	if hooks, _ := s.Enabled("flow", "big_flow"); !reflect.DeepEqual(hooks, []string{"all"}) {
		t.Errorf("entry after unregister: %v", hooks)
	}
	// Registered again, it finds its state.
	if err := s.Register(ctx, userDefs()[:1]); err != nil {
		t.Fatal(err)
	}
	if hooks, _ := s.Enabled("flow", "big_flow"); len(hooks) != 1 {
		t.Errorf("after registering again: %v", hooks)
	}
	// Enabled of a registered check missing from the document (a set
	// imported without it) answers its defaults.
	if err := s.Set(ctx, []byte(`{"0":{"config":{}}}`)); err != nil {
		t.Fatal(err)
	}
	if hooks, conf := s.Enabled("host", "chatty"); len(hooks) != 2 || string(conf) != "[]" {
		t.Errorf("defaults of a registered check: %v %s", hooks, conf)
	}
}

// TestRegisterAddsMissingHooks: a script that gains a hook gets it in its
// existing entry, with the entry's state.
func TestRegisterAddsMissingHooks(t *testing.T) {
	ctx := context.Background()
	s, d := openStore(t, filepath.Join(t.TempDir(), "ntopng.db"), Builtin())
	defer d.Close()
	def := userDefs()[1]
	def.Hooks = []string{"min"}
	if err := s.Register(ctx, []Def{def}); err != nil {
		t.Fatal(err)
	}
	doc := []byte(`{"0":{"config":{"host":{"chatty":{"min":{"enabled":false,"script_conf":{"threshold":3}}}}}}}`)
	if err := s.Set(ctx, doc); err != nil {
		t.Fatal(err)
	}
	def.Hooks = []string{"5mins", "min"}
	if err := s.Register(ctx, []Def{def}); err != nil {
		t.Fatal(err)
	}
	got := s.Config().Checks["host"]["chatty"]
	want := map[string]Hook{
		"min":   {Enabled: false, ScriptConf: json.RawMessage(`{"threshold":3}`)},
		"5mins": {Enabled: false, ScriptConf: json.RawMessage(`{"threshold":3}`)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entry %+v", got)
	}
}
