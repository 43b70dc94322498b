package checks

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ntopng-go/ntopng/configdoc"
	"github.com/ntopng-go/ntopng/db"
)

// openStore opens (or reopens) the store of the database at path.
func openStore(t *testing.T, path string, defs []Def) (*Store, *db.DB) {
	t.Helper()
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStore(context.Background(), d.SQL(), defs)
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	return s, d
}

func storeDoc(t *testing.T, s *Store) map[string]any {
	t.Helper()
	b, err := s.Document()
	if err != nil {
		t.Fatal(err)
	}
	return decodeAny(t, b)
}

func TestStoreFreshInstall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ntopng.db")
	s, d := openStore(t, path, Builtin())
	defer d.Close()
	var diffs []string
	diffJSON("rsp", storeDoc(t, s), reference(t), &diffs)
	for _, x := range diffs {
		t.Error(x)
	}
	var n int
	if err := d.SQL().QueryRow(`SELECT count(*) FROM checks_config`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows %d, %v", n, err)
	}
}

func TestStorePersistsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ntopng.db")
	s, d := openStore(t, path, Builtin())
	var changes atomic.Int32
	s.OnChange(func() { changes.Add(1) })

	if err := s.Enable(ctx, "host", "syn_scan", true); err != nil {
		t.Fatal(err)
	}
	if err := s.Enable(ctx, "flow", "low_goodput", false); err != nil {
		t.Fatal(err)
	}
	if changes.Load() != 2 {
		t.Errorf("%d change notifications, want 2", changes.Load())
	}
	// Failed or empty changes neither save nor notify.
	if err := s.Enable(ctx, "flow", "nope", true); KindOf(err) != UnknownCheck || err.Error() != `Unknown user script "nope"` {
		t.Errorf("unknown check: %v", err)
	}
	if err := s.Set(ctx, []byte(`{"0":{"id":3}}`)); KindOf(err) != InternalError {
		t.Errorf("id 3: %v", err)
	}
	if err := s.Set(ctx, []byte(`{}`)); err != nil {
		t.Errorf("empty: %v", err)
	}
	if changes.Load() != 2 {
		t.Errorf("%d change notifications after failures, want 2", changes.Load())
	}
	before := storeDoc(t, s)
	d.Close()

	s, d = openStore(t, path, Builtin())
	if got := storeDoc(t, s); !reflect.DeepEqual(got, before) {
		var diffs []string
		diffJSON("rsp", got, before, &diffs)
		t.Errorf("after reopen: %v", diffs)
	}
	if hooks, conf := s.Enabled("host", "syn_scan"); !reflect.DeepEqual(hooks, []string{"min"}) ||
		string(conf) != `{"operator":"gt","threshold":256}` {
		t.Errorf("syn_scan: %v %s", hooks, conf)
	}
	if hooks, _ := s.Enabled("flow", "low_goodput"); hooks != nil {
		t.Errorf("low_goodput enabled: %v", hooks)
	}

	// An imported set replaces everything, exclusions included, and
	// survives a restart; the restart adds back the missing checks.
	doc := `{"0":{"config":{"flow":{"low_goodput":{"all":{"enabled":true,"script_conf":[]}}},"host":{"syn_scan":{"min":{"enabled":true,"script_conf":{"operator":"gt","threshold":7}}}}},"filters":[]},
		"alert_exclusions":{"10.0.0.1@0":{"type":"host","flow_alerts":[12],"host_alerts":[5]}}}`
	if err := s.Set(ctx, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	got := storeDoc(t, s)
	if n := len(got["0"].(map[string]any)["config"].(map[string]any)["flow"].(map[string]any)); n != 1 {
		t.Errorf("set not replaced: %d flow checks", n)
	}
	if got["0"].(map[string]any)["id"] != float64(0) {
		t.Errorf("id %v", got["0"].(map[string]any)["id"])
	}
	// A check missing from the imported set runs with its defaults.
	if hooks, _ := s.Enabled("flow", "blacklisted"); !reflect.DeepEqual(hooks, []string{"all"}) {
		t.Errorf("missing check: %v", hooks)
	}
	if hooks, _ := s.Enabled("flow", "lateral_movement"); hooks != nil {
		t.Errorf("unknown check: %v", hooks)
	}
	d.Close()

	s, d = openStore(t, path, Builtin())
	defer d.Close()
	cfg := s.Config()
	if n := len(cfg.Checks["flow"]); n != 79 {
		t.Errorf("%d flow checks after restart, want 79", n)
	}
	if h := cfg.Checks["host"]["syn_scan"]["min"]; !h.Enabled || string(h.ScriptConf) != `{"operator":"gt","threshold":7}` {
		t.Errorf("user entry overwritten: %+v", h)
	}
	if cfg.ID == nil || *cfg.ID != 0 {
		t.Errorf("id %v", cfg.ID)
	}
	if string(s.Exclusions()) != `{"10.0.0.1@0":{"type":"host","flow_alerts":[12],"host_alerts":[5]}}` {
		t.Errorf("exclusions %s", s.Exclusions())
	}
	// low_goodput was in the imported set with no filter: its default
	// filter is not forced back.
	if _, ok := cfg.Filters["flow"]["low_goodput"]; ok {
		t.Error("low_goodput filter restored over the imported set")
	}

	// Reset: defaults, no id, no exclusions.
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	var diffs []string
	diffJSON("rsp", storeDoc(t, s), reference(t), &diffs)
	if len(diffs) > 0 {
		t.Errorf("after reset: %v", diffs)
	}
}

func TestStoreMergesNewChecks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ntopng.db")
	defs := Builtin()
	// An older program knew fewer checks.
	s, d := openStore(t, path, defs[:10])
	if err := s.Enable(context.Background(), defs[0].Subdir, defs[0].Key, !defs[0].Enabled); err != nil {
		t.Fatal(err)
	}
	d.Close()

	s, d = openStore(t, path, defs)
	defer d.Close()
	cfg := s.Config()
	want := Defaults(defs)
	if err := want.Enable(defs, defs[0].Subdir, defs[0].Key, !defs[0].Enabled); err != nil {
		t.Fatal(err)
	}
	var diffs []string
	diffJSON("rsp", mustDoc(t, cfg), mustDoc(t, want), &diffs)
	for _, x := range diffs {
		t.Error(x)
	}
}

func TestStoreDamagedRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ntopng.db")
	_, d := openStore(t, path, Builtin())
	if _, err := d.SQL().Exec(`UPDATE checks_config SET config_set = '{"config":' WHERE id = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := NewStore(context.Background(), d.SQL(), Builtin()); err == nil {
		t.Error("a damaged configuration was accepted")
	}
	d.Close()
}

func TestStoreConcurrent(t *testing.T) {
	ctx := context.Background()
	s, d := openStore(t, filepath.Join(t.TempDir(), "ntopng.db"), Builtin())
	defer d.Close()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range 20 {
				if err := s.Enable(ctx, "host", "syn_scan", (i+j)%2 == 0); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 50 {
				s.Enabled("host", "syn_scan")
				if _, err := s.Document(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// What is stored is what is current.
	want := storeDoc(t, s)
	s2, err := NewStore(ctx, d.SQL(), Builtin())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(storeDoc(t, s2), want) {
		t.Error("stored and current configurations differ")
	}
}

// registry registers the scripts module with empty stand-ins for the
// other modules of the pool endpoint.
func registry(s *Store) *configdoc.Registry {
	r := configdoc.NewRegistry()
	for _, n := range configdoc.Endpoints["pool"] {
		r.Register(n, configdoc.Absent{Empty: []any{}})
	}
	r.Register(ModuleName, s.ConfigModule())
	return r
}

func TestConfigModule(t *testing.T) {
	ctx := context.Background()
	s, d := openStore(t, filepath.Join(t.TempDir(), "ntopng.db"), Builtin())
	defer d.Close()
	r := registry(s)

	// Export: modules.scripts is the get/checks/config answer.
	if err := s.Enable(ctx, "host", "syn_scan", true); err != nil {
		t.Fatal(err)
	}
	exported, failed, err := r.Export(ctx, "pool")
	if err != nil || len(failed) > 0 {
		t.Fatal(err, failed)
	}
	var env struct {
		Modules map[string]json.RawMessage `json:"modules"`
	}
	if err := json.Unmarshal(exported, &env); err != nil {
		t.Fatal(err)
	}
	if got := decodeAny(t, env.Modules[ModuleName]); !reflect.DeepEqual(got, storeDoc(t, s)) {
		t.Error("exported section differs from the document")
	}

	// Reset, then import the exported document back.
	if err := r.ResetModule(ctx, ModuleName); err != nil {
		t.Fatal(err)
	}
	if hooks, _ := s.Enabled("host", "syn_scan"); hooks != nil {
		t.Errorf("after reset syn_scan is enabled")
	}
	if res := r.Import(ctx, "pool", string(exported)); res.Code != configdoc.OK {
		t.Fatalf("import: %+v", res)
	}
	if hooks, _ := s.Enabled("host", "syn_scan"); !reflect.DeepEqual(hooks, []string{"min"}) {
		t.Errorf("after import syn_scan: %v", hooks)
	}
	if id := s.Config().ID; id == nil || *id != 0 {
		t.Errorf("id after import: %v", id)
	}

	// Import errors: nothing changes.
	before := storeDoc(t, s)
	wrap := func(section string) string {
		return `{"version":"1.0","modules":{"snmp":[],"active_monitoring":{},"notifications":[],"pool":{"host":[]},"scripts":` + section + `}}`
	}
	for _, c := range []struct{ section, code string }{
		{`{}`, configdoc.OK},
		{`{"alert_exclusions":[]}`, configdoc.BadContent},
		{`5`, configdoc.BadContent},
		{`{"0":{"config":{"flow":7}}}`, configdoc.BadContent},
		{`{"0":{"id":2}}`, configdoc.InternalError},
	} {
		if res := r.Import(ctx, "pool", wrap(c.section)); res.Code != c.code {
			t.Errorf("%s: %+v, want %s", c.section, res, c.code)
		}
		if !reflect.DeepEqual(storeDoc(t, s), before) {
			t.Errorf("%s: the configuration changed", c.section)
		}
	}
}

func TestStoreDatabaseFailure(t *testing.T) {
	s, d := openStore(t, filepath.Join(t.TempDir(), "ntopng.db"), Builtin())
	before := storeDoc(t, s)
	d.Close()
	notified := false
	s.OnChange(func() { notified = true })
	err := s.Enable(context.Background(), "host", "syn_scan", true)
	if KindOf(err) != InternalError {
		t.Errorf("closed database: %v", err)
	}
	if notified || !reflect.DeepEqual(storeDoc(t, s), before) {
		t.Error("a change that was not saved is current")
	}
}
