// Package checks holds the built-in check definitions of
// rest-alerts-checks.md §4.7 and the checks configuration document of
// §4.2–4.6: get, set, enable/disable and reset, persisted in SQLite, and
// the "scripts" module of configuration documents.
//
// A check is identified by (subdir, script_key). Its definition (Def) says
// which hooks it runs on, whether it is enabled by default, its default
// script_conf, the alert type it raises and its category. The
// configuration document says, for each check and hook, whether it is
// enabled and with which script_conf; the engine reads it through
// Store.Enabled.
//
// Which checks this program lists: exactly the checks of the community
// reference of January 2024 (appendix-alert-consts.md §6.5), Listed in the
// table. That reference is consistent with the community alert type list
// this program reports (appendix §1, column community-2024-01). It
// includes the checks removed or renamed since (Edition Old) and
// syn_flood / syn_flood_victim (Pro-only since 2024). Not listed, and
// unknown to enable/disable:
//
//   - the Pro/Enterprise checks (elephant_flows, long_lived, the SNMP and
//     most syslog checks, ...): this program does not evaluate them, and a
//     configuration that showed them as enabled would claim detections that
//     never happen;
//   - the community checks added after January 2024
//     (blacklisted_client_contact, tcp_flow_reset, unexpected_gateway, ...):
//     their alert types are not in the community-2024-01 type list, and
//     some of their keys belong to other types there (host 8 is
//     host_alert_p2p_traffic, flow 79 and 38 are the alert types of their
//     former names ndpi_malicious_ja3 and remote_to_local_insecure_proto).
//
// All of them stay in the table (Listed false) so that the data is
// complete and a later version can switch them on in one place.
package checks

import (
	"encoding/json"
	"slices"
)

// Edition tells which ntopng edition ships a check (§4.7 legend).
type Edition string

// Editions.
const (
	// Community: a community check (with a definition module, or created
	// at run time for an nDPI flow risk, see Def.NDPIRisk).
	Community Edition = "community"
	// Pro: Pro/Enterprise only.
	Pro Edition = "pro"
	// Old: present in the January 2024 community reference, removed or
	// renamed since.
	Old Edition = "old"
)

// Subdirs are the check subdirectories of §4.1, the only ones
// enable/disable accept.
var Subdirs = []string{"flow", "host", "interface", "network", "system", "active_monitoring", "snmp_device", "syslog"}

// IsSubdir reports whether s is one of Subdirs.
func IsSubdir(s string) bool { return slices.Contains(Subdirs, s) }

// GUI input builders of §4.1 (Def.Input).
const (
	InputThreshold      = "threshold_cross"       // {"operator":"gt"|"lt","threshold":N}
	InputItems          = "items_list"            // {"items":[...]}
	InputMultiThreshold = "multi_threshold_cross" // per-metric thresholds
	InputElephantFlows  = "elephant_flows"
	InputLongLived      = "long_lived"
)

var (
	hookAll = []string{"all"}
	hookMin = []string{"min"}
)

// Def is the definition of a check: a built-in one (the table of this
// package) or one registered at run time (Store.Register). Values are
// read-only.
type Def struct {
	Subdir string
	Key    string // script_key
	// Edition is the ntopng edition that ships the check.
	Edition Edition
	// NDPIRisk: a community check without a definition module, created at
	// run time for an nDPI flow risk; its alert type has the same name.
	NDPIRisk bool
	// Listed: a fresh install of this program writes the check into the
	// configuration and enable/disable know it (see the package comment).
	Listed bool
	// Hooks the check runs on; they all get Enabled and Conf by default.
	Hooks   []string
	Enabled bool
	// Conf is the default script_conf (JSON; `[]` when the check has no
	// parameter).
	Conf string
	// AlertID and AlertFamily ("flow", "host" or "other", see
	// appendix-alert-consts.md) name the alert type raised; 0 and "" when
	// not known.
	AlertID     int
	AlertFamily string
	// Category is the check (= alert) category key (appendix §4).
	Category string
	// Input is the GUI input builder of the parameters ("" when none).
	Input string
	// Filters is the default filter list of the check (JSON array of
	// {"<field>": value} objects), "" when none.
	Filters     string
	Description string
	// Title is the name a user-written check gives itself ("" for the
	// built-in checks, whose titles belong to the GUI).
	Title string
	// Script is the file that defines a user-written check ("" for the
	// built-in checks).
	Script string
	// Note records what a reader of the table would otherwise wonder
	// about (renames, edition changes, several alert types).
	Note string
}

// DefaultHooks returns the hook entries a fresh configuration holds for d.
func (d Def) DefaultHooks() map[string]Hook {
	hooks := make(map[string]Hook, len(d.Hooks))
	for _, h := range d.Hooks {
		hooks[h] = Hook{Enabled: d.Enabled, ScriptConf: json.RawMessage(d.Conf)}
	}
	return hooks
}

// All returns every check of §4.7, listed or not, in table order.
func All() []Def { return slices.Clone(table) }

// Builtin returns the checks this program lists (Def.Listed), in table
// order: the definitions to give Defaults and NewStore.
func Builtin() []Def {
	var defs []Def
	for _, d := range table {
		if d.Listed {
			defs = append(defs, d)
		}
	}
	return defs
}

// Lookup finds the definition of (subdir, key) in defs.
func Lookup(defs []Def, subdir, key string) (Def, bool) {
	for _, d := range defs {
		if d.Subdir == subdir && d.Key == key {
			return d, true
		}
	}
	return Def{}, false
}
