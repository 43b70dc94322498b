package db

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestHostAliasesPersist(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ntopng.db")
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := d.HostAliases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if key, err := h.Set(ctx, "192.168.1.93@12", "Charles"); err != nil || key != "192.168.1.93" {
		t.Fatalf("Set = %q, %v", key, err)
	}
	if _, err := h.Set(ctx, "2001:DB8::1", "v6"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Set(ctx, "10.0.0.1", "gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Set(ctx, "10.0.0.1", ""); err != nil {
		t.Fatal(err)
	}
	d.Close()

	d, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	h, err = d.HostAliases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := h.Get("192.168.1.93"); !ok || a != "Charles" {
		t.Errorf("after reopen: %q %v", a, ok)
	}
	if a, _ := h.Get("2001:db8::1"); a != "v6" {
		t.Errorf("v6 alias not canonical: %q", a)
	}
	if _, ok := h.Get("10.0.0.1"); ok || h.Len() != 2 {
		t.Errorf("deleted alias still there (len %d)", h.Len())
	}
}

func TestHostAliasesRejectBadInput(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	h, err := d.HostAliases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ host, alias string }{
		{"not-an-ip", "x"},
		{"'; DROP TABLE host_aliases; --", "x"},
		{"fe80::1%eth0", "x"},
		{"1.2.3.4", strings.Repeat("a", MaxAliasLen+1)},
		{"1.2.3.4", "\xff\xfe"},
	} {
		if _, err := h.Set(ctx, c.host, c.alias); !errors.Is(err, ErrInvalidAlias) {
			t.Errorf("Set(%q, %d bytes) = %v, want ErrInvalidAlias", c.host, len(c.alias), err)
		}
	}
	// An SQL-looking alias is just text.
	if _, err := h.Set(ctx, "1.2.3.4", "x'); DELETE FROM users; --"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.SQL().QueryRow(`SELECT COUNT(*) FROM host_aliases`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows = %d, %v", n, err)
	}
}
