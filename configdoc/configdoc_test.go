package configdoc

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// fake records what the registry asks of it.
type fake struct {
	export    any
	exportErr error
	bad       bool // Validate refuses
	partial   bool
	importErr error
	imported  []string
}

func (f *fake) Export(context.Context) (any, error) { return f.export, f.exportErr }
func (f *fake) Validate(json.RawMessage) error {
	if f.bad {
		return errors.New("bad section")
	}
	return nil
}
func (f *fake) Import(_ context.Context, raw json.RawMessage) (bool, error) {
	f.imported = append(f.imported, string(raw))
	return f.partial, f.importErr
}
func (f *fake) Reset(context.Context) error { return nil }

func registry() (*Registry, map[string]*fake) {
	r := NewRegistry()
	fakes := map[string]*fake{}
	for _, n := range Endpoints["pool"] {
		f := &fake{export: []any{}}
		fakes[n] = f
		r.Register(n, f)
	}
	return r, fakes
}

const full = `{"version":"1.0","modules":{"snmp":[],"active_monitoring":{},"notifications":[],"scripts":{},"pool":{"host":[]}}}`

func TestImportCodes(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, doc, code string
		setup           func(map[string]*fake)
		writes          bool
	}{
		{"ok", full, OK, nil, true},
		{"empty", "", InvalidArguments, nil, false},
		{"not JSON", `{"version":"1.0",`, InvalidArguments, nil, false},
		{"trailing", full + `{}`, InvalidArguments, nil, false},
		{"number version", `{"version":1.0,"modules":{}}`, InvalidArguments, nil, false},
		{"other version", `{"version":"2.0","modules":{}}`, InvalidArguments, nil, false},
		{"no version", `{"modules":{}}`, InvalidArguments, nil, false},
		{"no modules", `{"version":"1.0"}`, InvalidArguments, nil, false},
		{"missing module", strings.Replace(full, `"scripts":{},`, "", 1), Mismatch, nil, false},
		{"invalid section", full, BadContent, func(f map[string]*fake) { f["pool"].bad = true }, false},
		{"partial", full, PartialImport, func(f map[string]*fake) { f["notifications"].partial = true }, true},
		{"failure", full, InternalError, func(f map[string]*fake) { f["snmp"].importErr = errors.New("disk") }, true},
	} {
		r, fakes := registry()
		if c.setup != nil {
			c.setup(fakes)
		}
		res := r.Import(ctx, "pool", c.doc)
		if res.Code != c.code {
			t.Errorf("%s: %s (%s), want %s", c.name, res.Code, res.Message, c.code)
		}
		if c.code != OK && res.Message == "" {
			t.Errorf("%s: no message", c.name)
		}
		for n, f := range fakes {
			if wrote := len(f.imported) > 0; wrote != c.writes {
				t.Errorf("%s: module %s imported=%v, want %v", c.name, n, wrote, c.writes)
			}
		}
	}
	// Every module is attempted even after a failure; the pool section is
	// handed over as it was written.
	r, fakes := registry()
	fakes["snmp"].importErr = errors.New("disk")
	r.Import(ctx, "pool", full)
	if got := fakes["pool"].imported; len(got) != 1 || got[0] != `{"host":[]}` {
		t.Errorf("pool section %q", got)
	}
}

func TestExport(t *testing.T) {
	r, fakes := registry()
	fakes["pool"].export = map[string]any{"host": []any{}}
	doc, failed, err := r.Export(context.Background(), "pool")
	if err != nil || len(failed) != 0 {
		t.Fatal(err, failed)
	}
	if string(doc) != `{"version":"1.0","modules":{"active_monitoring":[],"notifications":[],"pool":{"host":[]},"scripts":[],"snmp":[]}}` {
		t.Errorf("document %s", doc)
	}
	fakes["snmp"].exportErr = errors.New("down")
	doc, failed, _ = r.Export(context.Background(), "pool")
	if len(failed) != 1 || strings.Contains(string(doc), "snmp") {
		t.Errorf("failed module: %v %s", failed, doc)
	}
	if _, _, err := r.Export(context.Background(), "nothing"); err == nil {
		t.Error("unknown endpoint exported")
	}
}

func TestAbsentModule(t *testing.T) {
	a := Absent{Empty: map[string]any{"res": map[string]any{}}}
	for raw, partial := range map[string]bool{
		`null`: false, `[]`: false, `{}`: false, `{"res":{},"vs_config":[]}`: false,
		`[{"endpoint_key":"webhook"}]`: true, `{"res":{"icmp@host":{}}}`: true, `"x"`: true,
	} {
		if got, err := a.Import(context.Background(), json.RawMessage(raw)); got != partial || err != nil {
			t.Errorf("%s: partial %v err %v, want %v", raw, got, err, partial)
		}
	}
}
