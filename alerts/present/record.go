package present

import (
	"strconv"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
)

// Record shapes one alert of family fam (historical, acknowledged or
// engaged: engaged records have no rowid) into a record of the family's
// alert list (spec §3.2).
func Record(fam alertdb.Family, r *alertdb.Record, o *Options) Object {
	switch fam {
	case alertdb.FamilyFlow:
		return flowRecord(r, o)
	case alertdb.FamilyHost:
		return hostRecord(r, o)
	}
	p := decodeParams(r.JSON)
	rec := commonRecord(fam, r, p, o)
	switch fam {
	case alertdb.FamilyInterface:
		rec.Set("subtype", field(r, "subtype"))
	case alertdb.FamilyMAC:
		rec.Set("address", field(r, "address"))
		rec.Set("device_type", intField(r, "device_type"))
		rec.Set("name", field(r, "name"))
	case alertdb.FamilyNetwork:
		rec.Set("network", field(r, "name"))
		rec.Set("alias", field(r, "alias"))
		rec.Set("local_network_id", field(r, "local_network_id"))
	case alertdb.FamilySNMP:
		rec.Set("ip", field(r, "ip"))
		rec.Set("port", intField(r, "port"))
		rec.Set("name", field(r, "name"))
		rec.Set("port_name", field(r, "port_name"))
	case alertdb.FamilyAMHost:
		rec.Set("measurement", field(r, "measurement"))
		rec.Set("measure_threshold", r.Fields["measure_threshold"])
		rec.Set("measure_value", r.Fields["measure_value"])
	}
	return rec
}

// AlertsFamily is the alert type family of a store family: flow and host
// alerts have their own key spaces, every other family shares one.
func AlertsFamily(fam alertdb.Family) alerts.Family {
	switch fam {
	case alertdb.FamilyFlow:
		return alerts.FamilyFlow
	case alertdb.FamilyHost:
		return alerts.FamilyHost
	}
	return alerts.FamilyOther
}

// familyName is the "family" member of a record.
func familyName(fam alertdb.Family) string {
	if fam == alertdb.FamilyAMHost {
		return "am"
	}
	return string(fam)
}

// commonRecord sets the members every family's records share (spec §3.2,
// common record fields).
func commonRecord(fam alertdb.Family, r *alertdb.Record, p params, o *Options) Object {
	af := AlertsFamily(fam)
	title := alerts.TypeTitle(af, r.AlertID)
	subdir, key := p.generation()
	if subdir == "" {
		subdir = string(fam)
	}
	rec := Object{{"family", familyName(fam)}}
	if r.RowID > 0 {
		rec.Set("row_id", strconv.FormatInt(r.RowID, 10))
	}
	rec.Set("tstamp", tstampObject(r.Tstamp, r.Score, o))
	rec.Set("alert_id", alertIDObject(af, r.AlertID, o))
	rec.Set("alert_name", title)
	rec.Set("alert_category", categoryObject(r.Category))
	rec.Set("score", scoreObject(r.Score))
	rec.Set("severity", severityObject(r.Score, o))
	rec.Set("count", max(r.Counter, 1))
	rec.Set("duration", max(r.TstampEnd-r.Tstamp, 0))
	rec.Set("script_key", key)
	if r.UserLabel != "" {
		rec.Set("user_label", r.UserLabel)
	}
	desc := r.Description
	rec.Set("description", desc)
	ref := ""
	if !o.noHTML() && key != "" {
		ref = configsetRef(subdir, key)
	}
	rec.Set("msg", Object{{"name", title}, {"fullname", title}, {"value", r.AlertID},
		{"description", desc}, {"configset_ref", ref}})
	return rec
}

// hostFlags are the icons of a host alert's role flags.
var hostFlags = []struct{ col, icon string }{
	{"is_attacker", `<i class="fas fa-skull"></i>`},
	{"is_victim", `<i class="fas fa-sad-tear"></i>`},
	{"is_client", `<i class="fas fa-long-arrow-alt-right"></i>`},
	{"is_server", `<i class="fas fa-long-arrow-alt-left"></i>`},
}

func hostRecord(r *alertdb.Record, o *Options) Object {
	p := decodeParams(r.JSON)
	rec := commonRecord(alertdb.FamilyHost, r, p, o)
	ip, name := field(r, "ip"), field(r, "name")
	if name == ip {
		name = ""
	}
	vlan := intField(r, "vlan_id")
	network := intField(r, "network")
	label := ip
	if name != "" {
		label = name
	}
	shown := label
	if vlan != 0 {
		shown += "@" + strconv.FormatInt(vlan, 10)
	}
	ref := ""
	if !o.noHTML() {
		ref = hostReference(ip, vlan)
	}
	rec.Set("ip", Object{{"value", ip}, {"label", shorten(label)}, {"label_long", label}, {"shown_label", shown},
		{"reference", ref}, {"country", field(r, "country")}, {"is_local", network != NoNetwork},
		{"is_multicast", isMulticast(ip)}})
	rec.Set("vlan_id", strconv.FormatInt(vlan, 10))
	for _, f := range hostFlags {
		v := ""
		switch {
		case o.noHTML():
			v = strconv.FormatBool(boolField(r, f.col))
		case boolField(r, f.col):
			v = f.icon
		}
		rec.Set(f.col, v)
	}
	switch {
	case boolField(r, "is_attacker"):
		rec.Set("role", Object{{"value", "attacker"}, {"label", "Attacker"}})
	case boolField(r, "is_victim"):
		rec.Set("role", Object{{"value", "victim"}, {"label", "Victim"}})
	default:
		rec.Set("role", Object{{"value", "no_attacker_no_victim"}, {"label", "No Attacker/Victim"}})
	}
	switch {
	case boolField(r, "is_client"):
		rec.Set("role_cli_srv", Object{{"value", "client"}, {"label", "Client"}})
	case boolField(r, "is_server"):
		rec.Set("role_cli_srv", Object{{"value", "server"}, {"label", "Server"}})
	}
	rec.Set("host_pool_id", poolObject(intField(r, "host_pool_id"), o))
	rec.Set("network", networkObject(network, o))
	if m := p.obj("mitre_values"); len(m) > 0 {
		mitre := Object{}
		for _, k := range []string{"mitre_id", "mitre_tactic", "mitre_technique", "mitre_subtechnique"} {
			if v := m.str(k); v != "" {
				mitre.Set(k, v)
			}
		}
		rec.Set("mitre_data", mitre)
	}
	rec.Set("filter", Object{{"tag_filters", []any{Object{{"id", "ip"}, {"op", "eq"}, {"value", ip}}}}})
	return rec
}

// Legacy shapes a host alert as get/alert/data.lua lists it (spec §2.1).
func Legacy(fam alertdb.Family, r *alertdb.Record) Object {
	sev := severityOf(r.Score)
	typ := ""
	if t, ok := alerts.TypeByFamilyKey(AlertsFamily(fam), r.AlertID); ok {
		typ = t.Name
	}
	return Object{
		{"date", r.Tstamp},
		{"duration", max(r.TstampEnd-r.Tstamp, 0)},
		{"score", r.Score},
		{"severity", sev.Key},
		{"count", 1},
		{"msg", r.Description},
		{"type", typ},
		{"entity", string(fam)},
		{"entity_val", ""},
	}
}
