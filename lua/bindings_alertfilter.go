package lua

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
)

// Filtering of alerts held in memory (engaged alerts, and stored alerts
// when they have to be filtered in Go): the filter-list semantics of the
// store (alerts/alertdb/filter.go, spec §3.1) evaluated on records. The
// store remains the judge of which names, operators and values are valid:
// callers validate a filter against it first when it is available.

// recordMatcher selects records.
type recordMatcher func(*alertdb.Record) bool

// matchField is how one filterable name reads a record.
type matchField struct {
	get    func(r *alertdb.Record) []any // the column(s) compared
	andAll bool                          // every item AND-ed (score)
	bit    bool                          // the value is a bit number of the column
	roles  map[string][]string           // named role → flag columns
	proto  bool                          // a non-numeric value names an L7 protocol
}

func commonGetter(f func(r *alertdb.Record) any) func(r *alertdb.Record) []any {
	return func(r *alertdb.Record) []any { return []any{f(r)} }
}

func columnsGetter(cols ...string) func(r *alertdb.Record) []any {
	return func(r *alertdb.Record) []any {
		out := make([]any, len(cols))
		for i, c := range cols {
			out[i] = r.Fields[c]
		}
		return out
	}
}

// recordSeverity is the stored severity of a record (derived from the
// score when unset, as the store does on insert).
func recordSeverity(r *alertdb.Record) int {
	if r.Severity > 0 {
		return r.Severity
	}
	return int(alerts.ScoreToSeverity(r.Score))
}

// commonFields are the names every family can be filtered and sorted on.
var commonFields = map[string]func(r *alertdb.Record) any{
	"alert_id":          func(r *alertdb.Record) any { return int64(r.AlertID) },
	"alert_type":        func(r *alertdb.Record) any { return int64(r.AlertID) },
	"severity":          func(r *alertdb.Record) any { return int64(recordSeverity(r)) },
	"alert_severity":    func(r *alertdb.Record) any { return int64(recordSeverity(r)) },
	"score":             func(r *alertdb.Record) any { return int64(r.Score) },
	"alert_category":    func(r *alertdb.Record) any { return int64(r.Category) },
	"tstamp":            func(r *alertdb.Record) any { return r.Tstamp },
	"tstamp_end":        func(r *alertdb.Record) any { return r.TstampEnd },
	"row_id":            func(r *alertdb.Record) any { return r.RowID },
	"rowid":             func(r *alertdb.Record) any { return r.RowID },
	"counter":           func(r *alertdb.Record) any { return int64(max(r.Counter, 1)) },
	"user_label":        func(r *alertdb.Record) any { return r.UserLabel },
	"user_label_tstamp": func(r *alertdb.Record) any { return r.UserLabelTstamp },
	"duration":          func(r *alertdb.Record) any { return r.TstampEnd - r.Tstamp },
	"description":       func(r *alertdb.Record) any { return r.Description },
	"granularity":       func(r *alertdb.Record) any { return int64(r.Granularity) },
}

// fieldOf resolves a filter name for family fam.
func fieldOf(fam alertdb.Family, name string) (matchField, bool) {
	if get, ok := commonFields[name]; ok {
		if (name == "description" || name == "granularity") && !fam.HasDescription() {
			return matchField{}, false
		}
		mf := matchField{get: commonGetter(get)}
		mf.andAll = name == "score"
		return mf, true
	}
	switch fam {
	case alertdb.FamilyFlow:
		switch name {
		case "ip":
			return matchField{get: columnsGetter("cli_ip", "srv_ip")}, true
		case "l4proto":
			return matchField{get: columnsGetter("proto")}, true
		case "l7proto", "l7_proto":
			return matchField{get: columnsGetter("l7_proto"), proto: true}, true
		case "flow_risk":
			return matchField{get: columnsGetter("flow_risk_bitmap"), bit: true}, true
		case "snmp_interface":
			return matchField{get: columnsGetter("input_snmp", "output_snmp")}, true
		case "role":
			return matchField{roles: map[string][]string{
				"attacker": {"is_cli_attacker", "is_srv_attacker"}, "victim": {"is_cli_victim", "is_srv_victim"}}}, true
		}
	case alertdb.FamilyHost:
		switch name {
		case "role":
			return matchField{roles: map[string][]string{"attacker": {"is_attacker"}, "victim": {"is_victim"}}}, true
		case "role_cli_srv":
			return matchField{roles: map[string][]string{"client": {"is_client"}, "server": {"is_server"}}}, true
		}
	case alertdb.FamilyNetwork:
		if name == "network_name" {
			return matchField{get: columnsGetter("name")}, true
		}
	}
	for _, c := range fam.Columns() {
		if c == name {
			return matchField{get: columnsGetter(c)}, true
		}
	}
	return matchField{}, false
}

// compileMatcher builds the predicate of the field filters of f for family
// fam; protoID resolves L7 protocol names (may be nil).
func compileMatcher(fam alertdb.Family, fields []alertdb.FieldFilter, protoID func(string) (int, bool)) (recordMatcher, error) {
	type compiled struct {
		mf   matchField
		ors  []alertdb.FilterItem
		ands []alertdb.FilterItem
	}
	var all []compiled
	for _, ff := range fields {
		mf, ok := fieldOf(fam, ff.Field)
		if !ok {
			return nil, fmt.Errorf("%w: %w %q for %s alerts", alertdb.ErrInvalidFilter, alertdb.ErrUnknownField, ff.Field, fam)
		}
		c := compiled{mf: mf}
		for _, it := range ff.Items {
			if it.Op == alertdb.OpNeq || mf.andAll {
				c.ands = append(c.ands, it)
			} else {
				c.ors = append(c.ors, it)
			}
		}
		all = append(all, c)
	}
	return func(r *alertdb.Record) bool {
		for _, c := range all {
			if len(c.ors) > 0 {
				hit := false
				for _, it := range c.ors {
					if itemMatches(c.mf, r, it, protoID) {
						hit = true
						break
					}
				}
				if !hit {
					return false
				}
			}
			for _, it := range c.ands {
				if !itemMatches(c.mf, r, it, protoID) {
					return false
				}
			}
		}
		return true
	}, nil
}

// itemMatches evaluates one `value;op` item: a positive operator matches
// when any column does, a negative one (neq, nin) when every column does.
func itemMatches(mf matchField, r *alertdb.Record, it alertdb.FilterItem, protoID func(string) (int, bool)) bool {
	negative := it.Op == alertdb.OpNeq || it.Op == alertdb.OpNin
	if mf.roles != nil {
		set := false
		for _, c := range mf.roles[it.Value] {
			if truthy(r.Fields[c]) {
				set = true
			}
		}
		return set != negative
	}
	vals := mf.get(r)
	for _, v := range vals {
		m := valueMatches(mf, v, it, protoID)
		if !negative && m {
			return true
		}
		if negative && !m {
			return false
		}
	}
	return negative
}

func valueMatches(mf matchField, v any, it alertdb.FilterItem, protoID func(string) (int, bool)) bool {
	want := strings.TrimSpace(it.Value)
	switch x := v.(type) {
	case bool:
		b := want == "1" || strings.EqualFold(want, "true")
		if it.Op == alertdb.OpNeq || it.Op == alertdb.OpNin {
			return x != b
		}
		return x == b
	case int64:
		if mf.bit {
			bit, err := strconv.ParseUint(want, 10, 8)
			set := err == nil && bit < 64 && uint64(x)&(1<<bit) != 0
			if it.Op == alertdb.OpNeq || it.Op == alertdb.OpNin {
				return !set
			}
			return set
		}
		n, err := strconv.ParseInt(want, 10, 64)
		if err != nil {
			id, ok := 0, false
			if mf.proto && protoID != nil {
				id, ok = protoID(want)
			}
			if !ok {
				return false
			}
			n = int64(id)
		}
		return compareNumbers(float64(x), float64(n), it.Op)
	case float64:
		f, err := strconv.ParseFloat(want, 64)
		return err == nil && compareNumbers(x, f, it.Op)
	case string:
		switch it.Op {
		case alertdb.OpIn:
			return strings.Contains(strings.ToLower(x), strings.ToLower(it.Value))
		case alertdb.OpNin:
			return !strings.Contains(strings.ToLower(x), strings.ToLower(it.Value))
		case alertdb.OpEq:
			return sameText(x, it.Value)
		case alertdb.OpNeq:
			return !sameText(x, it.Value)
		}
	}
	return false
}

// sameText compares texts, IP addresses in canonical form.
func sameText(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(strings.TrimSpace(b))
	return err1 == nil && err2 == nil && x == y
}

func compareNumbers(a, b float64, op alertdb.Op) bool {
	switch op {
	case alertdb.OpEq, alertdb.OpIn:
		return a == b
	case alertdb.OpNeq, alertdb.OpNin:
		return a != b
	case alertdb.OpLt:
		return a < b
	case alertdb.OpGt:
		return a > b
	case alertdb.OpGte:
		return a >= b
	case alertdb.OpLte:
		return a <= b
	}
	return false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	}
	return false
}

// sortValue reads the sort column name of a record (numbers as float64).
func sortValue(fam alertdb.Family, r *alertdb.Record, name string) (any, bool) {
	if get, ok := commonFields[name]; ok {
		return numeric(get(r)), true
	}
	switch {
	case fam == alertdb.FamilyFlow && name == "l4proto":
		name = "proto"
	case fam == alertdb.FamilyFlow && name == "l7proto":
		name = "l7_proto"
	case fam == alertdb.FamilyNetwork && name == "network_name":
		name = "name"
	}
	for _, c := range fam.Columns() {
		if c == name {
			return numeric(r.Fields[c]), true
		}
	}
	return nil, false
}

func numeric(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case bool:
		if x {
			return float64(1)
		}
		return float64(0)
	}
	return v
}

func lessValue(a, b any) bool {
	if x, ok := a.(float64); ok {
		y, _ := b.(float64)
		return x < y
	}
	x, _ := a.(string)
	y, _ := b.(string)
	return x < y
}

// sortRecords orders records by column name (default: tstamp, newest
// first), ties broken by tstamp then rowid so that pages never overlap.
func sortRecords(fam alertdb.Family, recs []alertdb.Record, name, order string) error {
	desc := strings.EqualFold(order, "desc")
	switch strings.ToLower(order) {
	case "", "asc", "desc":
	default:
		return fmt.Errorf("%w: order %q must be asc or desc", alertdb.ErrInvalidFilter, order)
	}
	if name == "" {
		name, desc = "tstamp", order == "" || desc
	}
	if _, ok := sortValue(fam, &alertdb.Record{}, name); !ok {
		return fmt.Errorf("%w: cannot sort %s alerts by %q", alertdb.ErrInvalidFilter, fam, name)
	}
	sort.SliceStable(recs, func(i, j int) bool {
		a, _ := sortValue(fam, &recs[i], name)
		b, _ := sortValue(fam, &recs[j], name)
		if lessValue(a, b) != lessValue(b, a) {
			return lessValue(a, b) != desc
		}
		if recs[i].Tstamp != recs[j].Tstamp {
			return (recs[i].Tstamp < recs[j].Tstamp) != desc
		}
		return (recs[i].RowID < recs[j].RowID) != desc
	})
	return nil
}
