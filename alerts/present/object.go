// Package present shapes stored alerts (alertdb.Record) into the records
// of ntopng's REST alert endpoints (spec rest-alerts-checks.md §2–§3):
// labels, colours, HTML snippets, CSV text. It is pure: everything it
// needs beyond a record comes in Options, so it is tested without a
// database, an interface or a Lua VM.
package present

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
)

// Member is one member of an Object.
type Member struct {
	Key   string
	Value any
}

// Object is a JSON object whose members keep the order they were set in.
// JSON consumers ignore member order, but the text (CSV) mode exports
// columns in this order. Values are string, int, int64, float64, bool,
// Object or []any; a nil value is never stored (the member is absent, as
// a nil Lua field is).
type Object []Member

// Set sets member k to v (replacing an existing one); a nil v removes it.
func (o *Object) Set(k string, v any) {
	for i := range *o {
		if (*o)[i].Key == k {
			if v == nil {
				*o = append((*o)[:i], (*o)[i+1:]...)
			} else {
				(*o)[i].Value = v
			}
			return
		}
	}
	if v != nil {
		*o = append(*o, Member{k, v})
	}
}

// Get returns the value of member k.
func (o Object) Get(k string) (any, bool) {
	for _, m := range o {
		if m.Key == k {
			return m.Value, true
		}
	}
	return nil, false
}

// MarshalJSON encodes the object with encoding/json, members in order.
// (The REST answers go through the Lua JSON encoder instead; this serves
// Go callers and tests.)
func (o Object) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			buf = append(buf, ',')
		}
		k, err := json.Marshal(m.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, k...), ':'), v...)
	}
	return append(buf, '}'), nil
}

// csvSkipped are record members that have no place in a CSV line: links
// for the GUI and the filter helpers.
var csvSkipped = map[string]bool{"msg": true, "filter": true, "active_url": true, "link_to_past_flows": true}

// CSV renders records in ntopng's text mode: '|'-separated, a header line
// with the exported field names, then one line per record. An object
// member exports its "value" (else its "descr", else its "label");
// objects without any of them (flow, mitre_data) export their members as
// columns of their own. The header is the union of the records' columns
// in order of first appearance, so records missing an optional member
// (cli_role, …) keep the columns aligned. The text has no trailing
// newline.
func CSV(records []Object) []byte {
	var cols []string
	seen := map[string]bool{}
	rows := make([]map[string]string, len(records))
	for i, r := range records {
		row := map[string]string{}
		flatten(r, row, func(k string) {
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		})
		rows[i] = row
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = '|'
	_ = w.Write(cols) // a bytes.Buffer never fails
	line := make([]string, len(cols))
	for _, row := range rows {
		for i, c := range cols {
			line[i] = row[c]
		}
		_ = w.Write(line)
	}
	w.Flush()
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func flatten(o Object, row map[string]string, col func(string)) {
	for _, m := range o {
		if csvSkipped[m.Key] {
			continue
		}
		if sub, ok := m.Value.(Object); ok {
			v, found := exportedValue(sub)
			if !found {
				flatten(sub, row, col)
				continue
			}
			col(m.Key)
			row[m.Key] = v
			continue
		}
		col(m.Key)
		row[m.Key] = scalarText(m.Value)
	}
}

func exportedValue(o Object) (string, bool) {
	for _, k := range []string{"value", "descr", "label"} {
		if v, ok := o.Get(k); ok {
			return scalarText(v), true
		}
	}
	return "", false
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', 14, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}
