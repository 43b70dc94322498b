package checks

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
)

func TestAddExclusion(t *testing.T) {
	s, d := openStore(t, filepath.Join(t.TempDir(), "ntopng.db"), Builtin())
	defer d.Close()
	ctx := context.Background()
	for _, ex := range []Exclusion{
		{Subject: "2.23.155.233", Family: "flow", Key: 17},
		{Subject: "2.23.155.233@0", Family: "flow", Key: 17}, // the same: no change
		{Subject: "31.13.86.36", Family: "flow", Key: 22},
		{Subject: "10.1.2.3/8", Family: "host", Key: 5},
	} {
		if err := s.AddExclusion(ctx, ex); err != nil {
			t.Fatal(err)
		}
	}
	var got map[string]exclusionEntry
	if err := json.Unmarshal(s.Exclusions(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || len(got["2.23.155.233@0"].FlowAlerts) != 1 || got["10.0.0.0/8"].Type != "network" ||
		got["10.0.0.0/8"].HostAlerts[0] != 5 {
		t.Fatalf("exclusions: %s", s.Exclusions())
	}
	before := string(s.Exclusions())
	for _, bad := range []Exclusion{
		{Subject: "not-an-ip", Family: "flow", Key: 1}, {Subject: "1.2.3.4", Family: "mac", Key: 1},
		{Subject: "1.2.3.4@5000", Family: "flow", Key: 1}, {Subject: "1.2.3.4", Family: "flow", Key: -1},
	} {
		if err := s.AddExclusion(ctx, bad); KindOf(err) != InvalidArguments {
			t.Fatalf("%+v: %v", bad, err)
		}
	}
	if string(s.Exclusions()) != before {
		t.Fatal("a refused exclusion changed the document")
	}
}
