// Package pools keeps ntopng's host pools and (legacy) local-network pools:
// the model and its rules (rest-pools.md), their persistence in SQLite and
// the Matcher that puts every live host in its pool.
//
// One Manager serves the whole program. Changes are validated in full
// before anything is written, each change is one transaction, and the
// in-memory state is replaced only after the transaction committed: a
// refused or failed change leaves both the database and the memory as they
// were.
package pools

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-playground/validator/v10"

	"github.com/ntopng-go/ntopng/db"
)

// Kind is a pool type; its text is the "key" of get/pools.
type Kind string

const (
	// Host pools group hosts by MAC or address (the current pool type).
	Host Kind = "host"
	// LocalNetwork pools group the configured local networks (legacy).
	LocalNetwork Kind = "local_network"
	// HostPool is the legacy "pool of host pools": only pool 0, which
	// carries the recipients of host-pool alerts.
	HostPool Kind = "host_pool"
)

// Kinds in the order get/pools lists them.
var Kinds = []Kind{Host, LocalNetwork, HostPool}

// Built-in ids and names (rest-pools.md §1.3).
const (
	DefaultID     = 0
	JailedID      = 1
	DefaultName   = "Default"
	JailedName    = "Jailed Hosts"
	firstUserPool = 2
)

// Defaults of Config.
const (
	DefaultMaxPools   = 1024
	DefaultMaxMembers = 100000
	// MaxNameLength bounds pool names, in characters.
	MaxNameLength = 128
	// maxPoolID keeps ids within the host table's 16-bit pool field.
	maxPoolID = 65535
)

// Errors of pool operations; the REST layer maps them to return codes.
var (
	ErrNotFound         = errors.New("pool not found")
	ErrNameTaken        = errors.New("a pool with this name exists")
	ErrTooManyPools     = errors.New("too many pools")
	ErrTooManyMembers   = errors.New("too many pool members")
	ErrInvalid          = errors.New("invalid pool")
	ErrUnknownRecipient = errors.New("unknown recipient")
	ErrBadDocument      = errors.New("invalid pool configuration")
)

// BoundError reports a member that belongs to another pool.
type BoundError struct {
	Member string
	Owner  Pool
}

func (e *BoundError) Error() string {
	return fmt.Sprintf("member %s already belongs to pool %d (%s)", e.Member, e.Owner.ID, e.Owner.Name)
}

// LocalNet is a configured local network, as network pools name them.
type LocalNet struct {
	Prefix netip.Prefix
	Alias  string
}

// Config of a Manager.
type Config struct {
	// MaxPools bounds the pools of each kind, built-in pools included.
	MaxPools int
	// MaxMembers bounds the members of all host pools together.
	MaxMembers int
	// LocalNets are the local networks (-m); index = local_network_id.
	LocalNets []LocalNet
	// Recipient names a notification recipient, reporting whether it
	// exists; nil knows only the built-in recipient 0.
	Recipient func(id int) (name string, ok bool)
	Logger    *log.Logger
}

// Pool is one pool. Values handed out by the Manager are copies.
type Pool struct {
	Kind       Kind
	ID         int
	Name       string
	Policy     string
	Members    []string // normalized, sorted
	Recipients []int    // sorted

	members []Member // parsed Members (host pools)
}

// Spec is what add and edit set.
type Spec struct {
	Name    string   `validate:"required,max=128,nocontrol"`
	Members []string `validate:"dive,required,max=64"`
	// Recipients replaces the recipient list when RecipientsSet.
	Recipients    []int `validate:"dive,min=0,max=1000000"`
	RecipientsSet bool
}

// Listener is told about every new Matcher (after every host pool change).
type Listener func(*Matcher)

// Manager owns the pools.
type Manager struct {
	cfg Config
	db  *db.DB
	val *validator.Validate

	mu  sync.RWMutex // guards st; writers also serialize on it
	st  *state
	lsn []Listener

	matcher atomic.Pointer[Matcher]
}

// state is a snapshot of all pools. States are never modified once
// published: a change builds the next state and replaces the pointer.
type state struct {
	pools map[Kind]map[int]*Pool
	owner map[Kind]map[string]int // member → pool id
	// next is the next id of the legacy kinds, whose ids are never reused.
	next map[Kind]int
}

func emptyState() *state {
	s := &state{pools: map[Kind]map[int]*Pool{}, owner: map[Kind]map[string]int{}, next: map[Kind]int{}}
	for _, k := range Kinds {
		s.pools[k] = map[int]*Pool{}
		s.owner[k] = map[string]int{}
	}
	return s
}

// clone copies the maps; the pools themselves are shared until replaced.
func (s *state) clone() *state {
	n := &state{pools: map[Kind]map[int]*Pool{}, owner: map[Kind]map[string]int{}, next: map[Kind]int{}}
	for k, m := range s.pools {
		n.pools[k] = make(map[int]*Pool, len(m))
		for id, p := range m {
			n.pools[k][id] = p
		}
	}
	for k, m := range s.owner {
		n.owner[k] = make(map[string]int, len(m))
		for mem, id := range m {
			n.owner[k][mem] = id
		}
	}
	for k, v := range s.next {
		n.next[k] = v
	}
	return n
}

// put stores p (replacing the pool of the same id) and its members.
func (s *state) put(p *Pool) {
	if old := s.pools[p.Kind][p.ID]; old != nil {
		for _, m := range old.Members {
			delete(s.owner[p.Kind], m)
		}
	}
	s.pools[p.Kind][p.ID] = p
	for _, m := range p.Members {
		s.owner[p.Kind][m] = p.ID
	}
}

func (s *state) remove(k Kind, id int) {
	if old := s.pools[k][id]; old != nil {
		for _, m := range old.Members {
			delete(s.owner[k], m)
		}
		delete(s.pools[k], id)
	}
}

func (s *state) byName(k Kind, name string) *Pool {
	for _, p := range s.pools[k] {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func (s *state) hostMembers() int { return len(s.owner[Host]) }

// builtins are the pools that always exist.
func builtins(k Kind) []*Pool {
	if k == Host {
		return []*Pool{{Kind: Host, ID: DefaultID, Name: DefaultName}, {Kind: Host, ID: JailedID, Name: JailedName}}
	}
	return []*Pool{{Kind: k, ID: DefaultID, Name: DefaultName}}
}

// ensureBuiltins re-creates missing built-in pools (rest-pools.md §1.3).
func (s *state) ensureBuiltins() {
	for _, k := range Kinds {
		for _, b := range builtins(k) {
			if s.pools[k][b.ID] == nil {
				s.put(b)
			}
		}
		if s.next[k] < firstUserPool {
			s.next[k] = firstUserPool
		}
	}
}

// New loads the pools from the database, creating the built-in ones.
func New(ctx context.Context, store *db.DB, cfg Config) (*Manager, error) {
	if cfg.MaxPools <= 0 {
		cfg.MaxPools = DefaultMaxPools
	}
	if cfg.MaxMembers <= 0 {
		cfg.MaxMembers = DefaultMaxMembers
	}
	if cfg.Logger == nil {
		cfg.Logger = log.Default()
	}
	m := &Manager{cfg: cfg, db: store, val: db.NewValidator()}
	st, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	next := st.clone()
	next.ensureBuiltins()
	if err := m.persist(ctx, st, next); err != nil {
		return nil, err
	}
	m.st = next
	m.matcher.Store(buildMatcher(next.pools[Host]))
	return m, nil
}

// Matcher is the current host matcher.
func (m *Manager) Matcher() *Matcher { return m.matcher.Load() }

// Subscribe registers fn for every new Matcher and calls it once with the
// current one. Calls happen under the writers' lock, so a listener sees
// matchers in publication order and never a stale one last.
func (m *Manager) Subscribe(fn Listener) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lsn = append(m.lsn, fn)
	fn(m.matcher.Load())
}

// List returns the pools of kind k by id.
func (m *Manager) List(k Kind) []Pool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Pool, 0, len(m.st.pools[k]))
	for _, p := range m.st.pools[k] {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Get returns one pool.
func (m *Manager) Get(k Kind, id int) (Pool, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.st.pools[k][id]
	if p == nil {
		return Pool{}, false
	}
	return *p, true
}

// Name is the name of host pool id ("" when it does not exist).
func (m *Manager) Name(id int) string {
	p, _ := m.Get(Host, id)
	return p.Name
}

// WithRecipient lists the pools of every kind whose recipients include id.
func (m *Manager) WithRecipient(id int) []Pool {
	var out []Pool
	for _, k := range Kinds {
		for _, p := range m.List(k) {
			if slices.Contains(p.Recipients, id) {
				out = append(out, p)
			}
		}
	}
	return out
}

// PoolByMember finds the host pool holding member (relaxed form), by
// literal comparison after normalization: no prefix matching.
func (m *Manager) PoolByMember(member string) (Pool, bool, error) {
	mem, err := ParseMember(member, true)
	if err != nil {
		return Pool{}, false, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.st.owner[Host][mem.Key]
	if !ok {
		return Pool{}, false, nil
	}
	return *m.st.pools[Host][id], true, nil
}

// change runs fn on a copy of the state and, when fn succeeds, persists
// the difference in one transaction and publishes the copy.
func (m *Manager) change(ctx context.Context, fn func(next *state) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	next := m.st.clone()
	if err := fn(next); err != nil {
		return err
	}
	next.ensureBuiltins()
	if err := m.persist(ctx, m.st, next); err != nil {
		return err
	}
	hostsChanged := !samePools(m.st.pools[Host], next.pools[Host])
	m.st = next
	if hostsChanged {
		mt := buildMatcher(next.pools[Host])
		m.matcher.Store(mt)
		// Under m.mu, so listeners see matchers in publication order.
		for _, fn := range m.lsn {
			fn(mt)
		}
	}
	return nil
}

func samePools(a, b map[int]*Pool) bool {
	if len(a) != len(b) {
		return false
	}
	for id, p := range a {
		if b[id] != p {
			return false
		}
	}
	return true
}

// build validates spec for a pool of kind k with the given id and returns
// the pool, or the error that refuses it. Membership in other pools is
// checked against s.
func (m *Manager) build(s *state, k Kind, id int, spec Spec, keep *Pool) (*Pool, error) {
	if err := m.val.Struct(spec); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, validationMessage(err))
	}
	p := &Pool{Kind: k, ID: id, Name: spec.Name}
	if keep != nil {
		p.Policy = keep.Policy
		p.Recipients = keep.Recipients
	}
	if other := s.byName(k, spec.Name); other != nil && other.ID != id {
		return nil, fmt.Errorf("%w: %q", ErrNameTaken, spec.Name)
	}
	seen := map[string]bool{}
	for _, raw := range spec.Members {
		key, parsed, err := m.member(k, raw)
		if err != nil {
			return nil, err
		}
		if seen[key] {
			continue // set semantics: duplicates collapse
		}
		seen[key] = true
		if owner, ok := s.owner[k][key]; ok && owner != id {
			return nil, &BoundError{Member: key, Owner: *s.pools[k][owner]}
		}
		p.Members = append(p.Members, key)
		if k == Host {
			p.members = append(p.members, parsed)
		}
	}
	sortMembers(p)
	if spec.RecipientsSet {
		rs := slices.Clone(spec.Recipients)
		slices.Sort(rs)
		rs = slices.Compact(rs)
		for _, r := range rs {
			if _, ok := m.recipient(r); !ok {
				return nil, fmt.Errorf("%w: %d", ErrUnknownRecipient, r)
			}
		}
		p.Recipients = rs
	}
	return p, nil
}

func sortMembers(p *Pool) {
	if p.Kind == Host {
		sort.Slice(p.members, func(i, j int) bool { return p.members[i].Key < p.members[j].Key })
		p.Members = p.Members[:0]
		for _, mem := range p.members {
			p.Members = append(p.Members, mem.Key)
		}
		return
	}
	slices.Sort(p.Members)
}

// member normalizes a member of a pool of kind k.
func (m *Manager) member(k Kind, raw string) (string, Member, error) {
	switch k {
	case Host:
		mem, err := ParseMember(raw, false)
		if err != nil {
			return "", Member{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		return mem.Key, mem, nil
	case LocalNetwork:
		if id := m.localNetID(raw); id >= 0 {
			return m.cfg.LocalNets[id].Prefix.String(), Member{}, nil
		}
		return "", Member{}, fmt.Errorf("%w: %q is not a configured local network", ErrInvalid, raw)
	}
	return "", Member{}, fmt.Errorf("%w: pools of type %s have no members", ErrInvalid, k)
}

// localNetID is the id of the configured local network written as s, or -1.
func (m *Manager) localNetID(s string) int {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return -1
	}
	for i, n := range m.cfg.LocalNets {
		if n.Prefix == p {
			return i
		}
	}
	return -1
}

// LocalNetwork describes a network pool member: its local network id and
// alias.
func (m *Manager) LocalNetwork(member string) (id int, alias string) {
	id = m.localNetID(member)
	if id >= 0 {
		alias = m.cfg.LocalNets[id].Alias
	}
	return id, alias
}

// Recipient names recipient id.
func (m *Manager) recipient(id int) (string, bool) {
	if m.cfg.Recipient != nil {
		return m.cfg.Recipient(id)
	}
	if id == 0 {
		return "builtin_recipient_alert_store_db", true
	}
	return "", false
}

// RecipientName names recipient id ("" when unknown).
func (m *Manager) RecipientName(id int) string {
	n, _ := m.recipient(id)
	return n
}

// Add creates a pool and returns its id (rest-pools.md §2.1).
func (m *Manager) Add(ctx context.Context, k Kind, spec Spec) (int, error) {
	if k == HostPool {
		return 0, fmt.Errorf("%w: the host_pool type has only the default pool", ErrInvalid)
	}
	var id int
	err := m.change(ctx, func(s *state) error {
		if len(s.pools[k]) >= m.cfg.MaxPools {
			return fmt.Errorf("%w: at most %d", ErrTooManyPools, m.cfg.MaxPools)
		}
		var err error
		if id, err = m.newID(s, k, -1); err != nil {
			return err
		}
		p, err := m.build(s, k, id, spec, nil)
		if err != nil {
			return err
		}
		if err := m.checkMembers(s, p); err != nil {
			return err
		}
		s.put(p)
		if k != Host {
			s.next[k] = id + 1
		}
		return nil
	})
	return id, err
}

// newID allocates an id: for host pools the smallest free one from 2 (ids
// are reused; want, when free, is preferred), for the legacy kinds the
// next one of a counter that never goes back.
func (m *Manager) newID(s *state, k Kind, want int) (int, error) {
	if k != Host {
		if s.next[k] > maxPoolID {
			return 0, ErrTooManyPools
		}
		return s.next[k], nil
	}
	if want >= firstUserPool && want <= maxPoolID && s.pools[k][want] == nil {
		return want, nil
	}
	for id := firstUserPool; id <= maxPoolID; id++ {
		if s.pools[k][id] == nil {
			return id, nil
		}
	}
	return 0, ErrTooManyPools
}

// checkMembers enforces the member limit once p replaces its old version.
func (m *Manager) checkMembers(s *state, p *Pool) error {
	if p.Kind != Host {
		return nil
	}
	n := s.hostMembers() + len(p.Members)
	if old := s.pools[Host][p.ID]; old != nil {
		n -= len(old.Members)
	}
	if n > m.cfg.MaxMembers {
		return fmt.Errorf("%w: at most %d", ErrTooManyMembers, m.cfg.MaxMembers)
	}
	return nil
}

// Edit replaces a pool's name, members and (when set) recipients. The
// default pool keeps its name and stays empty; only its recipients change
// (rest-pools.md §2.2).
func (m *Manager) Edit(ctx context.Context, k Kind, id int, spec Spec) error {
	return m.change(ctx, func(s *state) error {
		old := s.pools[k][id]
		if old == nil {
			return ErrNotFound
		}
		if id == DefaultID {
			spec.Name, spec.Members = old.Name, nil
		}
		p, err := m.build(s, k, id, spec, old)
		if err != nil {
			return err
		}
		if err := m.checkMembers(s, p); err != nil {
			return err
		}
		s.put(p)
		return nil
	})
}

// Delete removes a pool. Deleting a built-in pool empties it: it is
// re-created at once.
func (m *Manager) Delete(ctx context.Context, k Kind, id int) error {
	return m.change(ctx, func(s *state) error {
		if s.pools[k][id] == nil {
			return ErrNotFound
		}
		s.remove(k, id)
		return nil
	})
}

// DeleteAll deletes every pool of every kind and resets the id counters
// (delete/pools); the built-in pools are re-created empty.
func (m *Manager) DeleteAll(ctx context.Context) error {
	return m.change(ctx, func(s *state) error {
		*s = *emptyState()
		return nil
	})
}

// ResetHostPools deletes every host pool (reset/pool/config).
func (m *Manager) ResetHostPools(ctx context.Context) error {
	return m.change(ctx, func(s *state) error {
		for id := range s.pools[Host] {
			s.remove(Host, id)
		}
		return nil
	})
}

// Bind assigns member (relaxed form) to host pool id (rest-pools.md §3.2):
// to pool 0 it is removed from any pool; to another pool it is added when
// it is in no pool. With oldMember set, that member is first removed.
func (m *Manager) Bind(ctx context.Context, id int, member, oldMember string) error {
	mem, err := ParseMember(member, true)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var old Member
	if oldMember != "" {
		if old, err = ParseMember(oldMember, true); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	return m.change(ctx, func(s *state) error {
		if s.pools[Host][id] == nil {
			return ErrNotFound
		}
		if old.Key != "" {
			s.unbind(old.Key)
		}
		if id == DefaultID {
			s.unbind(mem.Key)
			return nil
		}
		if owner, ok := s.owner[Host][mem.Key]; ok {
			if owner == id {
				return nil
			}
			return &BoundError{Member: mem.Key, Owner: *s.pools[Host][owner]}
		}
		if s.hostMembers()+1 > m.cfg.MaxMembers {
			return fmt.Errorf("%w: at most %d", ErrTooManyMembers, m.cfg.MaxMembers)
		}
		s.put(withMember(s.pools[Host][id], mem))
		return nil
	})
}

// unbind removes a host pool member from whatever pool holds it.
func (s *state) unbind(key string) {
	id, ok := s.owner[Host][key]
	if !ok {
		return
	}
	p := s.pools[Host][id]
	n := &Pool{Kind: Host, ID: p.ID, Name: p.Name, Policy: p.Policy, Recipients: p.Recipients}
	for _, mem := range p.members {
		if mem.Key != key {
			n.members = append(n.members, mem)
			n.Members = append(n.Members, mem.Key)
		}
	}
	s.put(n)
}

// withMember is a copy of host pool p with mem added.
func withMember(p *Pool, mem Member) *Pool {
	n := &Pool{Kind: Host, ID: p.ID, Name: p.Name, Policy: p.Policy, Recipients: p.Recipients}
	n.members = append(slices.Clone(p.members), mem)
	n.Members = make([]string, len(n.members))
	sortMembers(n)
	return n
}

// AddMembers adds the members in text (one per line, rest-pools.md §3.4)
// to host pool id. Lines that are no member and members bound to a pool
// are skipped; it reports how many were added and skipped.
func (m *Manager) AddMembers(ctx context.Context, id int, text string) (added, skipped int, err error) {
	err = m.change(ctx, func(s *state) error {
		p := s.pools[Host][id]
		if p == nil {
			return ErrNotFound
		}
		if id == DefaultID {
			return fmt.Errorf("%w: the default pool has no members", ErrInvalid)
		}
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			mem, err := ParseMember(line, true)
			if err != nil || s.hostMembers()+1 > m.cfg.MaxMembers {
				skipped++
				continue
			}
			if _, bound := s.owner[Host][mem.Key]; bound {
				skipped++
				continue
			}
			p = withMember(p, mem)
			s.put(p)
			added++
		}
		return nil
	})
	return added, skipped, err
}

func validationMessage(err error) string {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return err.Error()
	}
	var parts []string
	for _, fe := range ves {
		switch fe.Tag() {
		case "required":
			parts = append(parts, fe.Field()+" is required")
		case "max":
			parts = append(parts, fe.Field()+" is longer than "+fe.Param())
		case "nocontrol":
			parts = append(parts, fe.Field()+" contains control characters")
		default:
			parts = append(parts, fe.Field()+" is invalid")
		}
	}
	return strings.Join(parts, "; ")
}
