package checks

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"testing"
)

// reference is the verbatim get/checks/config answer of a fresh community
// install (appendix-alert-consts.md §6.5).
// reference is the fresh configuration this program answers: the
// community reference of January 2024 plus the two Pro flow checks it also
// evaluates (elephant_flows, long_lived), with the defaults and filters
// of the Pro reference (appendix-alert-consts.md §6.5).
func reference(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/get_checks_config_community_2024_01.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		RC  int            `json:"rc"`
		Rsp map[string]any `json:"rsp"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	var pro map[string]any
	if err := json.Unmarshal([]byte(`{
	  "config": {"elephant_flows": {"all": {"enabled": true, "script_conf": {"l2r_bytes_value": 1073741824, "r2l_bytes_value": 1073741824}}},
	             "long_lived": {"all": {"enabled": true, "script_conf": {"min_duration": 43200}}}},
	  "filters": {"elephant_flows": [{"l7_cat": "DataTransfer"}, {"l7_cat": "Cloud"}, {"l7_cat": "SoftwareUpdate"}, {"l7_cat": "Streaming"}, {"l7_cat": "VPN"}],
	              "long_lived": [{"l7_cat": "Database"}]}}`), &pro); err != nil {
		t.Fatal(err)
	}
	set := env.Rsp["0"].(map[string]any)
	for _, part := range []string{"config", "filters"} {
		flow := set[part].(map[string]any)["flow"].(map[string]any)
		for k, v := range pro[part].(map[string]any) {
			flow[k] = v
		}
	}
	return env.Rsp
}

func decodeAny(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// diffJSON lists the paths where got and want differ (order-insensitive
// for objects).
func diffJSON(path string, got, want any, out *[]string) {
	gm, gok := got.(map[string]any)
	wm, wok := want.(map[string]any)
	if gok && wok {
		keys := map[string]bool{}
		for k := range gm {
			keys[k] = true
		}
		for k := range wm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			g, inG := gm[k]
			w, inW := wm[k]
			switch {
			case !inG:
				*out = append(*out, path+"."+k+": missing")
			case !inW:
				*out = append(*out, path+"."+k+": extra")
			default:
				diffJSON(path+"."+k, g, w, out)
			}
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		*out = append(*out, path+": got "+string(gb)+", want "+string(wb))
	}
}

func TestDefaultsMatchCommunityReference(t *testing.T) {
	doc, err := Defaults(Builtin()).Document()
	if err != nil {
		t.Fatal(err)
	}
	var diffs []string
	diffJSON("rsp", decodeAny(t, doc), reference(t), &diffs)
	for _, d := range diffs {
		t.Error(d)
	}
	set, err := json.Marshal(Defaults(Builtin()))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := decodeAny(t, set)["id"]; ok {
		t.Errorf("a fresh configuration has an id: %s", set)
	}
}

func TestTable(t *testing.T) {
	categories := map[string]bool{"other": true, "security": true, "internals": true, "network": true,
		"system": true, "ids_ips": true, "active_monitoring": true, "snmp": true}
	perSubdir := map[string]int{}
	seen := map[string]bool{}
	listed := 0
	for _, d := range All() {
		id := d.Subdir + "/" + d.Key
		if seen[id] {
			t.Errorf("%s: defined twice", id)
		}
		seen[id] = true
		perSubdir[d.Subdir]++
		if !IsSubdir(d.Subdir) {
			t.Errorf("%s: unknown subdir", id)
		}
		if len(d.Hooks) == 0 {
			t.Errorf("%s: no hook", id)
		}
		switch d.Edition {
		case Community, Pro, Old:
		default:
			t.Errorf("%s: edition %q", id, d.Edition)
		}
		if d.NDPIRisk && (d.Edition != Community || d.Subdir != "flow") {
			t.Errorf("%s: nDPI risk checks are community flow checks", id)
		}
		if d.Edition == Old && !d.Listed {
			t.Errorf("%s: old checks come from the listed reference", id)
		}
		if d.Listed {
			listed++
		}
		var conf any
		if err := json.Unmarshal([]byte(d.Conf), &conf); err != nil {
			t.Errorf("%s: default script_conf: %v", id, err)
		}
		if want := inputOf(d.Key, conf); d.Input != want {
			t.Errorf("%s: input %q, want %q for %s", id, d.Input, want, d.Conf)
		}
		if d.Filters != "" {
			var list []map[string]any
			if err := json.Unmarshal([]byte(d.Filters), &list); err != nil || len(list) == 0 {
				t.Errorf("%s: filters %s: %v", id, d.Filters, err)
			}
		}
		if !categories[d.Category] {
			t.Errorf("%s: category %q", id, d.Category)
		}
		switch {
		case d.AlertID == 0 && d.AlertFamily == "":
		case d.AlertFamily == "other" && d.AlertID >= 4096:
		case (d.AlertFamily == "flow" || d.AlertFamily == "host") && d.AlertID > 0 && d.AlertID < 4096:
		default:
			t.Errorf("%s: alert %d (%s)", id, d.AlertID, d.AlertFamily)
		}
		if d.Description == "" {
			t.Errorf("%s: no description", id)
		}
	}
	// The counts of the headings of rest-alerts-checks.md §4.7.
	want := map[string]int{"flow": 96, "host": 29, "interface": 13, "network": 11, "system": 6,
		"syslog": 9, "snmp_device": 11, "active_monitoring": 1}
	if !reflect.DeepEqual(perSubdir, want) {
		t.Errorf("checks per subdir %v, want %v", perSubdir, want)
	}
	// The community reference (§6.5) holds 124 checks; elephant_flows
	// and long_lived are listed too.
	if listed != 126 || len(Builtin()) != 126 {
		t.Errorf("%d listed checks, want 126", listed)
	}
}

// inputOf is the GUI input builder the shape of a default script_conf
// calls for (rest-alerts-checks.md §4.1).
func inputOf(key string, conf any) string {
	m, ok := conf.(map[string]any)
	if !ok || len(m) == 0 {
		return ""
	}
	if key == InputElephantFlows || key == InputLongLived {
		return key
	}
	if _, ok := m["operator"]; ok {
		return InputThreshold
	}
	if _, ok := m["items"]; ok {
		return InputItems
	}
	return InputMultiThreshold
}
