package pools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ntopng-go/ntopng/db"
)

var ctx = context.Background()

func openStore(t *testing.T, dir string) *db.DB {
	t.Helper()
	store, err := db.Open(filepath.Join(dir, "ntopng.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func newManager(t *testing.T, cfg Config) (*Manager, string) {
	t.Helper()
	dir := t.TempDir()
	m, err := New(ctx, openStore(t, dir), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, dir
}

func summary(m *Manager, k Kind) string {
	var b strings.Builder
	for _, p := range m.List(k) {
		fmt.Fprintf(&b, "%d:%s:%v:%v;", p.ID, p.Name, p.Members, p.Recipients)
	}
	return b.String()
}

func spec(name string, members ...string) Spec { return Spec{Name: name, Members: members} }

func TestBuiltinsAndIDs(t *testing.T) {
	m, _ := newManager(t, Config{})
	if got := summary(m, Host); got != "0:Default:[]:[];1:Jailed Hosts:[]:[];" {
		t.Fatalf("fresh host pools: %s", got)
	}
	for i, want := range []int{2, 3, 4} {
		id, err := m.Add(ctx, Host, spec(fmt.Sprintf("p%d", i)))
		if err != nil || id != want {
			t.Fatalf("add: id %d err %v, want %d", id, err, want)
		}
	}
	if err := m.Delete(ctx, Host, 3); err != nil {
		t.Fatal(err)
	}
	if id, _ := m.Add(ctx, Host, spec("again")); id != 3 {
		t.Errorf("host pool ids are reused: got %d, want 3", id)
	}
	// Legacy network pools never reuse ids.
	m2, _ := newManager(t, Config{LocalNets: []LocalNet{{Prefix: netip.MustParsePrefix("192.168.1.0/24"), Alias: "lan"}}})
	a, _ := m2.Add(ctx, LocalNetwork, spec("a"))
	if err := m2.Delete(ctx, LocalNetwork, a); err != nil {
		t.Fatal(err)
	}
	if b, _ := m2.Add(ctx, LocalNetwork, spec("b", "192.168.1.0/24")); b != a+1 {
		t.Errorf("network pool id %d after deleting %d", b, a)
	}
	if _, err := m2.Add(ctx, LocalNetwork, spec("c", "10.0.0.0/8")); !errors.Is(err, ErrInvalid) {
		t.Errorf("network pool member outside the local networks: %v", err)
	}
	if _, err := m2.Add(ctx, HostPool, spec("x")); !errors.Is(err, ErrInvalid) {
		t.Errorf("host_pool pools cannot be added: %v", err)
	}

	// Deleting a built-in pool empties it: it comes back at once.
	if err := m.Edit(ctx, Host, JailedID, spec("Jail", "10.9.9.9/32")); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(ctx, Host, JailedID); err != nil {
		t.Fatal(err)
	}
	if p, ok := m.Get(Host, JailedID); !ok || p.Name != JailedName || len(p.Members) != 0 {
		t.Errorf("jailed pool after delete: %+v %v", p, ok)
	}
	// Editing the default pool changes neither its name nor its members.
	if err := m.Edit(ctx, Host, DefaultID, spec("Mine", "10.0.0.0/8")); err != nil {
		t.Fatal(err)
	}
	if p, _ := m.Get(Host, DefaultID); p.Name != DefaultName || len(p.Members) != 0 {
		t.Errorf("default pool edited: %+v", p)
	}
}

func TestRulesRefuseAndChangeNothing(t *testing.T) {
	m, _ := newManager(t, Config{MaxPools: 4, MaxMembers: 5})
	if _, err := m.Add(ctx, Host, spec("office", "192.168.1.0/24", "aa:bb:cc:dd:ee:ff")); err != nil {
		t.Fatal(err)
	}
	before := summary(m, Host)
	bound := &BoundError{}
	for name, err := range map[string]error{
		"same name":        errOf(m.Add(ctx, Host, spec("office"))),
		"bound member":     errOf(m.Add(ctx, Host, spec("other", "192.168.1.0/24@0"))),
		"bound MAC":        errOf(m.Add(ctx, Host, spec("other", "AA:BB:CC:DD:EE:FF"))),
		"bad member":       errOf(m.Add(ctx, Host, spec("other", "10.0.0.1"))),
		"long name":        errOf(m.Add(ctx, Host, spec(strings.Repeat("n", 129)))),
		"empty name":       errOf(m.Add(ctx, Host, spec(""))),
		"control char":     errOf(m.Add(ctx, Host, spec("a\nb"))),
		"unknown recip.":   errOf(m.Add(ctx, Host, Spec{Name: "r", Recipients: []int{7}, RecipientsSet: true})),
		"too many members": errOf(m.Add(ctx, Host, spec("big", "10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "10.0.0.4/32"))),
		"edit unknown":     m.Edit(ctx, Host, 42, spec("x")),
		"edit to a name":   m.Edit(ctx, Host, JailedID, spec("office")),
		"edit bound":       m.Edit(ctx, Host, JailedID, spec("Jailed Hosts", "192.168.1.0/24")),
		"delete unknown":   m.Delete(ctx, Host, 42),
		"bind unknown":     m.Bind(ctx, 42, "10.0.0.1", ""),
		"bind bad":         m.Bind(ctx, 2, "10.0.0.1/40", ""),
		"bind bound":       m.Bind(ctx, JailedID, "192.168.1.0/24", ""),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		if name == "bind bound" && (!errors.As(err, &bound) || bound.Owner.Name != "office") {
			t.Errorf("bind bound: %v", err)
		}
	}
	if got := summary(m, Host); got != before {
		t.Errorf("refused changes changed the pools:\n%s\n%s", before, got)
	}
	// The pool limit counts the built-in pools.
	if _, err := m.Add(ctx, Host, spec("fourth")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Add(ctx, Host, spec("fifth")); !errors.Is(err, ErrTooManyPools) {
		t.Errorf("fifth pool of 4: %v", err)
	}
}

func errOf(_ int, err error) error { return err }

func TestBindMovesMembers(t *testing.T) {
	m, _ := newManager(t, Config{})
	a, _ := m.Add(ctx, Host, spec("a"))
	b, _ := m.Add(ctx, Host, spec("b"))
	if err := m.Bind(ctx, a, "10.0.0.1", ""); err != nil {
		t.Fatal(err)
	}
	if err := m.Bind(ctx, a, "10.0.0.1/32@0", ""); err != nil {
		t.Errorf("binding again to the same pool: %v", err)
	}
	if p, ok, _ := m.PoolByMember("10.0.0.1"); !ok || p.ID != a {
		t.Errorf("pool by member: %v %v", p.ID, ok)
	}
	if _, ok, _ := m.PoolByMember("10.0.0.0/24"); ok {
		t.Error("pool by member matched a prefix")
	}
	// action=edit: the old member leaves its pool first.
	if err := m.Bind(ctx, b, "10.0.0.2", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := m.PoolByMember("10.0.0.1"); ok {
		t.Error("old member still bound")
	}
	if err := m.Bind(ctx, DefaultID, "10.0.0.2", ""); err != nil {
		t.Fatal(err)
	}
	if err := m.Bind(ctx, DefaultID, "10.0.0.99", ""); err != nil {
		t.Errorf("unbinding a member in no pool: %v", err)
	}
	if got := summary(m, Host); got != "0:Default:[]:[];1:Jailed Hosts:[]:[];2:a:[]:[];3:b:[]:[];" {
		t.Errorf("after unbinding: %s", got)
	}
	added, skipped, err := m.AddMembers(ctx, a, "10.1.1.1\n\nnot a member\n10.2.0.0/16@3\nAA:BB:CC:DD:EE:01\n10.1.1.1/32\n")
	if err != nil || added != 3 || skipped != 2 {
		t.Errorf("import members: added %d skipped %d err %v", added, skipped, err)
	}
}

func TestPersistenceAndMatcher(t *testing.T) {
	dir := t.TempDir()
	store := openStore(t, dir)
	m, err := New(ctx, store, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []*Matcher
	m.Subscribe(func(mt *Matcher) { seen = append(seen, mt) })
	a, _ := m.Add(ctx, Host, Spec{Name: "a", Members: []string{"10.0.0.0/8", "AA:BB:CC:DD:EE:FF"}, Recipients: []int{0}, RecipientsSet: true})
	b, _ := m.Add(ctx, Host, spec("b", "10.1.0.0/16"))
	if err := m.Edit(ctx, Host, JailedID, spec("Jail")); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 4 { // the current matcher, then one per change
		t.Errorf("listener calls %d, want 4", len(seen))
	}
	ip := netip.MustParseAddr("10.1.2.3")
	if got := m.Matcher().PoolOf([6]byte{2}, ip, 0); got != uint16(b) {
		t.Errorf("10.1.2.3 in pool %d, want %d", got, b)
	}
	before := summary(m, Host)
	store.Close()

	m2, err := New(ctx, openStore(t, dir), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(m2, Host); got != before {
		t.Errorf("after reopening:\n%s\nwant\n%s", got, before)
	}
	if got := m2.Matcher().PoolOf([6]byte{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}, ip, 0); got != uint16(a) {
		t.Errorf("MAC member after reopening: pool %d, want %d", got, a)
	}
	if ps := m2.WithRecipient(0); len(ps) != 1 || ps[0].ID != a {
		t.Errorf("pools with recipient 0: %+v", ps)
	}
}

func TestFailedWriteChangesNothing(t *testing.T) {
	dir := t.TempDir()
	store := openStore(t, dir)
	m, err := New(ctx, store, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Add(ctx, Host, spec("a", "10.0.0.0/8")); err != nil {
		t.Fatal(err)
	}
	before, mt := summary(m, Host), m.Matcher()
	store.Close() // every write now fails
	if _, err := m.Add(ctx, Host, spec("b", "10.1.0.0/16")); err == nil || errors.Is(err, ErrInvalid) {
		t.Fatalf("add with a closed database: %v", err)
	}
	if summary(m, Host) != before || m.Matcher() != mt {
		t.Error("a failed write changed the memory")
	}
}

func TestConfigModuleRoundTrip(t *testing.T) {
	m, _ := newManager(t, Config{})
	_, _ = m.Add(ctx, Host, spec("a", "10.0.0.0/8", "AA:BB:CC:DD:EE:FF"))
	_, _ = m.Add(ctx, Host, Spec{Name: "b", Members: []string{"2001:db8::/32@4"}, Recipients: []int{0}, RecipientsSet: true})
	_, _ = m.Add(ctx, Host, spec("c"))
	_ = m.Delete(ctx, Host, 3) // a hole in the ids
	_ = m.Edit(ctx, Host, JailedID, spec(JailedName, "10.9.9.9/32"))
	cm := m.ConfigModule()
	export := func() string {
		v, err := cm.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(v)
		return string(raw)
	}
	doc := export()
	if err := cm.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if got := summary(m, Host); got != "0:Default:[]:[];1:Jailed Hosts:[]:[];" {
		t.Fatalf("after reset: %s", got)
	}
	if err := cm.Validate(json.RawMessage(doc)); err != nil {
		t.Fatal(err)
	}
	partial, err := cm.Import(ctx, json.RawMessage(doc))
	if err != nil || partial {
		t.Fatalf("import: partial %v err %v", partial, err)
	}
	if got := export(); got != doc {
		t.Errorf("export after reset+import differs:\n%s\n%s", got, doc)
	}
	// Importing the same document again changes nothing and is complete.
	if partial, err := cm.Import(ctx, json.RawMessage(doc)); err != nil || partial || export() != doc {
		t.Errorf("re-import: partial %v err %v", partial, err)
	}
	// A member bound elsewhere is skipped: partial.
	partial, _ = cm.Import(ctx, json.RawMessage(`{"host":[{"name":"new","members":["10.0.0.0/8@0","10.5.0.0/16"]}]}`))
	if !partial {
		t.Error("a bound member did not make the import partial")
	}
	if p, ok, _ := m.PoolByMember("10.5.0.0/16"); !ok || p.Name != "new" {
		t.Errorf("the free member was not imported: %+v", p)
	}
	after := export()
	for _, bad := range []string{
		`[]`, `{"host":{}}`, `{"host":[{"name":5}]}`, `{"host":[{"name":"x","members":"10.0.0.0/8"}]}`,
		`{"host":[{"name":"x","members":["10.0.0.1"]}]}`, `{"host":[{"name":"","members":[]}]}`,
		`{"host":[{"name":"x","members":[],"recipients":"0"}]}`,
	} {
		if err := cm.Validate(json.RawMessage(bad)); !errors.Is(err, ErrBadDocument) {
			t.Errorf("%s: %v", bad, err)
		}
		if _, err := cm.Import(ctx, json.RawMessage(bad)); err == nil {
			t.Errorf("%s imported", bad)
		}
	}
	if export() != after {
		t.Error("refused documents changed the pools")
	}
	// Legacy pool types are ignored.
	if err := cm.Validate(json.RawMessage(`{"local_network":[{"name":1}]}`)); err != nil {
		t.Errorf("legacy section: %v", err)
	}
}

func TestConcurrentChangesAndReads(t *testing.T) {
	m, _ := newManager(t, Config{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				_, _ = m.Add(ctx, Host, spec(fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("10.%d.%d.0/24", w, i)))
				_ = m.Matcher().PoolOf([6]byte{2}, netip.MustParseAddr(fmt.Sprintf("10.%d.%d.1", w, i)), 0)
				_ = m.List(Host)
			}
		}(w)
	}
	wg.Wait()
	if n := len(m.List(Host)); n != 82 {
		t.Errorf("pools %d, want 82", n)
	}
	if got := m.Matcher().PoolOf([6]byte{2}, netip.MustParseAddr("10.3.19.1"), 0); m.Name(int(got)) != "w3-19" {
		t.Errorf("10.3.19.1 in %q", m.Name(int(got)))
	}
	if !reflect.DeepEqual(m.List(LocalNetwork)[0].Name, DefaultName) {
		t.Error("network default pool")
	}
}
