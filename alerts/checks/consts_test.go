package checks

import (
	"testing"

	"github.com/ntopng-go/ntopng/alerts"
)

// TestDefinitionsUseKnownConstants ties the check table to the one table
// of alert constants: every listed check raises a known alert type of its
// family and belongs to a known category.
func TestDefinitionsUseKnownConstants(t *testing.T) {
	families := map[string]alerts.Family{}
	for _, f := range alerts.Families {
		families[f.String()] = f
	}
	checked := 0
	for _, d := range Builtin() {
		if d.Category != "" {
			if _, ok := alerts.CategoryByKey(d.Category); !ok {
				t.Errorf("%s/%s: unknown category %q", d.Subdir, d.Key, d.Category)
			}
		}
		if d.AlertFamily == "" {
			continue
		}
		f, ok := families[d.AlertFamily]
		if !ok {
			t.Errorf("%s/%s: unknown alert family %q", d.Subdir, d.Key, d.AlertFamily)
			continue
		}
		if _, ok := alerts.TypeByFamilyKey(f, d.AlertID); !ok {
			t.Errorf("%s/%s: unknown %s alert type %d", d.Subdir, d.Key, d.AlertFamily, d.AlertID)
		}
		checked++
	}
	if checked < 100 {
		t.Errorf("only %d checks name an alert type", checked)
	}
}
