package pools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

// Object is a pool as the REST answers and configuration documents show
// it (rest-pools.md §1.1; "recipients" is the legacy list of §5.1, kept
// for every kind).
type Object struct {
	PoolID        int             `json:"pool_id"`
	Name          string          `json:"name"`
	Members       []string        `json:"members"`
	MemberDetails json.RawMessage `json:"member_details"`
	Policy        string          `json:"policy"`
	Recipients    []RecipientRef  `json:"recipients"`
	// Key names the kind in get/pools and recipient/pools.
	Key Kind `json:"key,omitempty"`
}

// RecipientRef is a recipient of a pool.
type RecipientRef struct {
	ID   int    `json:"recipient_id"`
	Name string `json:"recipient_name"`
}

// networkDetails are the member_details of a network pool member.
type networkDetails struct {
	LocalNetworkID int    `json:"local_network_id"`
	Alias          string `json:"alias,omitempty"`
}

// Object renders p; withKey adds the kind.
func (m *Manager) Object(p Pool, withKey bool) Object {
	o := Object{PoolID: p.ID, Name: p.Name, Members: append([]string{}, p.Members...), Policy: p.Policy,
		Recipients: []RecipientRef{}}
	if withKey {
		o.Key = p.Kind
	}
	details := map[string]any{}
	switch p.Kind {
	case Host:
		for _, mem := range p.members {
			details[mem.Key] = mem.Details()
		}
	case LocalNetwork:
		for _, key := range p.Members {
			id, alias := m.LocalNetwork(key)
			if alias == key {
				alias = ""
			}
			details[key] = networkDetails{LocalNetworkID: id, Alias: alias}
		}
	}
	if len(details) == 0 {
		o.MemberDetails = json.RawMessage("[]") // an empty Lua table
	} else {
		o.MemberDetails, _ = json.Marshal(details)
	}
	for _, r := range p.Recipients {
		o.Recipients = append(o.Recipients, RecipientRef{ID: r, Name: m.RecipientName(r)})
	}
	return o
}

// ConfigModule is the "pool" module of configuration documents
// (rest-config-import-export.md §4.2).
func (m *Manager) ConfigModule() *ConfigModule { return &ConfigModule{m: m} }

// ConfigModule exports and imports the host pools.
type ConfigModule struct{ m *Manager }

// Export is {"host": [every host pool]}.
func (c *ConfigModule) Export(context.Context) (any, error) {
	objs := []Object{}
	for _, p := range c.m.List(Host) {
		objs = append(objs, c.m.Object(p, false))
	}
	return map[string][]Object{"host": objs}, nil
}

// importedPool is one element of the "host" list.
type importedPool struct {
	PoolID     *int            `json:"pool_id"`
	Name       string          `json:"name"`
	Members    []string        `json:"members"`
	Recipients json.RawMessage `json:"recipients"`

	parsed     []Member
	recipients []int
}

// decode parses and checks the section; it is what Validate and Import
// share, so that Import never starts on a section Validate would refuse.
func (c *ConfigModule) decode(raw json.RawMessage) ([]importedPool, error) {
	var sec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sec); err != nil {
		return nil, fmt.Errorf("%w: the pool module must be an object", ErrBadDocument)
	}
	hostRaw, ok := sec["host"]
	if !ok || string(hostRaw) == "null" {
		return nil, nil // other pool types are legacy and ignored
	}
	var list []importedPool
	if err := json.Unmarshal(hostRaw, &list); err != nil {
		return nil, fmt.Errorf("%w: \"host\" must be a list of pools: %v", ErrBadDocument, err)
	}
	for i := range list {
		ip := &list[i]
		if err := c.m.val.Struct(Spec{Name: ip.Name, Members: ip.Members}); err != nil {
			return nil, fmt.Errorf("%w: pool #%d: %s", ErrBadDocument, i+1, validationMessage(err))
		}
		for _, s := range ip.Members {
			mem, err := ParseMember(s, false)
			if err != nil {
				return nil, fmt.Errorf("%w: pool %q: %v", ErrBadDocument, ip.Name, err)
			}
			ip.parsed = append(ip.parsed, mem)
		}
		rs, err := recipientIDs(ip.Recipients)
		if err != nil {
			return nil, fmt.Errorf("%w: pool %q: %v", ErrBadDocument, ip.Name, err)
		}
		ip.recipients = rs
	}
	return list, nil
}

// recipientIDs reads a recipients list: ids, or objects with recipient_id.
func recipientIDs(raw json.RawMessage) ([]int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("recipients must be a list")
	}
	var out []int
	for _, it := range items {
		var id int
		if json.Unmarshal(it, &id) == nil {
			out = append(out, id)
			continue
		}
		var ref struct {
			ID *int `json:"recipient_id"`
		}
		if json.Unmarshal(it, &ref) != nil || ref.ID == nil {
			return nil, fmt.Errorf("a recipient must be an id or an object with recipient_id")
		}
		out = append(out, *ref.ID)
	}
	return out, nil
}

// Validate checks the section.
func (c *ConfigModule) Validate(raw json.RawMessage) error {
	_, err := c.decode(raw)
	return err
}

// Import merges the section into the host pools in one transaction: a
// pool whose name is new is created (with its exported id when that is
// free), a pool whose name exists gains the members it lacks. Members
// bound to another pool, unknown recipients and pools beyond the limits
// are skipped and reported as partial.
func (c *ConfigModule) Import(ctx context.Context, raw json.RawMessage) (partial bool, err error) {
	list, err := c.decode(raw)
	if err != nil {
		return false, err
	}
	m := c.m
	err = m.change(ctx, func(s *state) error {
		partial = false
		for _, ip := range list {
			var n *Pool
			if base := s.byName(Host, ip.Name); base != nil {
				n = &Pool{Kind: Host, ID: base.ID, Name: base.Name, Policy: base.Policy,
					Recipients: slices.Clone(base.Recipients), members: slices.Clone(base.members)}
			} else {
				want := -1
				if ip.PoolID != nil {
					want = *ip.PoolID
				}
				id, err := m.newID(s, Host, want)
				if err != nil || len(s.pools[Host]) >= m.cfg.MaxPools {
					partial = true
					continue
				}
				n = &Pool{Kind: Host, ID: id, Name: ip.Name}
			}
			added := 0
			has := map[string]bool{}
			for _, mem := range n.members {
				has[mem.Key] = true
			}
			for _, mem := range ip.parsed {
				_, bound := s.owner[Host][mem.Key]
				switch {
				case has[mem.Key]:
					continue
				case bound, n.ID == DefaultID, s.hostMembers()+added >= m.cfg.MaxMembers:
					partial = true
					continue
				}
				has[mem.Key] = true
				n.members = append(n.members, mem)
				added++
			}
			for _, r := range ip.recipients {
				if _, ok := m.recipient(r); !ok {
					partial = true
				} else if !slices.Contains(n.Recipients, r) {
					n.Recipients = append(n.Recipients, r)
				}
			}
			slices.Sort(n.Recipients)
			n.Members = make([]string, len(n.members))
			sortMembers(n)
			s.put(n)
		}
		return nil
	})
	return partial, err
}

// Reset deletes every host pool; the built-in ones come back empty.
func (c *ConfigModule) Reset(ctx context.Context) error { return c.m.ResetHostPools(ctx) }
