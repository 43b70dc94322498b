package rc

import "testing"

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	keys := map[bool]map[string]string{true: {}, false: {}}
	for _, c := range All {
		if seen[c.Str] {
			t.Errorf("duplicate code %s", c.Str)
		}
		seen[c.Str] = true
		if (c.RC == 0) != c.Success() || (c.RC == 0) != (c.HTTP == 200) {
			t.Errorf("%s: rc %d with HTTP %d", c.Str, c.RC, c.HTTP)
		}
		// Lua reaches codes as consts.success.<key> / consts.err.<key>.
		if prev, dup := keys[c.Success()][c.Key()]; dup {
			t.Errorf("Lua key %q used by %s and %s", c.Key(), prev, c.Str)
		}
		keys[c.Success()][c.Key()] = c.Str
	}
	for str, key := range map[string]string{"OK": "ok", "INVALID_ARGUMENTS": "invalid_args",
		"INVALID_INTERFACE": "invalid_interface", "POOL_ADDED_SUCCESSFULLY": "pool_added", "NOT_FOUND": "not_found"} {
		if got := Must(str).Key(); got != key {
			t.Errorf("%s: key %q, want %q", str, got, key)
		}
	}
	if NotFound.HTTP != 404 || InvalidInterface.HTTP != 400 || NotGranted.HTTP != 401 || InternalError.HTTP != 500 {
		t.Error("HTTP statuses of the common codes are wrong")
	}
}
