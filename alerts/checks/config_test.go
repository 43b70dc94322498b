package checks

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func mustDoc(t *testing.T, c Config) map[string]any {
	t.Helper()
	b, err := c.Document()
	if err != nil {
		t.Fatal(err)
	}
	return decodeAny(t, b)
}

func TestSetErrors(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		kind      Kind
	}{
		{"missing", "", InvalidArguments},
		{"blank", "  \n", InvalidArguments},
		{"not JSON", `{"0":`, InvalidArguments},
		{"number", `5`, InvalidArguments},
		{"string", `"{}"`, InvalidArguments},
		{"null", `null`, InvalidArguments},
		{"array", `[1]`, InvalidArguments},
		{"no set", `{"alert_exclusions":[]}`, BadContent},
		{"null set", `{"0":null}`, BadContent},
		{"set not an object", `{"0":5}`, BadContent},
		{"id 1", `{"0":{"config":{},"id":1}}`, InternalError},
		{"id -1", `{"0":{"id":-1}}`, InternalError},
		{"id string", `{"0":{"id":"0"}}`, InternalError},
		{"id fraction", `{"0":{"id":0.5}}`, InternalError},
		{"config not an object", `{"0":{"config":5}}`, BadContent},
		{"subdir not an object", `{"0":{"config":{"flow":"x"}}}`, BadContent},
		{"hook not an object", `{"0":{"config":{"flow":{"low_goodput":{"all":true}}}}}`, BadContent},
		{"enabled not a boolean", `{"0":{"config":{"flow":{"low_goodput":{"all":{"enabled":1}}}}}}`, BadContent},
		{"filters not an object", `{"0":{"filters":[1]}}`, BadContent},
		{"exclusions not an object", `{"0":{},"alert_exclusions":7}`, BadContent},
	} {
		cfg := Defaults(Builtin())
		before := mustDoc(t, cfg)
		changed, err := cfg.Set([]byte(c.doc))
		if k := KindOf(err); k != c.kind {
			t.Errorf("%s: kind %s (%v), want %s", c.name, k, err, c.kind)
		}
		if changed {
			t.Errorf("%s: changed", c.name)
		}
		if !reflect.DeepEqual(mustDoc(t, cfg), before) {
			t.Errorf("%s: the configuration changed", c.name)
		}
	}
}

func TestSetEmptyChangesNothing(t *testing.T) {
	for _, doc := range []string{`{}`, ` { } `, `[]`} {
		cfg := Defaults(Builtin())
		before := mustDoc(t, cfg)
		changed, err := cfg.Set([]byte(doc))
		if err != nil || changed {
			t.Errorf("%s: changed=%v err=%v", doc, changed, err)
		}
		if !reflect.DeepEqual(mustDoc(t, cfg), before) {
			t.Errorf("%s: the configuration changed", doc)
		}
	}
}

func TestSetReplacesVerbatim(t *testing.T) {
	cfg := Defaults(Builtin())
	doc := `{"0":{"config":{"flow":{"low_goodput":{"all":{"enabled":false,"script_conf":{}}},
	  "elephant_flows":{"all":{"enabled":true,"script_conf":{"l2r_bytes_value":1,"r2l_bytes_value":2}}}},
	  "host":{"syn_scan":{"min":{"enabled":true,"script_conf":{"operator":"gt","threshold":"<9>"}},"5mins":{"enabled":false}}}},
	  "filters":{"flow":{"low_goodput":[{"l7_proto":7}]}},"id":0.0,"note":{"by":"admin"}},
	  "alert_exclusions":{"192.168.1.1@0":{"type":"host","flow_alerts":[12],"host_alerts":[]}}}`
	changed, err := cfg.Set([]byte(doc))
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	got, err := cfg.Document()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"0":{"config":{"flow":{"elephant_flows":{"all":{"enabled":true,"script_conf":{"l2r_bytes_value":1,"r2l_bytes_value":2}}},"low_goodput":{"all":{"enabled":false,"script_conf":[]}}},` +
		`"host":{"syn_scan":{"5mins":{"enabled":false,"script_conf":[]},"min":{"enabled":true,"script_conf":{"operator":"gt","threshold":"<9>"}}}}},` +
		`"filters":{"flow":{"low_goodput":[{"l7_proto":7}]}},"id":0,"note":{"by":"admin"}},` +
		`"alert_exclusions":{"192.168.1.1@0":{"type":"host","flow_alerts":[12],"host_alerts":[]}}}`
	if string(got) != want {
		t.Errorf("document\n got %s\nwant %s", got, want)
	}

	// Without alert_exclusions the stored exclusions stay; the set is
	// replaced again as a whole.
	if _, err := cfg.Set([]byte(`{"0":{"config":{}}}`)); err != nil {
		t.Fatal(err)
	}
	got, _ = cfg.Document()
	want = `{"0":{"config":[],"id":0},"alert_exclusions":{"192.168.1.1@0":{"type":"host","flow_alerts":[12],"host_alerts":[]}}}`
	if string(got) != want {
		t.Errorf("document\n got %s\nwant %s", got, want)
	}
}

func TestSetRoundTrip(t *testing.T) {
	fresh := Defaults(Builtin())
	doc, err := fresh.Document()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{}
	if _, err := cfg.Set(doc); err != nil {
		t.Fatal(err)
	}
	got := mustDoc(t, cfg)
	want := mustDoc(t, fresh)
	want["0"].(map[string]any)["id"] = float64(0)
	if !reflect.DeepEqual(got, want) {
		var diffs []string
		diffJSON("rsp", got, want, &diffs)
		t.Errorf("round trip: %v", diffs)
	}
	// The set read back from its own JSON is the same set.
	b, _ := json.Marshal(cfg)
	var again Config
	if err := json.Unmarshal(b, &again); err != nil {
		t.Fatal(err)
	}
	again.Exclusions = cfg.Exclusions
	if !reflect.DeepEqual(mustDoc(t, again), got) {
		t.Error("Unmarshal(Marshal(set)) differs")
	}
}

func TestEnable(t *testing.T) {
	defs := Builtin()
	cfg := Defaults(defs)
	for _, c := range []struct {
		subdir, key string
		kind        Kind
		msg         string
	}{
		{"", "syn_scan", InvalidArguments, ""},
		{"hosts", "syn_scan", InvalidArguments, ""},
		{"host", "", InvalidArguments, ""},
		{"host", "nope", UnknownCheck, `Unknown user script "nope"`},
		{"flow", "syn_scan", UnknownCheck, `Unknown user script "syn_scan"`},
		// Pro checks and community checks newer than the reference are
		// not implemented: unknown, as in a community build.
		{"flow", "lateral_movement", UnknownCheck, `Unknown user script "lateral_movement"`},
		{"host", "unexpected_gateway", UnknownCheck, `Unknown user script "unexpected_gateway"`},
		{"snmp_device", "snmp_device_reset", UnknownCheck, `Unknown user script "snmp_device_reset"`},
	} {
		before := mustDoc(t, cfg)
		err := cfg.Enable(defs, c.subdir, c.key, true)
		if KindOf(err) != c.kind {
			t.Errorf("%s/%s: %s (%v), want %s", c.subdir, c.key, KindOf(err), err, c.kind)
		}
		if c.msg != "" && (err == nil || err.Error() != c.msg) {
			t.Errorf("%s/%s: message %v, want %s", c.subdir, c.key, err, c.msg)
		}
		if !reflect.DeepEqual(mustDoc(t, cfg), before) {
			t.Errorf("%s/%s: the configuration changed", c.subdir, c.key)
		}
	}

	// Enabling keeps script_conf and sets every hook.
	cfg.Checks["host"]["syn_scan"]["5mins"] = Hook{Enabled: false, ScriptConf: json.RawMessage(`{"operator":"gt","threshold":9}`)}
	if err := cfg.Enable(defs, "host", "syn_scan", true); err != nil {
		t.Fatal(err)
	}
	want := map[string]Hook{
		"min":   {Enabled: true, ScriptConf: json.RawMessage(`{"operator":"gt","threshold":256}`)},
		"5mins": {Enabled: true, ScriptConf: json.RawMessage(`{"operator":"gt","threshold":9}`)},
	}
	if got := cfg.Checks["host"]["syn_scan"]; !reflect.DeepEqual(got, want) {
		t.Errorf("after enable: %v", got)
	}
	hooks, conf := cfg.Enabled("host", "syn_scan")
	if !reflect.DeepEqual(hooks, []string{"5mins", "min"}) || string(conf) != `{"operator":"gt","threshold":9}` {
		t.Errorf("Enabled: %v %s", hooks, conf)
	}
	if err := cfg.Enable(defs, "host", "syn_scan", false); err != nil {
		t.Fatal(err)
	}
	if hooks, conf := cfg.Enabled("host", "syn_scan"); hooks != nil || conf != nil {
		t.Errorf("after disable: %v %s", hooks, conf)
	}

	// A check missing from the configuration is created from its
	// defaults, then enabled or disabled.
	delete(cfg.Checks["flow"], "low_goodput")
	if err := cfg.Enable(defs, "flow", "low_goodput", false); err != nil {
		t.Fatal(err)
	}
	if got := cfg.Checks["flow"]["low_goodput"]; !reflect.DeepEqual(got, map[string]Hook{"all": {ScriptConf: json.RawMessage(`[]`)}}) {
		t.Errorf("recreated: %v", got)
	}
	cfg.Checks = nil
	if err := cfg.Enable(defs, "network", "syn_scan_victim", true); err != nil {
		t.Fatal(err)
	}
	if hooks, conf := cfg.Enabled("network", "syn_scan_victim"); !reflect.DeepEqual(hooks, []string{"min"}) ||
		string(conf) != `{"operator":"gt","threshold":32768}` {
		t.Errorf("created in an empty configuration: %v %s", hooks, conf)
	}
}

func TestMergeDefaultsKeepsEntries(t *testing.T) {
	defs := Builtin()
	cfg := Defaults(defs)
	cfg.Checks["host"]["syn_scan"]["min"] = Hook{Enabled: true, ScriptConf: json.RawMessage(`{"operator":"gt","threshold":1}`)}
	delete(cfg.Checks["flow"], "low_goodput")
	delete(cfg.Filters["flow"], "low_goodput")
	delete(cfg.Checks, "system")
	cfg.Checks["flow"]["custom"] = map[string]Hook{"all": {Enabled: true, ScriptConf: emptyTable}}
	cfg.Filters["flow"]["web_mining"] = json.RawMessage(`[{"l7_proto":1}]`)

	if n := cfg.MergeDefaults(defs); n != 1+5 {
		t.Errorf("%d checks added, want 6", n)
	}
	want := Defaults(defs)
	want.Checks["host"]["syn_scan"]["min"] = Hook{Enabled: true, ScriptConf: json.RawMessage(`{"operator":"gt","threshold":1}`)}
	want.Checks["flow"]["custom"] = map[string]Hook{"all": {Enabled: true, ScriptConf: emptyTable}}
	want.Filters["flow"]["web_mining"] = json.RawMessage(`[{"l7_proto":1}]`)
	if !reflect.DeepEqual(mustDoc(t, cfg), mustDoc(t, want)) {
		var diffs []string
		diffJSON("rsp", mustDoc(t, cfg), mustDoc(t, want), &diffs)
		t.Errorf("merge: %v", diffs)
	}
	if n := cfg.MergeDefaults(defs); n != 0 {
		t.Errorf("second merge added %d", n)
	}

	// A filter the user removed from a check that is still there is not
	// brought back.
	delete(cfg.Filters["flow"], "low_goodput")
	cfg.MergeDefaults(defs)
	if _, ok := cfg.Filters["flow"]["low_goodput"]; ok {
		t.Error("filter of an existing check restored")
	}
}

func TestCloneIsIndependent(t *testing.T) {
	a := Defaults(Builtin())
	b := a.Clone()
	b.Checks["host"]["syn_scan"]["min"] = Hook{Enabled: true}
	b.Filters["flow"]["x"] = emptyTable
	delete(b.Checks, "flow")
	if a.Checks["host"]["syn_scan"]["min"].Enabled || a.Checks["flow"] == nil || a.Filters["flow"]["x"] != nil {
		t.Error("Clone shares maps")
	}
}

func TestNoHTMLEscaping(t *testing.T) {
	var cfg Config
	if _, err := cfg.Set([]byte(`{"0":{"config":{"flow":{"country_check":{"all":{"enabled":true,"script_conf":{"items":["a<b>&c"]}}}}}}}`)); err != nil {
		t.Fatal(err)
	}
	doc, _ := cfg.Document()
	if !strings.Contains(string(doc), `"a<b>&c"`) {
		t.Errorf("escaped: %s", doc)
	}
}
