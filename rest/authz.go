package rest

import "strings"

// access is who may run a script. The server checks it before any script
// runs, so that no endpoint depends on its script remembering to check.
type access uint8

const (
	// anyUser: every authenticated user (the script may narrow what it
	// shows, e.g. by allowed networks, or refuse other users' data).
	anyUser access = iota + 1
	// adminOnly: administrators.
	adminOnly
	// allInterfaces: users not pinned to one interface (the system view).
	allInterfaces
	// alertReaders: users with ntopng's "alerts" capability
	// (administrators, and users given allow_alerts through the v2 user
	// endpoints).
	alertReaders
)

// scriptAccess maps every script (path under the scripts folder) to who may
// run it. A script missing here is refused: forgetting to classify a new
// endpoint denies it instead of exposing it (and a test fails).
var scriptAccess = map[string]access{
	"lua/host_stats.lua":        anyUser,
	"lua/logout.lua":            anyUser,
	"lua/toggle_all_checks.lua": adminOnly,

	"lua/pro/rest/v1/add/alert/exclusion.lua": adminOnly,

	"lua/rest/v1/get/ntopng/interfaces.lua":            anyUser,
	"lua/rest/v1/get/interface/data.lua":               anyUser,
	"lua/rest/v1/get/interface/address.lua":            anyUser,
	"lua/rest/v1/get/interface/bcast_domains.lua":      anyUser,
	"lua/rest/v1/get/interface/l7/stats.lua":           anyUser,
	"lua/rest/v1/get/interface/dscp/stats.lua":         anyUser,
	"lua/rest/v1/get/interface/top/local/talkers.lua":  anyUser,
	"lua/rest/v1/get/interface/top/remote/talkers.lua": anyUser,
	"lua/rest/v1/get/host/active.lua":                  anyUser,
	"lua/rest/v1/get/host/data.lua":                    anyUser,
	"lua/rest/v1/get/host/custom_data.lua":             anyUser,
	"lua/rest/v1/get/host/interfaces.lua":              anyUser,
	"lua/rest/v1/get/host/l7/stats.lua":                anyUser,
	"lua/rest/v1/get/host/dscp/stats.lua":              anyUser,
	"lua/rest/v1/get/flow/active.lua":                  anyUser,
	"lua/rest/v1/get/flow/l4/counters.lua":             anyUser,
	"lua/rest/v1/get/flow/l7/counters.lua":             anyUser,
	"lua/rest/v1/get/l4/protocol/consts.lua":           anyUser,
	"lua/rest/v1/get/l7/application/consts.lua":        anyUser,
	"lua/rest/v1/get/l7/category/consts.lua":           anyUser,
	"lua/rest/v1/get/alert/type/consts.lua":            anyUser,
	"lua/rest/v1/get/alert/severity/consts.lua":        anyUser,
	"lua/rest/v1/get/system/stats.lua":                 allInterfaces,
	"lua/rest/v1/set/host/alias.lua":                   adminOnly,
	"lua/rest/v1/get/ntopng/users.lua":                 adminOnly,
	"lua/rest/v1/add/ntopng/user.lua":                  adminOnly,
	"lua/rest/v1/edit/ntopng/user.lua":                 adminOnly,
	"lua/rest/v1/delete/ntopng/user.lua":               adminOnly,
	"lua/rest/v1/create/ntopng/session.lua":            anyUser, // self, or any user for admins (script)
	"lua/rest/v1/get/ntopng/session.lua":               anyUser,
	"lua/rest/v1/create/ntopng/api_token.lua":          anyUser,

	// Pools: reading is for every user, changing for administrators
	// (ntopng's "pools" capability is never granted to non-administrators
	// by the REST API). delete/pools is administrator-only on purpose:
	// ntopng lets any user wipe every pool (docs/compatibility.md).
	"lua/rest/v1/get/host/pools.lua":                anyUser,
	"lua/rest/v1/get/network/pools.lua":             anyUser,
	"lua/rest/v1/get/pools.lua":                     anyUser,
	"lua/rest/v1/get/host/pool/members.lua":         anyUser,
	"lua/rest/v1/get/host/pool_by_member.lua":       anyUser,
	"lua/rest/v1/get/host/pool/stats.lua":           anyUser,
	"lua/rest/v1/get/recipient/pools.lua":           anyUser,
	"lua/rest/v1/recipient/pools.lua":               anyUser,
	"lua/rest/v1/add/host/pool.lua":                 adminOnly,
	"lua/rest/v1/edit/host/pool.lua":                adminOnly,
	"lua/rest/v1/delete/host/pool.lua":              adminOnly,
	"lua/rest/v1/add/network/pool.lua":              adminOnly,
	"lua/rest/v1/edit/network/pool.lua":             adminOnly,
	"lua/rest/v1/delete/network/pool.lua":           adminOnly,
	"lua/rest/v1/edit/host_pool/pool.lua":           adminOnly,
	"lua/rest/v1/delete/pools.lua":                  adminOnly,
	"lua/rest/v1/bind/host/pool/member.lua":         adminOnly,
	"lua/rest/v1/import/pool/host_pool/members.lua": adminOnly,
	"lua/rest/v1/export/pool/config.lua":            adminOnly,
	"lua/rest/v1/import/pool/config.lua":            adminOnly,
	"lua/rest/v2/reset/pool/config.lua":             adminOnly,

	// Checks configuration: administrators (ntopng's "checks" capability
	// is never granted to non-administrators by the REST API).
	"lua/rest/v1/get/checks/config.lua":     adminOnly,
	"lua/rest/v1/set/checks/config.lua":     adminOnly,
	"lua/rest/v1/enable/check.lua":          adminOnly,
	"lua/rest/v1/disable/check.lua":         adminOnly,
	"lua/rest/v1/reset/checks/config.lua":   adminOnly,
	"lua/rest/v1/export/checks/config.lua":  adminOnly,
	"lua/rest/v1/import/checks/config.lua":  adminOnly,
	"lua/rest/v1/export/scripts/config.lua": adminOnly,
	"lua/rest/v1/import/scripts/config.lua": adminOnly,
}

// Alerts (rest-alerts-checks.md §2–§3, rest-users-auth.md §2.5). Reading
// needs ntopng's "alerts" capability; what a reader sees is limited to its
// allowed networks by the bindings. Acknowledging is for every user; the bindings limit it to the alerts the
// caller's allowed networks show. Deleting is for administrators, the
// am_host family included although ntopng lets anyone delete those
// (docs/compatibility.md).
func init() {
	read := []string{"lua/rest/v1/get/alert/data.lua", "lua/rest/v1/get/alert/ts.lua",
		"lua/rest/v1/get/alert/type/counters.lua", "lua/rest/v1/get/alert/severity/counters.lua"}
	for _, fam := range []string{"flow", "host", "interface", "mac", "network", "system", "user", "am_host", "all"} {
		read = append(read, "lua/rest/v1/get/"+fam+"/alert/list.lua", "lua/rest/v1/get/"+fam+"/alert/ts.lua")
		scriptAccess["lua/rest/v1/delete/"+fam+"/alerts.lua"] = adminOnly
		if fam != "all" {
			scriptAccess["lua/rest/v1/acknowledge/"+fam+"/alerts.lua"] = anyUser
		}
	}
	for _, s := range read {
		scriptAccess[s] = alertReaders
	}
}

// allowed reports whether p may run the script at rel (slash-separated,
// relative to the scripts folder) under the rules, and whether the script
// is classified.
func allowed(rules map[string]access, rel string, p *Principal) (ok, known bool) {
	a, known := rules[strings.TrimPrefix(rel, "/")]
	switch {
	case !known:
		return false, false
	case a == adminOnly:
		return p.Admin, true
	case a == allInterfaces:
		return p.Admin || p.AllowedIfname == "", true
	case a == alertReaders:
		return p.Admin || p.Alerts, true
	}
	return true, true
}
