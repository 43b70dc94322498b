package alertdb

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"sort"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/db"
)

// ErrInvalid is wrapped by every error about an alert that cannot be
// stored (Insert) or a label that cannot be written (Acknowledge).
var ErrInvalid = errors.New("invalid alert")

// Alert is one historical alert, as written by Insert.
//
// The family-specific columns travel in Fields, keyed by column name
// (Family.Columns), rather than in one typed struct per family: a single
// column catalog (family.go) then drives validation, the INSERT, the
// scan of query results, the filter whitelist and the sort whitelist for
// all nine families, and the REST layer, which shapes records column by
// column, reads them generically. Nine structs would need nine copies of
// that code (or reflection) and would drift from the schema. Type safety
// is kept at the boundary: an unknown key or a value of the wrong type is
// refused by Insert with a clear error.
type Alert struct {
	AlertID     int    `json:"alert_id" validate:"min=0,max=65535"`
	Category    int    `json:"alert_category" validate:"min=0,max=255"`
	InterfaceID int    `json:"interface_id" validate:"min=0,max=65535"`   // -1 (system interface) is stored as 65535
	Tstamp      int64  `json:"tstamp" validate:"min=0"`                   // epoch seconds (engage time)
	TstampEnd   int64  `json:"tstamp_end" validate:"gtefield=Tstamp"`     // release time; 0 → Tstamp
	Severity    int    `json:"severity" validate:"oneof=0 1 2 3 4 5 6 8"` // 0 → derived from Score
	Score       int    `json:"score" validate:"min=0,max=65535"`
	Counter     int    `json:"counter" validate:"min=1"`                 // occurrences; 0 → 1
	JSON        string `json:"json" validate:"json,max=1048576"`         // type-specific parameters; "" → "{}"
	Description string `json:"description" validate:"max=65536"`         // not for flow alerts
	Granularity int    `json:"granularity" validate:"min=0"`             // seconds; not for flow alerts
	UserLabel   string `json:"user_label" validate:"max=1024,nocontrol"` // acknowledgement label

	// Fields holds the family-specific columns (Family.Columns); a
	// missing column is stored as 0 or "". Values: int types, bool for
	// the is_*/ *_blacklisted flags (ints 0/1 too), float64 for REAL
	// columns, string for TEXT columns, string or netip.Addr for IP
	// columns (stored canonical). Records returned by Query hold every
	// column as int64, bool, float64 or string.
	Fields map[string]any `json:"fields,omitempty"`
}

// Status is the stored alert status (appendix-alert-consts.md §5) or, in
// a Filter, the pseudo status StatusAny.
type Status int

// Alert statuses.
const (
	StatusHistorical   Status = 0 // stored, not acknowledged (the default filter)
	StatusAcknowledged Status = 1
	StatusEngaged      Status = 2 // in memory only; never stored, refused by the store
	StatusAny          Status = 3 // filter only: historical or acknowledged
)

// ErrEngaged is returned for a Filter asking for engaged alerts, which
// live in memory and never in the store.
var ErrEngaged = errors.New("alertdb: engaged alerts are not stored")

// ParseStatus parses the REST status parameter: "" and "historical" →
// StatusHistorical, "acknowledged", "any", "engaged".
func ParseStatus(s string) (Status, error) {
	switch s {
	case "", "historical":
		return StatusHistorical, nil
	case "acknowledged":
		return StatusAcknowledged, nil
	case "any":
		return StatusAny, nil
	case "engaged":
		return StatusEngaged, nil
	}
	return 0, fmt.Errorf("%w: unknown status %q (historical, acknowledged, any, engaged)", ErrInvalidFilter, s)
}

// String returns the REST name of the status.
func (s Status) String() string {
	switch s {
	case StatusHistorical:
		return "historical"
	case StatusAcknowledged:
		return "acknowledged"
	case StatusEngaged:
		return "engaged"
	case StatusAny:
		return "any"
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// Record is a stored alert as read back by Query.
type Record struct {
	RowID           int64
	Status          Status // StatusHistorical or StatusAcknowledged
	UserLabelTstamp int64  // epoch of the acknowledgement, 0 if none
	Alert
}

var validate = db.NewValidator()

// describe turns a validator error into one clear message.
func describe(err error, field string) string {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return err.Error()
	}
	msgs := make([]string, 0, len(ves))
	for _, fe := range ves {
		name := fe.Field()
		if name == "" {
			name = field
		}
		value := fmt.Sprint(fe.Value())
		if len(value) > 64 {
			value = value[:64] + "…"
		}
		var m string
		switch fe.Tag() {
		case "min":
			m = fmt.Sprintf("%s %s must be at least %s", name, value, fe.Param())
		case "max":
			if fe.Kind() == reflect.String {
				m = fmt.Sprintf("%s must be at most %s bytes long", name, fe.Param())
			} else {
				m = fmt.Sprintf("%s %s must be at most %s", name, value, fe.Param())
			}
		case "oneof":
			m = fmt.Sprintf("%s %s must be one of %s", name, value, strings.ReplaceAll(fe.Param(), " ", ", "))
		case "gtefield":
			m = fmt.Sprintf("%s %s must not be before %s", name, value, strings.ToLower(fe.Param()))
		case "json":
			m = fmt.Sprintf("%s must be valid JSON text", name)
		case "nocontrol":
			m = fmt.Sprintf("%s must not contain control characters", name)
		case "mac":
			m = fmt.Sprintf("%s %q must be a MAC address", name, value)
		case "hexadecimal":
			m = fmt.Sprintf("%s %q must be hexadecimal", name, value)
		default:
			m = fmt.Sprintf("%s %q fails the %q rule", name, value, fe.Tag())
		}
		msgs = append(msgs, m)
	}
	return strings.Join(msgs, "; ")
}

// prepare normalises a copy of a, validates it and returns the values of
// fi.insertColumns(), in order.
func (fi *familyInfo) prepare(a Alert) ([]any, error) {
	if fi.system || a.InterfaceID == -1 {
		a.InterfaceID = SystemInterfaceID
	}
	if a.TstampEnd == 0 {
		a.TstampEnd = a.Tstamp
	}
	if a.Severity == 0 {
		a.Severity = int(alerts.ScoreToSeverity(a.Score))
	}
	if a.Counter == 0 {
		a.Counter = 1
	}
	if a.JSON == "" {
		a.JSON = "{}"
	}
	if !fi.hasDescr && (a.Description != "" || a.Granularity != 0) {
		return nil, fmt.Errorf("%w: %s alerts have no description nor granularity", ErrInvalid, fi.family)
	}
	if err := validate.Struct(a); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, describe(err, ""))
	}
	args := make([]any, 0, 12+len(fi.cols))
	args = append(args, a.AlertID, a.Category, a.InterfaceID, a.Tstamp, a.TstampEnd,
		a.Severity, a.Score, a.Counter, a.JSON, a.UserLabel)
	if fi.hasDescr {
		args = append(args, a.Granularity, a.Description)
	}
	used := 0
	for _, c := range fi.cols {
		v, ok := a.Fields[c.name]
		if ok {
			used++
		}
		val, err := columnValue(c, v, ok)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrInvalid, err)
		}
		args = append(args, val)
	}
	if used != len(a.Fields) {
		var unknown []string
		for k := range a.Fields {
			if !fi.hasColumn(k) {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		return nil, fmt.Errorf("%w: %s alerts have no field %s (fields: %s)", ErrInvalid, fi.family,
			strings.Join(unknown, ", "), strings.Join(fi.family.Columns(), ", "))
	}
	return args, nil
}

func (fi *familyInfo) hasColumn(name string) bool {
	for _, c := range fi.cols {
		if c.name == name {
			return true
		}
	}
	return false
}

// columnValue converts and validates the value v (present: ok) of
// column c into what is written to the database.
func columnValue(c column, v any, ok bool) (any, error) {
	switch c.kind {
	case kindInt, kindBool:
		if !ok {
			return int64(0), nil
		}
		n, isInt := toInt64(v)
		if u, isU := v.(uint64); isU && c.rule == ruleBits {
			return int64(u), nil
		}
		if c.kind == kindBool {
			if b, isBool := v.(bool); isBool {
				n, isInt = 0, true
				if b {
					n = 1
				}
			}
			if !isInt || (n != 0 && n != 1) {
				return nil, fmt.Errorf("%s must be a bool (or 0/1), not %T %v", c.name, v, v)
			}
			return n, nil
		}
		if !isInt {
			return nil, fmt.Errorf("%s must be an integer, not %T", c.name, v)
		}
		if c.rule != "" && c.rule != ruleBits {
			if err := validate.Var(n, c.rule); err != nil {
				return nil, errors.New(describe(err, c.name))
			}
		}
		return n, nil
	case kindReal:
		if !ok {
			return float64(0), nil
		}
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		default:
			n, isInt := toInt64(v)
			if !isInt {
				return nil, fmt.Errorf("%s must be a number, not %T", c.name, v)
			}
			f = float64(n)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%s must be a finite number", c.name)
		}
		return f, nil
	case kindText:
		if !ok {
			return "", nil
		}
		s, isStr := v.(string)
		if !isStr {
			return nil, fmt.Errorf("%s must be a string, not %T", c.name, v)
		}
		if c.rule != "" {
			if err := validate.Var(s, c.rule); err != nil {
				return nil, errors.New(describe(err, c.name))
			}
		}
		return s, nil
	case kindIP:
		if !ok {
			return "", nil
		}
		switch x := v.(type) {
		case netip.Addr:
			if !x.IsValid() {
				return "", nil
			}
			return x.String(), nil
		case string:
			if x == "" {
				return "", nil
			}
			addr, err := netip.ParseAddr(x)
			if err != nil {
				return nil, fmt.Errorf("%s %q must be an IP address", c.name, x)
			}
			return addr.String(), nil
		}
		return nil, fmt.Errorf("%s must be an IP address string or netip.Addr, not %T", c.name, v)
	}
	return nil, fmt.Errorf("%s: unsupported column kind", c.name)
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint:
		return int64(x), uint64(x) <= math.MaxInt64
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), x <= math.MaxInt64
	}
	return 0, false
}
