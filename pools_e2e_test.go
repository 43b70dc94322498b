package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/ntopng-go/ntopng/probe/synth"
)

// jsonBody marshals the members of a JSON request body.
func jsonBody(kv map[string]any) string {
	b, err := json.Marshal(kv)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// expectRC checks the return code of an envelope: rc_str, rc, HTTP status,
// and for failures a non-empty rsp.error when wantErr.
func expectRC(t *testing.T, what string, code int, env map[string]any, rcStr string, rc float64, status int) {
	t.Helper()
	if env["rc_str"] != rcStr || env["rc"] != rc || code != status {
		t.Errorf("%s: HTTP %d rc %v %v, want HTTP %d rc %v %s (answer %v)", what, code, env["rc"], env["rc_str"], status, rc, rcStr, env)
	}
}

// expectError also requires rsp.error to explain the failure.
func expectError(t *testing.T, what string, code int, env map[string]any, rcStr string, rc float64, status int) {
	t.Helper()
	expectRC(t, what, code, env, rcStr, rc, status)
	if r, ok := env["rsp"].(map[string]any); !ok || r["error"] == nil || r["error"] == "" {
		t.Errorf("%s: rsp.error missing: %v", what, env["rsp"])
	}
}

// hostPools is the whole get/host/pools answer, bytes as sent.
func hostPools(t *testing.T, p *proc) string {
	t.Helper()
	a := p.raw(t, "GET", "/lua/rest/v1/get/host/pools.lua", "", "", "admin", "admin")
	if a.status != 200 {
		t.Fatalf("get/host/pools: HTTP %d %s", a.status, a.body)
	}
	return string(a.body)
}

// poolByID finds a pool object in the rsp of get/host/pools.
func poolByID(t *testing.T, p *proc, id int) map[string]any {
	t.Helper()
	for _, e := range rspOf(t, p, "/lua/rest/v1/get/host/pools.lua").([]any) {
		m := e.(map[string]any)
		if m["pool_id"] == float64(id) {
			return m
		}
	}
	return nil
}

// strs turns a JSON list of strings into a sorted slice.
func strs(v any) []string {
	l, _ := v.([]any)
	out := []string{}
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// exportDoc downloads the pool configuration document.
func exportDoc(t *testing.T, p *proc) []byte {
	t.Helper()
	a := p.raw(t, "GET", "/lua/rest/v1/export/pool/config.lua?download=1", "", "", "admin", "admin")
	if a.status != 200 {
		t.Fatalf("export download: HTTP %d %s", a.status, a.body)
	}
	if cd := a.header.Get("Content-Disposition"); cd != `attachment; filename="configuration.json"` {
		t.Errorf("export download Content-Disposition %q", cd)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("export download Content-Type %q", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(a.body, &doc); err != nil {
		t.Fatalf("export download is not JSON: %q", a.body)
	}
	if _, wrapped := doc["rc_str"]; wrapped || doc["version"] != "1.0" {
		t.Errorf("export download is not the bare document: %s", a.body)
	}
	return a.body
}

func TestEndToEndPools(t *testing.T) {
	pcap, truth := sampleCapture(t)
	dataDir := t.TempDir()
	p := start(t, "-i", pcap, "-m", synth.SampleLocalNet, "-d", dataDir)
	p.waitRead(t, truth.Frames)

	// Addresses from the truth: H a local client, H2 another local host of
	// H's /24, out a host outside it.
	lan := netip.MustParsePrefix(synth.SampleLocalNet)
	var h, h2, out string
	for _, ft := range truth.Flows {
		if a := netip.MustParseAddr(ft.Client); h == "" && a.Is4() && lan.Contains(a) {
			h = ft.Client
		}
	}
	if h == "" {
		t.Fatal("the sample has no local client")
	}
	net24 := netip.PrefixFrom(netip.MustParseAddr(h), 24).Masked()
	for _, ft := range truth.Flows {
		for _, s := range []string{ft.Client, ft.Server} {
			a := netip.MustParseAddr(s)
			if h2 == "" && s != h && net24.Contains(a) {
				h2 = s
			}
			if out == "" && a.Is4() && !net24.Contains(a) && !a.IsMulticast() {
				out = s
			}
		}
	}
	if h2 == "" || out == "" {
		t.Fatalf("the sample lacks a second host of %s or an outside host (%q %q)", net24, h2, out)
	}
	hFlows := 0
	for _, ft := range truth.Flows {
		if ft.Client == h || ft.Server == h {
			hFlows++
		}
	}
	netKey := net24.String() + "@0"
	hKey := h + "/32@0"
	t.Logf("H=%s H2=%s outside=%s /24=%s", h, h2, out, net24)

	hostPool := func(p *proc, host string) any {
		t.Helper()
		r, _ := rspOf(t, p, "/lua/rest/v1/get/host/data.lua?ifid=0&host="+host).(map[string]any)
		return r["host_pool_id"]
	}
	expectPools := func(p *proc, what string, want map[string]int) {
		t.Helper()
		for host, id := range want {
			if got := hostPool(p, host); got != float64(id) {
				t.Errorf("%s: host %s host_pool_id %v, want %d", what, host, got, id)
			}
		}
	}
	activeIPs := func(p *proc, pool int) []string {
		t.Helper()
		data := rspOf(t, p, fmt.Sprintf("/lua/rest/v1/get/host/active.lua?ifid=0&perPage=1000&pool=%d", pool)).(map[string]any)["data"].([]any)
		ips := []string{}
		for _, e := range data {
			ips = append(ips, e.(map[string]any)["ip"].(string))
		}
		sort.Strings(ips)
		return ips
	}

	// 1. Fresh start: Default and Jailed Hosts, empty.
	fresh := hostPools(t, p)
	{
		var env map[string]any
		_ = json.Unmarshal([]byte(fresh), &env)
		list, _ := env["rsp"].([]any)
		if env["rc_str"] != "OK" || len(list) != 2 {
			t.Fatalf("fresh get/host/pools: %s", fresh)
		}
		for i, name := range []string{"Default", "Jailed Hosts"} {
			m := list[i].(map[string]any)
			md, isList := m["member_details"].([]any)
			if m["pool_id"] != float64(i) || m["name"] != name || len(strs(m["members"])) != 0 || !isList || len(md) != 0 || m["policy"] != "" {
				t.Errorf("fresh pool %d: %v", i, m)
			}
		}
	}

	// 2. Pool A: H's /24 written unmasked, a lower-case MAC, a VLAN
	// member and an IPv6 network; pool B: H's /32.
	code, env := p.post(t, "/lua/rest/v1/add/host/pool.lua", jsonBody(map[string]any{
		"pool_name": "office", "pool_members": h + "/24,aa:bb:cc:dd:ee:ff,10.0.0.1/32@5,2001:db8::/32"}))
	expectRC(t, "add office", code, env, "POOL_ADDED_SUCCESSFULLY", 0, 200)
	if r, _ := env["rsp"].(map[string]any); r["pool_id"] != 2.0 {
		t.Fatalf("add office: rsp %v, want pool_id 2", env["rsp"])
	}
	code, env = p.post(t, "/lua/rest/v1/add/host/pool.lua", jsonBody(map[string]any{"pool_name": "laptop", "pool_members": h + "/32"}))
	expectRC(t, "add laptop", code, env, "POOL_ADDED_SUCCESSFULLY", 0, 200)
	if r, _ := env["rsp"].(map[string]any); r["pool_id"] != 3.0 {
		t.Fatalf("add laptop: rsp %v, want pool_id 3", env["rsp"])
	}
	const poolA, poolB = 2, 3
	wantA := []string{"10.0.0.1/32@5", "2001:DB8::/32@0", netKey, "AA:BB:CC:DD:EE:FF"}
	sort.Strings(wantA)

	sparse, _ := rspOf(t, p, "/lua/rest/v1/get/host/pools.lua?pool=2").([]any)
	if len(sparse) != 2 || sparse[0] != nil {
		t.Fatalf("get/host/pools?pool=2: rsp %v, want [null, {...}]", sparse)
	}
	a := sparse[1].(map[string]any)
	if a["pool_id"] != 2.0 || a["name"] != "office" || a["policy"] != "" || fmt.Sprint(strs(a["members"])) != fmt.Sprint(wantA) {
		t.Errorf("pool 2: %v, want members %v", a, wantA)
	}
	details, _ := a["member_details"].(map[string]any)
	for key, want := range map[string][4]any{
		netKey:              {"net", net24.String(), 0.0, net24.String()},
		"AA:BB:CC:DD:EE:FF": {"mac", "AA:BB:CC:DD:EE:FF", 0.0, "AA:BB:CC:DD:EE:FF"},
		"10.0.0.1/32@5":     {"ip", "10.0.0.1", 5.0, "10.0.0.1@5"},
		"2001:DB8::/32@0":   {"net", "2001:DB8::/32", 0.0, "2001:DB8::/32"},
	} {
		d, _ := details[key].(map[string]any)
		if d["member"] != key || d["type"] != want[0] || d["name"] != want[1] || d["vlan"] != want[2] || d["hostkey"] != want[3] {
			t.Errorf("member_details[%s] = %v, want type/name/vlan/hostkey %v", key, d, want)
		}
	}
	if sp, _ := rspOf(t, p, "/lua/rest/v1/get/host/pools.lua?pool=3").([]any); len(sp) != 3 || sp[0] != nil || sp[1] != nil {
		t.Errorf("get/host/pools?pool=3: %v, want [null, null, {...}]", sp)
	}
	mem, _ := rspOf(t, p, "/lua/rest/v1/get/host/pool/members.lua?pool=2").([]any)
	var memKeys []string
	for _, e := range mem {
		m := e.(map[string]any)
		memKeys = append(memKeys, m["member"].(string))
		if fmt.Sprint(m) != fmt.Sprint(details[m["member"].(string)]) {
			t.Errorf("get/host/pool/members item %v differs from member_details %v", m, details[m["member"].(string)])
		}
	}
	sort.Strings(memKeys)
	if fmt.Sprint(memKeys) != fmt.Sprint(wantA) {
		t.Errorf("get/host/pool/members?pool=2: %v, want %v", memKeys, wantA)
	}
	memB, _ := rspOf(t, p, "/lua/rest/v1/get/host/pool/members.lua?pool=3").([]any)
	if len(memB) != 1 || memB[0].(map[string]any)["type"] != "ip" || memB[0].(map[string]any)["name"] != h ||
		memB[0].(map[string]any)["hostkey"] != h || memB[0].(map[string]any)["member"] != hKey {
		t.Errorf("get/host/pool/members?pool=3: %v", memB)
	}
	if code, env := p.get(t, "/lua/rest/v1/get/host/pool/members.lua?pool=42", "admin", "admin"); env["rc_str"] != "POOL_NOT_FOUND" || code != 409 {
		t.Errorf("members of unknown pool: %d %v", code, env)
	}

	// 3. Live membership: longest prefix wins, others fall to 0.
	expectPools(p, "after add", map[string]int{h: poolB, h2: poolA, out: 0})
	if ips := activeIPs(p, poolB); fmt.Sprint(ips) != fmt.Sprint([]string{h}) {
		t.Errorf("host/active pool=%d: %v, want [%s]", poolB, ips, h)
	}
	flows := rspOf(t, p, fmt.Sprintf("/lua/rest/v1/get/flow/active.lua?ifid=0&perPage=1000&host_pool_id=%d", poolB)).(map[string]any)["data"].([]any)
	if len(flows) != hFlows {
		t.Errorf("flow/active host_pool_id=%d: %d flows, want the %d flows of %s", poolB, len(flows), hFlows, h)
	}
	for _, f := range flows {
		m := f.(map[string]any)
		if m["client"].(map[string]any)["ip"] != h && m["server"].(map[string]any)["ip"] != h {
			t.Errorf("flow/active host_pool_id=%d lists a flow without %s: %v -> %v", poolB, h, m["client"], m["server"])
		}
	}
	allHosts := rspOf(t, p, "/lua/rest/v1/get/host/active.lua?ifid=0&perPage=1000").(map[string]any)["data"].([]any)
	stats, _ := rspOf(t, p, "/lua/rest/v1/get/host/pool/stats.lua?ifid=0").([]any)
	if len(stats) != 4 {
		t.Errorf("pool stats: %d pools, want 4: %v", len(stats), stats)
	}
	sum := 0.0
	for _, e := range stats {
		s := e.(map[string]any)
		id := int(s["pool_id"].(float64))
		sum += s["num_hosts"].(float64)
		if n := len(activeIPs(p, id)); s["num_hosts"] != float64(n) {
			t.Errorf("pool stats %d num_hosts %v, host/active lists %d", id, s["num_hosts"], n)
		}
	}
	if sum != float64(len(allHosts)) {
		t.Errorf("pool stats count %v hosts, host/active %d", sum, len(allHosts))
	}
	if one, _ := rspOf(t, p, "/lua/rest/v1/get/host/pool/stats.lua?ifid=0&pool=3").([]any); len(one) == 1 {
		s := one[0].(map[string]any)
		hd := rspOf(t, p, "/lua/rest/v1/get/host/data.lua?ifid=0&host="+h).(map[string]any)
		b := s["bytes"].(map[string]any)
		if s["name"] != "laptop" || s["num_hosts"] != 1.0 || s["num_local_hosts"] != 1.0 || b["sent"] != hd["bytes.sent"] || b["rcvd"] != hd["bytes.rcvd"] {
			t.Errorf("pool stats of pool 3: %v; host %s sent/rcvd %v/%v", s, h, hd["bytes.sent"], hd["bytes.rcvd"])
		}
	} else {
		t.Errorf("pool stats pool=3: %v", one)
	}

	// 4. Moves.
	code, env = p.post(t, "/lua/rest/v1/edit/host/pool.lua", jsonBody(map[string]any{"pool": poolB, "pool_name": "laptop", "pool_members": ""}))
	expectRC(t, "empty pool B", code, env, "POOL_EDITED_SUCCESSFULLY", 0, 200)
	expectPools(p, "pool B emptied", map[string]int{h: poolA, h2: poolA, out: 0})
	if b := poolByID(t, p, poolB); b == nil || b["name"] != "laptop" || len(strs(b["members"])) != 0 {
		t.Errorf("pool B after edit: %v", b)
	}
	code, env = p.post(t, "/lua/rest/v1/bind/host/pool/member.lua", jsonBody(map[string]any{"pool": poolB, "member": h}))
	expectRC(t, "bind H to B", code, env, "POOL_MEMBER_BOUND_SUCCESSFULLY", 0, 200)
	expectPools(p, "H bound to B", map[string]int{h: poolB, h2: poolA})
	if b := poolByID(t, p, poolB); fmt.Sprint(strs(b["members"])) != fmt.Sprint([]string{hKey}) {
		t.Errorf("pool B members after bind: %v", b["members"])
	}
	code, env = p.post(t, "/lua/rest/v1/bind/host/pool/member.lua", jsonBody(map[string]any{"pool": poolB, "member": hKey}))
	expectRC(t, "bind H to B again", code, env, "POOL_MEMBER_BOUND_SUCCESSFULLY", 0, 200)
	code, env = p.post(t, "/lua/rest/v1/bind/host/pool/member.lua", jsonBody(map[string]any{"pool": 0, "member": h}))
	expectRC(t, "bind H to 0", code, env, "POOL_MEMBER_BOUND_SUCCESSFULLY", 0, 200)
	expectPools(p, "H bound to 0", map[string]int{h: poolA})
	if b := poolByID(t, p, poolB); len(strs(b["members"])) != 0 {
		t.Errorf("pool B members after bind to 0: %v", b["members"])
	}
	code, env = p.post(t, "/lua/rest/v1/get/host/pool_by_member.lua", jsonBody(map[string]any{"member": net24.String()}))
	if r, _ := env["rsp"].(map[string]any); code != 200 || r["pool_id"] != 2.0 || r["name"] != "office" || r["member_details"] == nil {
		t.Errorf("pool_by_member %s: %d %v", net24, code, env)
	}
	code, env = p.post(t, "/lua/rest/v1/get/host/pool_by_member.lua", jsonBody(map[string]any{"member": h, "pool_name_only": "true"}))
	if l, ok := env["rsp"].([]any); code != 200 || env["rc_str"] != "OK" || !ok || len(l) != 0 {
		t.Errorf("pool_by_member %s (in no pool, literal lookup): %d %v", h, code, env)
	}
	code, env = p.post(t, "/lua/rest/v1/bind/host/pool/member.lua", jsonBody(map[string]any{"pool": poolB, "member": h}))
	expectRC(t, "bind H to B once more", code, env, "POOL_MEMBER_BOUND_SUCCESSFULLY", 0, 200)
	code, env = p.post(t, "/lua/rest/v1/get/host/pool_by_member.lua", jsonBody(map[string]any{"member": h, "pool_name_only": true}))
	if r, _ := env["rsp"].(map[string]any); code != 200 || len(r) != 2 || r["pool_id"] != 3.0 || r["name"] != "laptop" {
		t.Errorf("pool_by_member %s pool_name_only: %d %v, want {pool_id:3,name:laptop}", h, code, env)
	}

	code, env = p.post(t, "/lua/rest/v1/delete/host/pool.lua", jsonBody(map[string]any{"pool": poolA}))
	expectRC(t, "delete A", code, env, "POOL_DELETED_SUCCESSFULLY", 0, 200)
	expectPools(p, "A deleted", map[string]int{h: poolB, h2: 0, out: 0})
	code, env = p.post(t, "/lua/rest/v1/delete/host/pool.lua", jsonBody(map[string]any{"pool": 99}))
	expectError(t, "delete unknown pool", code, env, "POOL_NOT_FOUND", -16, 409)
	if code, env := p.get(t, "/lua/rest/v1/get/host/pools.lua?pool=2", "admin", "admin"); env["rc_str"] != "POOL_NOT_FOUND" || code != 409 {
		t.Errorf("get deleted pool 2: %d %v", code, env)
	}
	// The id of A is free again; the new pool takes A's members back.
	code, env = p.post(t, "/lua/rest/v1/add/host/pool.lua", jsonBody(map[string]any{"pool_name": "office2", "pool_members": netKey + ",AA:BB:CC:DD:EE:FF"}))
	expectRC(t, "add office2", code, env, "POOL_ADDED_SUCCESSFULLY", 0, 200)
	if r, _ := env["rsp"].(map[string]any); r["pool_id"] != 2.0 {
		t.Errorf("add after delete: rsp %v, want the freed id 2", env["rsp"])
	}
	expectPools(p, "office2 added", map[string]int{h: poolB, h2: poolA, out: 0})

	// Pool 0 can be "edited" without effect.
	before := hostPools(t, p)
	code, env = p.post(t, "/lua/rest/v1/edit/host/pool.lua", jsonBody(map[string]any{"pool": 0, "pool_name": "Renamed", "pool_members": "10.77.0.0/16"}))
	expectRC(t, "edit pool 0", code, env, "POOL_EDITED_SUCCESSFULLY", 0, 200)
	if after := hostPools(t, p); after != before {
		t.Errorf("edit of pool 0 changed the pools:\nbefore %s\nafter  %s", before, after)
	}

	// 5. Bad input changes nothing.
	t.Run("BadInput", func(t *testing.T) {
		before := hostPools(t, p)
		unchanged := func(what string) {
			t.Helper()
			if after := hostPools(t, p); after != before {
				t.Errorf("%s changed the pools:\nbefore %s\nafter  %s", what, before, after)
			}
		}
		long := strings.Repeat("n", 200)
		for _, c := range []struct {
			what, path string
			body       map[string]any
			rcStr      string
			rc         float64
			status     int
		}{
			{"member without prefix", "add", map[string]any{"pool_name": "bad", "pool_members": h}, "ADD_POOL_FAILED", -13, 409},
			{"bad IPv4", "add", map[string]any{"pool_name": "bad", "pool_members": "300.1.1.1/32"}, "ADD_POOL_FAILED", -13, 409},
			{"prefix 33", "add", map[string]any{"pool_name": "bad", "pool_members": "10.0.0.0/33"}, "ADD_POOL_FAILED", -13, 409},
			{"short MAC", "add", map[string]any{"pool_name": "bad", "pool_members": "AA:BB:CC:DD:EE"}, "ADD_POOL_FAILED", -13, 409},
			{"VLAN 5000", "add", map[string]any{"pool_name": "bad", "pool_members": "10.0.0.1/32@5000"}, "ADD_POOL_FAILED", -13, 409},
			{"good and bad members", "add", map[string]any{"pool_name": "bad", "pool_members": "10.9.9.0/24,300.1.1.1/32"}, "ADD_POOL_FAILED", -13, 409},
			{"member of another pool", "add", map[string]any{"pool_name": "bad", "pool_members": "10.9.9.0/24," + strings.ToLower(net24.String())}, "ADD_POOL_FAILED", -13, 409},
			{"/32 of another pool", "add", map[string]any{"pool_name": "bad", "pool_members": h + "/32@0"}, "ADD_POOL_FAILED", -13, 409},
			{"duplicate name", "add", map[string]any{"pool_name": "laptop", "pool_members": "10.9.9.0/24"}, "ADD_POOL_FAILED", -13, 409},
			{"name of 200 characters", "add", map[string]any{"pool_name": long, "pool_members": ""}, "ADD_POOL_FAILED", -13, 409},
			{"space after a comma", "add", map[string]any{"pool_name": "bad", "pool_members": "10.9.9.0/24, 10.9.8.0/24"}, "INVALID_ARGUMENTS", -5, 400},
			{"missing pool_name", "add", map[string]any{"pool_members": "10.9.9.0/24"}, "INVALID_ARGUMENTS", -5, 400},
			{"missing pool_members", "add", map[string]any{"pool_name": "bad"}, "INVALID_ARGUMENTS", -5, 400},
			{"edit unknown pool", "edit", map[string]any{"pool": 99, "pool_name": "x", "pool_members": ""}, "EDIT_POOL_FAILED", -14, 409},
			{"edit with a bad member", "edit", map[string]any{"pool": poolB, "pool_name": "laptop", "pool_members": "10.0.0.0/33"}, "EDIT_POOL_FAILED", -14, 409},
			{"edit to another pool's name", "edit", map[string]any{"pool": poolB, "pool_name": "office2", "pool_members": hKey}, "EDIT_POOL_FAILED", -14, 409},
			{"edit stealing a member", "edit", map[string]any{"pool": poolB, "pool_name": "laptop", "pool_members": hKey + "," + netKey}, "EDIT_POOL_FAILED", -14, 409},
			{"bind to unknown pool", "bind", map[string]any{"pool": 99, "member": "10.9.9.9"}, "BIND_POOL_MEMBER_FAILED", -17, 409},
			{"bind a bad member", "bind", map[string]any{"pool": poolB, "member": "300.1.1.1"}, "BIND_POOL_MEMBER_FAILED", -17, 409},
			{"bind without member", "bind", map[string]any{"pool": poolB}, "INVALID_ARGUMENTS", -5, 400},
		} {
			path := map[string]string{"add": "/lua/rest/v1/add/host/pool.lua", "edit": "/lua/rest/v1/edit/host/pool.lua",
				"bind": "/lua/rest/v1/bind/host/pool/member.lua"}[c.path]
			code, env := p.post(t, path, jsonBody(c.body))
			expectError(t, c.what, code, env, c.rcStr, c.rc, c.status)
			unchanged(c.what)
		}

		// A member bound elsewhere: the answer carries the owner pool.
		code, env := p.post(t, "/lua/rest/v1/bind/host/pool/member.lua", jsonBody(map[string]any{"pool": poolA, "member": h}))
		expectRC(t, "bind a member of another pool", code, env, "BIND_POOL_MEMBER_ALREADY_BOUND", -18, 409)
		if owner := poolByID(t, p, poolB); fmt.Sprint(env["rsp"]) != fmt.Sprint(owner) {
			t.Errorf("already bound: rsp %v, want the owner pool %v", env["rsp"], owner)
		}
		unchanged("bind of a member bound elsewhere")

		// A SQL-looking name: refused, or stored verbatim; either way the
		// other pools stay and the server keeps answering.
		sqlName := "x'); DROP TABLE pools;--"
		code, env = p.post(t, "/lua/rest/v1/add/host/pool.lua", jsonBody(map[string]any{"pool_name": sqlName, "pool_members": ""}))
		if env["rc_str"] == "POOL_ADDED_SUCCESSFULLY" {
			id := env["rsp"].(map[string]any)["pool_id"].(float64)
			if got := poolByID(t, p, int(id)); got == nil || got["name"] != sqlName {
				t.Errorf("SQL-looking name stored as %v", got)
			}
			code, env = p.post(t, "/lua/rest/v1/delete/host/pool.lua", jsonBody(map[string]any{"pool": id}))
			expectRC(t, "delete the SQL-named pool", code, env, "POOL_DELETED_SUCCESSFULLY", 0, 200)
		} else if code != 400 && code != 409 {
			t.Errorf("SQL-looking name: HTTP %d %v", code, env)
		}
		unchanged("SQL-looking name")

		// A body that is not JSON although it says so.
		a := p.raw(t, "POST", "/lua/rest/v1/add/host/pool.lua", "application/json", `pool_name=bad&pool_members=10.9.9.0/24`, "admin", "admin")
		if env := a.env(t); a.status != 400 || env["rc_str"] != "BAD_FORMAT" {
			t.Errorf("non-JSON body: HTTP %d %s", a.status, a.body)
		}
		a = p.raw(t, "POST", "/lua/rest/v1/add/host/pool.lua", "application/json", `{"pool_name":"bad","pool_members":"10.9.9.0/24"`, "admin", "admin")
		if a.status != 400 {
			t.Errorf("truncated JSON body: HTTP %d %s", a.status, a.body)
		}
		unchanged("non-JSON body")

		// An unprivileged user reads but does not change.
		code, env = p.post(t, "/lua/rest/v1/add/ntopng/user.lua", jsonBody(map[string]any{"username": "viewer", "full_name": "Viewer",
			"password": "v1ewer", "confirm_password": "v1ewer", "user_role": "unprivileged", "allowed_networks": "0.0.0.0/0,::/0", "allowed_interface": ""}))
		if code != 200 || env["rc_str"] != "OK" {
			t.Fatalf("add unprivileged user: %d %v", code, env)
		}
		for _, c := range []struct{ path, body string }{
			{"/lua/rest/v1/add/host/pool.lua", jsonBody(map[string]any{"pool_name": "mine", "pool_members": "10.9.9.0/24"})},
			{"/lua/rest/v1/delete/pools.lua", "{}"},
			{"/lua/rest/v1/delete/host/pool.lua", jsonBody(map[string]any{"pool": poolB})},
			{"/lua/rest/v1/bind/host/pool/member.lua", jsonBody(map[string]any{"pool": 0, "member": h})},
		} {
			code, env := p.request(t, "POST", c.path, c.body, "viewer", "v1ewer")
			if code != 403 || env["rc_str"] != "NOT_GRANTED" {
				t.Errorf("unprivileged %s: HTTP %d %v, want 403 NOT_GRANTED", c.path, code, env)
			}
		}
		if a := p.raw(t, "GET", "/lua/rest/v1/get/host/pools.lua", "", "", "viewer", "v1ewer"); a.status != 200 || string(a.body) != before {
			t.Errorf("unprivileged get/host/pools: HTTP %d %s", a.status, a.body)
		}
		unchanged("unprivileged user")
	})

	// 6. Persistence: same data dir, same capture.
	saved := hostPools(t, p)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	p = start(t, "-i", pcap, "-m", synth.SampleLocalNet, "-d", dataDir)
	p.waitRead(t, truth.Frames)
	if got := hostPools(t, p); got != saved {
		t.Errorf("pools after restart:\n%s\nwant\n%s", got, saved)
	}
	expectPools(p, "after restart", map[string]int{h: poolB, h2: poolA, out: 0})
	if ips := activeIPs(p, poolB); fmt.Sprint(ips) != fmt.Sprint([]string{h}) {
		t.Errorf("host/active pool=%d after restart: %v", poolB, ips)
	}
	code, env = p.post(t, "/lua/rest/v1/add/host/pool.lua", jsonBody(map[string]any{"pool_name": "tmp", "pool_members": ""}))
	if r, _ := env["rsp"].(map[string]any); code != 200 || r["pool_id"] != 4.0 {
		t.Errorf("add after restart: %d %v, want pool_id 4", code, env)
	}
	code, env = p.post(t, "/lua/rest/v1/delete/host/pool.lua", jsonBody(map[string]any{"pool": 4}))
	expectRC(t, "delete tmp", code, env, "POOL_DELETED_SUCCESSFULLY", 0, 200)

	// 7. Export, reset, import, export.
	t.Run("ExportImport", func(t *testing.T) {
		// The checks set of the scripts module gets its id 0 on its first
		// import, as in ntopng: import it once, so that the round trip
		// starts from a document that importing leaves as it is.
		first := exportDoc(t, p)
		a := p.raw(t, "POST", "/lua/rest/v1/import/checks/config.lua", "application/x-www-form-urlencoded",
			"JSON="+url.QueryEscape(string(first)), "admin", "admin")
		if env := a.env(t); env["rc_str"] != "OK" {
			t.Fatalf("first checks import: %v", env)
		}
		doc := exportDoc(t, p)
		var parsed struct {
			Version string                     `json:"version"`
			Modules map[string]json.RawMessage `json:"modules"`
		}
		if err := json.Unmarshal(doc, &parsed); err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"snmp", "active_monitoring", "notifications", "scripts", "pool"} {
			if _, ok := parsed.Modules[m]; !ok {
				t.Errorf("exported document has no %s module", m)
			}
		}
		var poolMod struct {
			Host []map[string]any `json:"host"`
		}
		_ = json.Unmarshal(parsed.Modules["pool"], &poolMod)
		if len(poolMod.Host) != 4 {
			t.Errorf("exported pool module: %s", parsed.Modules["pool"])
		}
		if _, env := p.get(t, "/lua/rest/v1/export/pool/config.lua", "admin", "admin"); env["rc_str"] != "OK" ||
			env["rsp"].(map[string]any)["version"] != "1.0" {
			t.Errorf("export (REST mode): %v", env)
		}
		withPools := hostPools(t, p)

		reset := func() {
			t.Helper()
			code, env := p.post(t, "/lua/rest/v2/reset/pool/config.lua", "{}")
			expectRC(t, "reset", code, env, "OK", 0, 200)
			if got := hostPools(t, p); got != fresh {
				t.Errorf("pools after reset:\n%s\nwant\n%s", got, fresh)
			}
			expectPools(p, "after reset", map[string]int{h: 0, h2: 0})
		}
		check := func(what string) {
			t.Helper()
			if again := exportDoc(t, p); !bytes.Equal(again, doc) {
				t.Errorf("%s: export differs:\n%s\nwant\n%s", what, again, doc)
			}
			if got := hostPools(t, p); got != withPools {
				t.Errorf("%s: pools\n%s\nwant\n%s", what, got, withPools)
			}
		}

		reset()
		a = p.raw(t, "POST", "/lua/rest/v1/import/pool/config.lua", "application/x-www-form-urlencoded", "JSON="+url.QueryEscape(string(doc)), "admin", "admin")
		expectRC(t, "import (form)", a.status, a.env(t), "OK", 0, 200)
		check("import (form)")
		expectPools(p, "after import", map[string]int{h: poolB, h2: poolA, out: 0})

		code, env := p.post(t, "/lua/rest/v1/import/pool/config.lua", jsonBody(map[string]any{"JSON": string(doc)}))
		expectRC(t, "re-import of the own export", code, env, "OK", 0, 200)
		check("re-import")

		reset()
		code, env = p.post(t, "/lua/rest/v1/import/pool/config.lua", jsonBody(map[string]any{"JSON": string(doc)}))
		expectRC(t, "import (JSON string)", code, env, "OK", 0, 200)
		check("import (JSON string)")

		reset()
		code, env = p.post(t, "/lua/rest/v1/import/pool/config.lua", `{"JSON":`+string(doc)+`}`)
		expectRC(t, "import (nested JSON object)", code, env, "OK", 0, 200)
		check("import (nested JSON object)")

		// Bad documents change nothing.
		edit := func(fn func(mods map[string]json.RawMessage)) string {
			var d map[string]json.RawMessage
			_ = json.Unmarshal(doc, &d)
			var mods map[string]json.RawMessage
			_ = json.Unmarshal(d["modules"], &mods)
			fn(mods)
			d["modules"], _ = json.Marshal(mods)
			b, _ := json.Marshal(d)
			return string(b)
		}
		numVersion := strings.Replace(string(doc), `"version":"1.0"`, `"version":1.0`, 1)
		if numVersion == string(doc) {
			t.Errorf(`the exported document has no "version":"1.0": %s`, doc)
		}
		badMember := edit(func(mods map[string]json.RawMessage) {
			var pm map[string][]any
			_ = json.Unmarshal(mods["pool"], &pm)
			pm["host"] = append(pm["host"],
				map[string]any{"pool_id": 9, "name": "fresh", "members": []string{"10.20.30.0/24@0"}},
				map[string]any{"pool_id": 10, "name": "evil", "members": []string{"10.0.0.0/33@0"}})
			mods["pool"], _ = json.Marshal(pm)
		})
		badHost := edit(func(mods map[string]json.RawMessage) { mods["pool"] = json.RawMessage(`{"host":{"name":"x"}}`) })
		for _, c := range []struct {
			what, text, rcStr string
			rc                float64
			status            int
		}{
			{"truncated document", string(doc[:len(doc)/2]), "INVALID_ARGUMENTS", -5, 400},
			{"version as a number", numVersion, "INVALID_ARGUMENTS", -5, 400},
			{"version 2.0", strings.Replace(string(doc), `"version":"1.0"`, `"version":"2.0"`, 1), "INVALID_ARGUMENTS", -5, 400},
			{"no scripts module", edit(func(mods map[string]json.RawMessage) { delete(mods, "scripts") }), "CONFIGURATION_FILE_MISMATCH", -27, 400},
			{"no pool module", edit(func(mods map[string]json.RawMessage) { delete(mods, "pool") }), "CONFIGURATION_FILE_MISMATCH", -27, 400},
			{"invalid member", badMember, "BAD_CONTENT", -8, 400},
			{"host not a list", badHost, "BAD_CONTENT", -8, 400},
		} {
			code, env := p.post(t, "/lua/rest/v1/import/pool/config.lua", jsonBody(map[string]any{"JSON": c.text}))
			expectError(t, c.what, code, env, c.rcStr, c.rc, c.status)
			check(c.what)
		}
		code, env = p.post(t, "/lua/rest/v1/import/pool/config.lua", "{}")
		expectError(t, "import without JSON", code, env, "INVALID_ARGUMENTS", -5, 400)
		check("import without JSON")

		// A member bound to another pool is skipped, the rest imported.
		partial := edit(func(mods map[string]json.RawMessage) {
			mods["pool"], _ = json.Marshal(map[string]any{"host": []any{
				map[string]any{"name": "thief", "members": []string{hKey, "10.20.30.0/24@0"}}}})
		})
		code, env = p.post(t, "/lua/rest/v1/import/pool/config.lua", jsonBody(map[string]any{"JSON": partial}))
		expectRC(t, "import of a bound member", code, env, "PARTIAL_IMPORT", -28, 409)
		expectPools(p, "after partial import", map[string]int{h: poolB})
		var thief map[string]any
		for _, e := range rspOf(t, p, "/lua/rest/v1/get/host/pools.lua").([]any) {
			if m := e.(map[string]any); m["name"] == "thief" {
				thief = m
			}
		}
		if thief == nil || fmt.Sprint(strs(thief["members"])) != "[10.20.30.0/24@0]" {
			t.Errorf("partially imported pool: %v", thief)
		}
	})

	// 8. Limits: at most 3 pools (one user pool), 2 members in all.
	t.Run("Limits", func(t *testing.T) {
		q := start(t, "-i", pcap, "-m", synth.SampleLocalNet, "--max-host-pools=3", "--max-pool-members=2")
		q.waitRead(t, truth.Frames)
		code, env := q.post(t, "/lua/rest/v1/add/host/pool.lua", jsonBody(map[string]any{"pool_name": "one", "pool_members": "10.1.0.0/24,10.2.0.0/24,10.3.0.0/24"}))
		expectError(t, "3 members over a limit of 2", code, env, "ADD_POOL_FAILED", -13, 409)
		code, env = q.post(t, "/lua/rest/v1/add/host/pool.lua", jsonBody(map[string]any{"pool_name": "one", "pool_members": "10.1.0.0/24,10.2.0.0/24"}))
		expectRC(t, "first user pool", code, env, "POOL_ADDED_SUCCESSFULLY", 0, 200)
		if r, _ := env["rsp"].(map[string]any); r["pool_id"] != 2.0 {
			t.Errorf("first user pool: rsp %v", env["rsp"])
		}
		before := hostPools(t, q)
		code, env = q.post(t, "/lua/rest/v1/add/host/pool.lua", jsonBody(map[string]any{"pool_name": "two", "pool_members": ""}))
		expectError(t, "pool over the limit", code, env, "ADD_POOL_FAILED_TOO_MANY_POOLS_ENTERPRISE", -54, 409)
		code, env = q.post(t, "/lua/rest/v1/bind/host/pool/member.lua", jsonBody(map[string]any{"pool": 2, "member": "10.3.0.0/24"}))
		expectError(t, "member over the limit", code, env, "BIND_POOL_MEMBER_FAILED", -17, 409)
		if after := hostPools(t, q); after != before {
			t.Errorf("refused changes changed the pools:\n%s\nwant\n%s", after, before)
		}
	})
}
