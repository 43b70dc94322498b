package alertdb

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrInvalidFilter is wrapped by every error about a filter, a sort or
// paging parameter (the REST layer answers INVALID_ARGUMENTS).
var ErrInvalidFilter = errors.New("invalid alert filter")

// ErrUnknownField is wrapped (together with ErrInvalidFilter) when a
// filter names a field the family does not have.
var ErrUnknownField = errors.New("unknown filter field")

// Op is a filter-list operator (spec rest-alerts-checks.md §3.1).
type Op string

// The filter-list operators. On numeric fields in/nin are eq/neq; on
// text and IP fields they mean "contains" / "does not contain".
const (
	OpEq  Op = "eq"
	OpNeq Op = "neq"
	OpLt  Op = "lt"
	OpGt  Op = "gt"
	OpGte Op = "gte"
	OpLte Op = "lte"
	OpIn  Op = "in"
	OpNin Op = "nin"
)

// negative reports whether op is satisfied only when every column of a
// multi-column field satisfies it.
func (op Op) negative() bool { return op == OpNeq || op == OpNin }

var sqlOps = map[Op]string{
	OpEq: "=", OpNeq: "!=", OpLt: "<", OpGt: ">", OpGte: ">=", OpLte: "<=", OpIn: "=", OpNin: "!=",
}

// FilterItem is one `value;op` item of a filter list.
type FilterItem struct {
	Value string
	Op    Op
}

// FieldFilter is the parsed filter list of one field.
type FieldFilter struct {
	Field string
	Items []FilterItem
}

// MaxFilterItems bounds the items of one filter list.
const MaxFilterItems = 256

var fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ParseFilterList parses the filter list text of field: comma separated
// items, each `value` or `value;op` (op after the last ';', default eq).
// Empty items are skipped, so an empty text yields no condition. The
// field name and the values are checked against a family when the
// filter is used (Query, Count, ...).
func ParseFilterList(field, text string) (FieldFilter, error) {
	if !fieldNameRE.MatchString(field) {
		return FieldFilter{}, fmt.Errorf("%w: bad field name %q", ErrInvalidFilter, field)
	}
	ff := FieldFilter{Field: field}
	for item := range strings.SplitSeq(text, ",") {
		if item == "" {
			continue
		}
		value, op := item, OpEq
		if i := strings.LastIndexByte(item, ';'); i >= 0 {
			value, op = item[:i], Op(item[i+1:])
			if _, ok := sqlOps[op]; !ok {
				return FieldFilter{}, fmt.Errorf("%w: %s: unknown operator %q in %q (eq, neq, lt, gt, gte, lte, in, nin)",
					ErrInvalidFilter, field, string(op), item)
			}
		}
		if len(ff.Items) == MaxFilterItems {
			return FieldFilter{}, fmt.Errorf("%w: %s: more than %d items", ErrInvalidFilter, field, MaxFilterItems)
		}
		ff.Items = append(ff.Items, FilterItem{Value: value, Op: op})
	}
	return ff, nil
}

// Filter selects stored alerts of one family.
type Filter struct {
	// IfID is the interface (nil: every interface; -1 is the system
	// interface, stored as 65535). Ignored by system-scoped families.
	IfID *int
	// Status: StatusHistorical (the zero value), StatusAcknowledged or
	// StatusAny. StatusEngaged is refused with ErrEngaged.
	Status Status
	// EpochBegin, EpochEnd: `tstamp BETWEEN begin AND end`, applied only
	// when both are non-zero (spec §3.1: both needed).
	EpochBegin, EpochEnd int64
	// Fields are AND-ed.
	Fields []FieldFilter

	// Start (OFFSET) and Length (LIMIT, 0: no limit) page the result of
	// Query; Sort is a column name (ORDER BY), Order "asc" (default) or
	// "desc". Default order: rowid ascending (storage order). Ignored by
	// Count, CountBy, Series, Acknowledge and Delete.
	Start, Length int
	Sort, Order   string
}

// IfID returns a pointer to id, for Filter.IfID.
func IfID(id int) *int { return &id }

// Add parses the filter list text of field (ParseFilterList) and adds it.
func (f *Filter) Add(field, text string) error {
	ff, err := ParseFilterList(field, text)
	if err != nil {
		return err
	}
	f.Fields = append(f.Fields, ff)
	return nil
}

// ProtoResolver maps an L7 protocol name to its id (for the l7proto
// filter, which accepts both).
type ProtoResolver func(name string) (id int, ok bool)

// sqlWhere is the compiled WHERE clause of a filter: SQL text made only
// of whitelisted identifiers, operators and '?' placeholders, and the
// matching arguments.
type sqlWhere struct {
	conds []string
	args  []any
}

func (w *sqlWhere) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *sqlWhere) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// where compiles f for family fi. The time filter is taken from f unless
// timeRange is set (Series).
func (fi *familyInfo) where(f *Filter, resolve ProtoResolver, timeRange *[2]int64) (*sqlWhere, error) {
	w := &sqlWhere{}
	if f.IfID != nil && !fi.system {
		id := *f.IfID
		if id == -1 {
			id = SystemInterfaceID
		}
		if id < 0 || id > SystemInterfaceID {
			return nil, fmt.Errorf("%w: bad interface id %d", ErrInvalidFilter, *f.IfID)
		}
		w.add(`"interface_id" = ?`, id)
	}
	switch f.Status {
	case StatusHistorical, StatusAcknowledged:
		w.add(`"alert_status" = ?`, int(f.Status))
	case StatusAny:
		// Matches every row, but keeps the status column of the
		// (interface_id, alert_status, tstamp) index in use.
		w.add(`"alert_status" IN (0, 1)`)
	case StatusEngaged:
		return nil, ErrEngaged
	default:
		return nil, fmt.Errorf("%w: bad status %d", ErrInvalidFilter, int(f.Status))
	}
	switch {
	case timeRange != nil:
		w.add(`"tstamp" BETWEEN ? AND ?`, timeRange[0], timeRange[1])
	case f.EpochBegin != 0 && f.EpochEnd != 0:
		w.add(`"tstamp" BETWEEN ? AND ?`, f.EpochBegin, f.EpochEnd)
	}
	for _, ff := range f.Fields {
		if err := fi.fieldCond(w, ff, resolve); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// fieldCond adds the condition of one field: its items are OR-ed, except
// neq items and every item of an andAll field (score), which are AND-ed.
func (fi *familyInfo) fieldCond(w *sqlWhere, ff FieldFilter, resolve ProtoResolver) error {
	spec, ok := fi.filters[ff.Field]
	if !ok {
		return fmt.Errorf("%w: %w %q for %s alerts (fields: %s)", ErrInvalidFilter, ErrUnknownField,
			ff.Field, fi.family, strings.Join(fi.filterNames(), ", "))
	}
	var ors, ands []string
	var orArgs, andArgs []any
	for _, it := range ff.Items {
		cond, args, err := spec.itemCond(ff.Field, it, resolve)
		if err != nil {
			return err
		}
		if it.Op == OpNeq || spec.andAll {
			ands = append(ands, cond)
			andArgs = append(andArgs, args...)
		} else {
			ors = append(ors, cond)
			orArgs = append(orArgs, args...)
		}
	}
	var parts []string
	if len(ors) > 0 {
		parts = append(parts, "("+strings.Join(ors, " OR ")+")")
	}
	parts = append(parts, ands...)
	if len(parts) > 0 {
		w.add("("+strings.Join(parts, " AND ")+")", append(orArgs, andArgs...)...)
	}
	return nil
}

func (fi *familyInfo) filterNames() []string {
	names := make([]string, 0, len(fi.filters))
	for n := range fi.filters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// itemCond compiles one item into a parenthesised condition.
func (spec filterField) itemCond(field string, it FilterItem, resolve ProtoResolver) (string, []any, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidFilter, field, fmt.Sprintf(format, a...))
	}
	onlyEq := func() error {
		switch it.Op {
		case OpEq, OpNeq, OpIn, OpNin:
			return nil
		}
		return bad("operator %s is not supported (eq, neq, in, nin)", it.Op)
	}
	cols := spec.cols
	var expr string // "%s" is replaced by each column
	var arg any
	switch spec.kind {
	case kindRole:
		if err := onlyEq(); err != nil {
			return "", nil, err
		}
		rc, ok := spec.roles[it.Value]
		if !ok {
			roles := make([]string, 0, len(spec.roles))
			for r := range spec.roles {
				roles = append(roles, r)
			}
			sort.Strings(roles)
			return "", nil, bad("unknown value %q (%s)", it.Value, strings.Join(roles, ", "))
		}
		cols = rc
		expr = "%s = 1"
		if it.Op.negative() {
			expr = "%s = 0"
		}
	case kindBit:
		if err := onlyEq(); err != nil {
			return "", nil, err
		}
		bit, err := strconv.ParseUint(strings.TrimSpace(it.Value), 10, 8)
		if err != nil || bit > 63 {
			return "", nil, bad("%q is not a bit number (0 to 63)", it.Value)
		}
		arg = int64(uint64(1) << bit)
		expr = "(%s & ?) != 0"
		if it.Op.negative() {
			expr = "(%s & ?) = 0"
		}
	case kindBool:
		if err := onlyEq(); err != nil {
			return "", nil, err
		}
		switch strings.ToLower(strings.TrimSpace(it.Value)) {
		case "1", "true":
			arg = 1
		case "0", "false":
			arg = 0
		default:
			return "", nil, bad("%q is not a boolean (true, false, 1, 0)", it.Value)
		}
		expr = "%s " + sqlOps[it.Op] + " ?"
	case kindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(it.Value), 10, 64)
		if err != nil {
			id, ok := 0, false
			if spec.resolve && resolve != nil && it.Value != "" {
				id, ok = resolve(it.Value)
			}
			if !ok {
				return "", nil, bad("%q is not a number", it.Value)
			}
			n = int64(id)
		}
		arg = n
		expr = "%s " + sqlOps[it.Op] + " ?"
	case kindReal:
		x, err := strconv.ParseFloat(strings.TrimSpace(it.Value), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return "", nil, bad("%q is not a number", it.Value)
		}
		arg = x
		expr = "%s " + sqlOps[it.Op] + " ?"
	case kindText, kindIP:
		if err := onlyEq(); err != nil {
			return "", nil, err
		}
		switch it.Op {
		case OpIn, OpNin:
			arg = "%" + escapeLike(it.Value) + "%"
			expr = `%s LIKE ? ESCAPE '\'`
			if it.Op == OpNin {
				expr = `%s NOT LIKE ? ESCAPE '\'`
			}
		default:
			arg = it.Value
			if spec.kind == kindIP && it.Value != "" {
				addr, err := netip.ParseAddr(strings.TrimSpace(it.Value))
				if err != nil {
					return "", nil, bad("%q is not an IP address", it.Value)
				}
				arg = addr.String()
			}
			expr = "%s " + sqlOps[it.Op] + " ?"
		}
	default:
		return "", nil, bad("unsupported field kind")
	}
	parts := make([]string, len(cols))
	var args []any
	for i, c := range cols {
		parts[i] = fmt.Sprintf(expr, quote(c))
		if arg != nil {
			args = append(args, arg)
		}
	}
	join := " OR "
	if it.Op.negative() {
		join = " AND "
	}
	return "(" + strings.Join(parts, join) + ")", args, nil
}

// escapeLike escapes the LIKE wildcards of s (escape character '\').
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// orderBy compiles the sort and paging of f.
func (fi *familyInfo) orderBy(f *Filter) (string, []any, error) {
	dir := "ASC"
	switch strings.ToLower(f.Order) {
	case "", "asc":
	case "desc":
		dir = "DESC"
	default:
		return "", nil, fmt.Errorf("%w: order %q must be asc or desc", ErrInvalidFilter, f.Order)
	}
	s := " ORDER BY rowid " + dir
	if f.Sort != "" {
		expr, ok := fi.sorts[f.Sort]
		if !ok {
			names := make([]string, 0, len(fi.sorts))
			for n := range fi.sorts {
				names = append(names, n)
			}
			sort.Strings(names)
			return "", nil, fmt.Errorf("%w: cannot sort %s alerts by %q (columns: %s)", ErrInvalidFilter,
				fi.family, f.Sort, strings.Join(names, ", "))
		}
		if expr != "rowid" {
			// rowid breaks ties, so that pages never overlap.
			s = " ORDER BY " + expr + " " + dir + ", rowid " + dir
		}
	}
	if f.Start < 0 || f.Length < 0 {
		return "", nil, fmt.Errorf("%w: start %d and length %d must not be negative", ErrInvalidFilter, f.Start, f.Length)
	}
	limit := int64(-1)
	if f.Length > 0 {
		limit = int64(f.Length)
	}
	return s + " LIMIT ? OFFSET ?", []any{limit, f.Start}, nil
}
