package alertdb

import (
	"fmt"
	"strings"

	"github.com/ntopng-go/ntopng/alerts"
)

// Family is an alert entity family; each one has its own table
// (spec rest-alerts-checks.md §1.2, appendix-alert-consts.md §3).
type Family string

// The stored families. The value is the REST family path element.
const (
	FamilyFlow      Family = "flow"
	FamilyHost      Family = "host"
	FamilyMAC       Family = "mac"
	FamilySNMP      Family = "snmp"
	FamilyNetwork   Family = "network"
	FamilyInterface Family = "interface"
	FamilyUser      Family = "user"
	FamilySystem    Family = "system"
	FamilyAMHost    Family = "am_host"
)

// Families lists every stored family, in entity id order of the appendix.
var Families = []Family{
	FamilyInterface, FamilyHost, FamilyNetwork, FamilySNMP, FamilyFlow,
	FamilyMAC, FamilyUser, FamilyAMHost, FamilySystem,
}

// SystemInterfaceID is the interface_id stored for the system interface
// (REST ifid -1). The user, system and am_host families always use it.
const SystemInterfaceID = 65535

// ParseFamily returns the family named s.
func ParseFamily(s string) (Family, error) {
	f := Family(s)
	if _, ok := families[f]; !ok {
		return "", fmt.Errorf("alertdb: unknown alert family %q", s)
	}
	return f, nil
}

// Table returns the name of the family's table ("" for an unknown family).
func (f Family) Table() string {
	if fi, ok := families[f]; ok {
		return fi.table
	}
	return ""
}

// SystemScoped reports whether the family always lives on the system
// interface (user, system, am_host): Filter.IfID is ignored for it and
// Alert.InterfaceID is stored as SystemInterfaceID.
func (f Family) SystemScoped() bool {
	fi, ok := families[f]
	return ok && fi.system
}

// HasDescription reports whether the family has the granularity and
// description columns (every family but flow).
func (f Family) HasDescription() bool {
	fi, ok := families[f]
	return ok && fi.hasDescr
}

// Columns returns the names of the family-specific columns, in table
// order: the keys Alert.Fields may hold.
func (f Family) Columns() []string {
	fi, ok := families[f]
	if !ok {
		return nil
	}
	names := make([]string, len(fi.cols))
	for i, c := range fi.cols {
		names[i] = c.name
	}
	return names
}

// kind is the type of a family column or of a filter field.
type kind uint8

const (
	kindInt  kind = iota // INTEGER, int64 in Go
	kindBool             // INTEGER 0/1, bool in Go
	kindReal             // REAL, float64
	kindText             // TEXT, string
	kindIP               // TEXT holding a canonical IP address (or "")
	kindBit              // filter only: bit number in an INTEGER bitmap
	kindRole             // filter only: named role → flag columns
)

// column is a family-specific column. rule is the validator/v10 tag its
// value must satisfy (on int64, float64 or string).
type column struct {
	name string
	kind kind
	rule string
}

// Validation rules shared by several columns.
const (
	ruleU8    = "min=0,max=255"
	ruleU16   = "min=0,max=65535"
	ruleU32   = "min=0,max=4294967295"
	ruleU64   = "min=0"
	ruleVLAN  = "min=0,max=4095"
	ruleIPVer = "oneof=0 4 6"
	ruleName  = "max=255"
	ruleCC    = "max=8"
	ruleInfo  = "max=4096"
	ruleLoc   = "min=0,max=2"
	ruleBits  = "bits64" // any int64, or a uint64 stored bit for bit
)

// The family-specific columns, in the order of the CREATE TABLE of
// migration 5 (a test checks the two agree).
var (
	flowColumns = []column{
		{"ip_version", kindInt, ruleIPVer},
		{"cli_ip", kindIP, ""},
		{"srv_ip", kindIP, ""},
		{"cli_port", kindInt, ruleU16},
		{"srv_port", kindInt, ruleU16},
		{"vlan_id", kindInt, ruleVLAN},
		{"is_cli_attacker", kindBool, ""},
		{"is_cli_victim", kindBool, ""},
		{"is_srv_attacker", kindBool, ""},
		{"is_srv_victim", kindBool, ""},
		{"proto", kindInt, ruleU8},
		{"l7_proto", kindInt, ruleU16},
		{"l7_master_proto", kindInt, ruleU16},
		{"l7_cat", kindInt, ruleU16},
		{"cli_name", kindText, ruleName},
		{"srv_name", kindText, ruleName},
		{"cli_country", kindText, ruleCC},
		{"srv_country", kindText, ruleCC},
		{"cli_blacklisted", kindBool, ""},
		{"srv_blacklisted", kindBool, ""},
		{"cli2srv_bytes", kindInt, ruleU64},
		{"srv2cli_bytes", kindInt, ruleU64},
		{"cli2srv_pkts", kindInt, ruleU64},
		{"srv2cli_pkts", kindInt, ruleU64},
		{"first_seen", kindInt, ruleU64},
		{"community_id", kindText, "max=128"},
		{"alerts_map", kindText, "omitempty,hexadecimal,max=1024"},
		{"flow_risk_bitmap", kindInt, ruleBits}, // 64 risk bits, stored as int64
		{"output_snmp", kindInt, ruleU32},
		{"input_snmp", kindInt, ruleU32},
		{"probe_ip", kindIP, ""},
		{"cli_location", kindInt, ruleLoc},
		{"srv_location", kindInt, ruleLoc},
		{"info", kindText, ruleInfo},
		{"cli_host_pool_id", kindInt, ruleU16},
		{"srv_host_pool_id", kindInt, ruleU16},
		{"cli_network", kindInt, ruleU16},
		{"srv_network", kindInt, ruleU16},
	}
	hostColumns = []column{
		{"ip_version", kindInt, ruleIPVer},
		{"ip", kindIP, ""},
		{"vlan_id", kindInt, ruleVLAN},
		{"name", kindText, ruleName},
		{"is_attacker", kindBool, ""},
		{"is_victim", kindBool, ""},
		{"is_client", kindBool, ""},
		{"is_server", kindBool, ""},
		{"host_pool_id", kindInt, ruleU16},
		{"network", kindInt, ruleU16},
		{"country", kindText, ruleCC},
	}
	macColumns = []column{
		{"address", kindText, "omitempty,mac"},
		{"device_type", kindInt, ruleU16},
		{"name", kindText, ruleName},
		{"is_attacker", kindBool, ""},
		{"is_victim", kindBool, ""},
	}
	snmpColumns = []column{
		{"ip", kindIP, ""},
		{"port", kindInt, ruleU32},
		{"name", kindText, ruleName},
		{"port_name", kindText, ruleName},
	}
	networkColumns = []column{
		{"local_network_id", kindInt, ruleU16},
		{"name", kindText, ruleName},
		{"alias", kindText, ruleName},
	}
	interfaceColumns = []column{
		{"ifid", kindInt, "min=-1,max=65535"},
		{"subtype", kindText, ruleName},
		{"name", kindText, ruleName},
		{"alias", kindText, ruleName},
	}
	userColumns   = []column{{"user", kindText, ruleName}}
	systemColumns = []column{{"name", kindText, ruleName}}
	amColumns     = []column{
		{"resolved_ip", kindIP, ""},
		{"resolved_name", kindText, ruleName},
		{"measurement", kindText, "max=64"},
		{"measure_threshold", kindReal, ""},
		{"measure_value", kindReal, ""},
	}
)

// filterField is a filterable name: one or more columns of the same
// kind. Positive operators match when any column matches, negative ones
// (neq, nin) when every column does.
type filterField struct {
	cols    []string
	kind    kind
	andAll  bool                // every item AND-ed (score)
	roles   map[string][]string // kindRole: value → flag columns
	resolve bool                // a non-numeric value is an L7 protocol name
}

// Columns common to every table, in table order, after rowid.
var commonColumns = []string{
	"alert_id", "alert_status", "alert_category", "interface_id", "tstamp",
	"tstamp_end", "severity", "score", "counter", "json", "user_label",
	"user_label_tstamp",
}

// familyInfo is everything the store knows about one family; built once
// by init from the column lists above. It is the whitelist of every
// column name that reaches SQL text.
type familyInfo struct {
	family   Family
	table    string
	system   bool // always on the system interface
	hasDescr bool // granularity and description columns
	cols     []column
	filters  map[string]filterField
	sorts    map[string]string // sort name → SQL expression

	insertSQL string // INSERT with every column but rowid and alert_status
	selectSQL string // "SELECT <every column> FROM <table>"
}

var families = map[Family]*familyInfo{}

func init() {
	// Table names come from the entity table of package alerts.
	add := func(f Family, e alerts.EntityID, system, hasDescr bool, cols []column) {
		ent, ok := alerts.EntityByID(e)
		if !ok || ent.Table == "" {
			panic(fmt.Sprintf("alertdb: entity %d has no alert table", e))
		}
		families[f] = newFamilyInfo(f, ent.Table, system, hasDescr, cols)
	}
	add(FamilyInterface, alerts.EntityInterface, false, true, interfaceColumns)
	add(FamilyHost, alerts.EntityHost, false, true, hostColumns)
	add(FamilyNetwork, alerts.EntityNetwork, false, true, networkColumns)
	add(FamilySNMP, alerts.EntitySNMPDevice, false, true, snmpColumns)
	add(FamilyFlow, alerts.EntityFlow, false, false, flowColumns)
	add(FamilyMAC, alerts.EntityMAC, false, true, macColumns)
	add(FamilyUser, alerts.EntityUser, true, true, userColumns)
	add(FamilyAMHost, alerts.EntityAMHost, true, true, amColumns)
	add(FamilySystem, alerts.EntitySystem, true, true, systemColumns)

	fl := families[FamilyFlow]
	fl.filters["ip"] = filterField{cols: []string{"cli_ip", "srv_ip"}, kind: kindIP}
	fl.filters["l4proto"] = fl.filters["proto"]
	fl.filters["l7proto"] = filterField{cols: []string{"l7_proto"}, kind: kindInt, resolve: true}
	fl.filters["l7_proto"] = fl.filters["l7proto"]
	fl.filters["flow_risk"] = filterField{cols: []string{"flow_risk_bitmap"}, kind: kindBit}
	fl.filters["snmp_interface"] = filterField{cols: []string{"input_snmp", "output_snmp"}, kind: kindInt}
	fl.filters["role"] = filterField{kind: kindRole, roles: map[string][]string{
		"attacker": {"is_cli_attacker", "is_srv_attacker"},
		"victim":   {"is_cli_victim", "is_srv_victim"},
	}}
	fl.sorts["l4proto"] = `"proto"`
	fl.sorts["l7proto"] = `"l7_proto"`

	h := families[FamilyHost]
	h.filters["role"] = filterField{kind: kindRole, roles: map[string][]string{
		"attacker": {"is_attacker"},
		"victim":   {"is_victim"},
	}}
	h.filters["role_cli_srv"] = filterField{kind: kindRole, roles: map[string][]string{
		"client": {"is_client"},
		"server": {"is_server"},
	}}

	n := families[FamilyNetwork]
	n.filters["network_name"] = n.filters["name"]
	n.sorts["network_name"] = `"name"`
}

func newFamilyInfo(f Family, table string, system, hasDescr bool, cols []column) *familyInfo {
	fi := &familyInfo{
		family: f, table: table, system: system, hasDescr: hasDescr,
		cols: cols, filters: map[string]filterField{}, sorts: map[string]string{},
	}
	// Common filters (spec §3.1).
	num := func(col string) filterField { return filterField{cols: []string{col}, kind: kindInt} }
	fi.filters["alert_id"] = num("alert_id")
	fi.filters["alert_type"] = num("alert_id")
	fi.filters["severity"] = num("severity")
	fi.filters["alert_severity"] = num("severity")
	fi.filters["score"] = filterField{cols: []string{"score"}, kind: kindInt, andAll: true}
	fi.filters["alert_category"] = num("alert_category")
	fi.filters["tstamp"] = num("tstamp")
	fi.filters["tstamp_end"] = num("tstamp_end")
	fi.filters["row_id"] = num("rowid")
	fi.filters["counter"] = num("counter")
	fi.filters["user_label"] = filterField{cols: []string{"user_label"}, kind: kindText}
	for _, c := range commonColumns {
		fi.sorts[c] = quote(c)
	}
	fi.sorts["row_id"] = "rowid"
	fi.sorts["rowid"] = "rowid"
	fi.sorts["duration"] = `("tstamp_end" - "tstamp")`
	fi.sorts["alert_type"] = `"alert_id"`
	if hasDescr {
		fi.filters["description"] = filterField{cols: []string{"description"}, kind: kindText}
		fi.filters["granularity"] = num("granularity")
		fi.sorts["granularity"] = `"granularity"`
		fi.sorts["description"] = `"description"`
	}
	for _, c := range cols {
		fi.filters[c.name] = filterField{cols: []string{c.name}, kind: c.kind}
		fi.sorts[c.name] = quote(c.name)
	}

	// INSERT: every column except rowid (assigned) and alert_status
	// (0: every new alert is historical), user_label_tstamp last set by
	// an acknowledgement.
	ins := fi.insertColumns()
	quoted := make([]string, len(ins))
	for i, c := range ins {
		quoted[i] = quote(c)
	}
	fi.insertSQL = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quote(table),
		strings.Join(quoted, ", "), strings.TrimSuffix(strings.Repeat("?, ", len(ins)), ", "))

	sel := append([]string{"rowid"}, commonColumns...)
	if hasDescr {
		sel = append(sel, "granularity", "description")
	}
	for _, c := range cols {
		sel = append(sel, c.name)
	}
	for i, c := range sel {
		sel[i] = quote(c)
	}
	fi.selectSQL = "SELECT " + strings.Join(sel, ", ") + " FROM " + quote(table)
	return fi
}

// insertColumns returns the columns written by Insert, in the order of
// the values built by prepare.
func (fi *familyInfo) insertColumns() []string {
	c := []string{"alert_id", "alert_category", "interface_id", "tstamp", "tstamp_end",
		"severity", "score", "counter", "json", "user_label"}
	if fi.hasDescr {
		c = append(c, "granularity", "description")
	}
	for _, col := range fi.cols {
		c = append(c, col.name)
	}
	return c
}

// quote quotes an identifier. Only names from the whitelists above are
// ever quoted: user input never becomes an identifier.
func quote(name string) string {
	return `"` + name + `"`
}

func lookup(f Family) (*familyInfo, error) {
	fi, ok := families[f]
	if !ok {
		return nil, fmt.Errorf("alertdb: unknown alert family %q", string(f))
	}
	return fi, nil
}
