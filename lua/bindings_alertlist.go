package lua

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/alerts/present"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// Alert list bindings (rest-alerts-checks.md §2–§3). The endpoint scripts
// hand their _GET table over; parsing, filtering, allowed networks,
// paging and record shaping happen here, so that a script is one line and
// the history store is never copied into Lua. The server has already
// checked who may run the calling script (rest/authz.go). Series,
// counters and the legacy endpoints are in bindings_alertstats.go,
// acknowledge and delete in bindings_alertchange.go.
//
// Every function returns rc_str, rsp (and, for lists, the extra envelope
// members): errors are answers, never Lua errors.

func (b *binder) alertListModule() map[string]glua.LGFunction {
	return map[string]glua.LGFunction{
		"listAlerts":             b.listAlerts,
		"getAlertSeries":         b.getAlertSeries,
		"acknowledgeAlerts":      b.acknowledgeAlerts,
		"deleteAlerts":           b.deleteAlerts,
		"getAlertCounters":       b.getAlertCounters,
		"getLegacyAlerts":        b.getLegacyAlerts,
		"getLegacyAlertSeries":   b.getLegacyAlertSeries,
		"sendExtendedRestAnswer": b.sendExtendedRestAnswer,
	}
}

// restAlertFamilies are the <family> path elements of the per-family
// endpoints ("all" apart).
var restAlertFamilies = map[string]bool{
	"flow": true, "host": true, "interface": true, "mac": true, "network": true,
	"system": true, "user": true, "am_host": true,
}

// alertFailure is an answer other than OK.
type alertFailure struct{ code, msg string }

func (e *alertFailure) Error() string { return e.msg }

// errNoInterface: the ifid of an interface-bound family is missing or names
// no interface the caller may use (answered with an empty rsp, as ntopng).
var errNoInterface = &alertFailure{code: "INVALID_INTERFACE"}

func invalidAlertArgs(format string, a ...any) error {
	return &alertFailure{code: "INVALID_ARGUMENTS", msg: fmt.Sprintf(format, a...)}
}

// answerAlertError pushes the (rc_str, rsp) pair of a failure: the store's
// filter errors are the caller's (INVALID_ARGUMENTS, with the reason),
// anything else is internal.
func answerAlertError(L *glua.LState, err error) int {
	var f *alertFailure
	switch {
	case errors.As(err, &f) && f == errNoInterface:
		L.Push(glua.LString(f.code))
		L.Push(L.NewTable())
		return 2
	case errors.As(err, &f):
		return answerRC(L, f.code, err)
	case errors.Is(err, alertdb.ErrInvalidFilter), errors.Is(err, alertdb.ErrEngaged), errors.Is(err, alertdb.ErrInvalid):
		return answerRC(L, "INVALID_ARGUMENTS", err)
	}
	return answerRC(L, "INTERNAL_ERROR", err)
}

// alertControls are the request parameters that are not field filters.
var alertControls = map[string]bool{
	"ifid": true, "status": true, "epoch_begin": true, "epoch_end": true, "start": true, "length": true,
	"sort": true, "order": true, "format": true, "draw": true, "by_24h": true, "label": true, "download": true,
}

// legacyTypeWords pass the alert_type validator (they are values of the
// flow list's alert_type) but select nothing in alert requests.
var legacyTypeWords = map[string]bool{
	"normal": true, "alerted": true, "filtered": true, "periodic": true, "group_none": true,
	"notice_or_lower": true, "warning": true, "error": true, "critical": true, "emergency": true,
}

// alertQuery is a parsed alert request.
type alertQuery struct {
	family string           // REST family, "all" included
	ifc    *probe.Interface // the interface; nil for system-scoped families
	// filter holds the interface, status, time range (both ends given),
	// field filters, paging and sort, as the store takes them.
	filter alertdb.Filter
	// begin/end are epoch_begin/epoch_end as given (has*: present).
	begin, end       int64
	hasBegin, hasEnd bool
	text             bool   // format=txt/csv
	draw             *int64 // echoed when sent
	by24h            bool
}

func (q *alertQuery) engaged() bool { return q.filter.Status == alertdb.StatusEngaged }

// paramsOf reads a Lua parameter table (_GET) into strings.
func paramsOf(t *glua.LTable) map[string]string {
	out := map[string]string{}
	t.ForEach(func(k, v glua.LValue) {
		if ks, ok := k.(glua.LString); ok {
			switch v.(type) {
			case glua.LString, glua.LNumber, glua.LBool:
				out[string(ks)] = glua.LVAsString(v)
			}
		}
	})
	return out
}

// intParam parses an integer parameter (decimal, or an integral float as
// JSON bodies send them).
func intParam(params map[string]string, name string) (int64, bool, error) {
	v := strings.TrimSpace(params[name])
	if v == "" {
		return 0, false, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, true, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f == float64(int64(f)) {
		return int64(f), true, nil
	}
	return 0, false, invalidAlertArgs("%s %q is not an integer", name, v)
}

// alertInterface resolves an ifid parameter to an interface the caller may
// use.
func (b *binder) alertInterface(v string) (*probe.Interface, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, false
	}
	id, err := strconv.ParseInt(v, 0, 32)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || f != float64(int32(f)) {
			return nil, false
		}
		id = int64(f)
	}
	ifc := b.app.Interface(int(id))
	if ifc == nil || !b.ifaceAllowed(ifc) {
		return nil, false
	}
	return ifc, true
}

// parseAlertQuery reads the common request parameters of spec §3.1.
func (b *binder) parseAlertQuery(family string, params map[string]string) (*alertQuery, error) {
	if family != "all" && !restAlertFamilies[family] {
		return nil, invalidAlertArgs("unknown alert family %q", family)
	}
	q := &alertQuery{family: family}
	if family == "all" || !alertdb.Family(family).SystemScoped() {
		ifc, ok := b.alertInterface(params["ifid"])
		if !ok {
			return nil, errNoInterface
		}
		q.ifc = ifc
		q.filter.IfID = alertdb.IfID(ifc.ID())
	}
	status, err := alertdb.ParseStatus(strings.TrimSpace(params["status"]))
	if err != nil {
		return nil, err
	}
	q.filter.Status = status
	for _, parse := range []func(map[string]string) error{q.parseRange, q.parsePage, q.parseOutput, q.parseFilters} {
		if err := parse(params); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// parseRange reads epoch_begin and epoch_end; the store's time filter
// needs both.
func (q *alertQuery) parseRange(params map[string]string) error {
	var err error
	if q.begin, q.hasBegin, err = intParam(params, "epoch_begin"); err != nil {
		return err
	}
	if q.end, q.hasEnd, err = intParam(params, "epoch_end"); err != nil {
		return err
	}
	if q.hasBegin && q.hasEnd {
		q.filter.EpochBegin, q.filter.EpochEnd = q.begin, q.end
	}
	return nil
}

// parsePage reads start, length, sort and order.
func (q *alertQuery) parsePage(params map[string]string) error {
	for _, p := range []struct {
		name string
		dst  *int
	}{{"start", &q.filter.Start}, {"length", &q.filter.Length}} {
		n, ok, err := intParam(params, p.name)
		if err != nil {
			return err
		}
		if ok && (n < 0 || n > 1<<31) {
			return invalidAlertArgs("%s %d out of range", p.name, n)
		}
		*p.dst = int(n)
	}
	q.filter.Sort = strings.TrimSpace(params["sort"])
	q.filter.Order = strings.ToLower(strings.TrimSpace(params["order"]))
	switch q.filter.Order {
	case "", "asc", "desc":
		return nil
	}
	return invalidAlertArgs("order %q must be asc or desc", params["order"])
}

// parseOutput reads format, draw and by_24h.
func (q *alertQuery) parseOutput(params map[string]string) error {
	switch f := strings.TrimSpace(params["format"]); f {
	case "", "json":
	case "txt", "csv":
		q.text = true
	default:
		return invalidAlertArgs("format %q must be json, txt or csv", f)
	}
	if d, ok, err := intParam(params, "draw"); err == nil && ok {
		q.draw = &d
	}
	switch v := strings.TrimSpace(params["by_24h"]); v {
	case "", "false", "0":
	case "true", "1":
		q.by24h = true
	default:
		return invalidAlertArgs("by_24h %q must be true or false", v)
	}
	return nil
}

// parseFilters reads every other parameter as a field filter list.
func (q *alertQuery) parseFilters(params map[string]string) error {
	names := make([]string, 0, len(params))
	for name := range params {
		if !alertControls[name] && !strings.HasPrefix(name, "p_") {
			names = append(names, name)
		}
	}
	sort.Strings(names) // the first bad filter named is always the same
	for _, name := range names {
		v := params[name]
		if (name == "alert_type" || name == "alert_id") && legacyTypeWords[strings.TrimSpace(v)] {
			continue
		}
		if err := q.filter.Add(name, v); err != nil {
			return err
		}
	}
	return nil
}

// ifid is the interface id of the request (-1: the system interface).
func (q *alertQuery) ifid() int {
	if q.ifc == nil {
		return -1
	}
	return q.ifc.ID()
}

func (b *binder) protoID(name string) (int, bool) {
	if b.app.Registry == nil {
		return 0, false
	}
	p, ok := b.app.Registry.ByName(name)
	if !ok {
		return 0, false
	}
	return int(p.ID), true
}

// alertKeep is the allowed-networks test of family fam for the caller (nil:
// every alert is visible). Flow alerts are visible when the caller may see
// either peer, host alerts when it may see the host; the other families
// carry no address of a monitored host.
func (b *binder) alertKeep(fam alertdb.Family) recordMatcher {
	vis := b.visible()
	if vis == nil {
		return nil
	}
	sees := func(v any) bool {
		s, _ := v.(string)
		a, err := netip.ParseAddr(s)
		return err == nil && vis.Sees(a)
	}
	switch fam {
	case alertdb.FamilyFlow:
		return func(r *alertdb.Record) bool { return sees(r.Fields["cli_ip"]) || sees(r.Fields["srv_ip"]) }
	case alertdb.FamilyHost:
		return func(r *alertdb.Record) bool { return sees(r.Fields["ip"]) }
	}
	return nil
}

// validateFilter checks the field filters of q for family fam the way the
// store does (names, operators, values), without reading alerts: the time
// range of one second keeps the query on the index.
func (b *binder) validateFilter(ctx context.Context, fam alertdb.Family, q *alertQuery) error {
	if st := b.app.Alerts; st != nil {
		_, err := st.Count(ctx, fam, alertdb.Filter{IfID: q.filter.IfID, Status: alertdb.StatusAny,
			EpochBegin: 1, EpochEnd: 1, Fields: q.filter.Fields})
		return err
	}
	_, err := compileMatcher(fam, q.filter.Fields, b.protoID)
	return err
}

// alertScanChunk is how many stored alerts are read at a time when they
// must be filtered in Go (allowed networks).
const alertScanChunk = 5000

// scanStored calls fn for every stored alert of family fam selected by f,
// in f's order, reading alertScanChunk rows at a time. f's paging is
// ignored.
func (b *binder) scanStored(ctx context.Context, fam alertdb.Family, f alertdb.Filter, fn func(*alertdb.Record)) error {
	f.Start, f.Length = 0, alertScanChunk
	for {
		recs, _, err := b.app.Alerts.Query(ctx, fam, f)
		if err != nil {
			return err
		}
		for i := range recs {
			fn(&recs[i])
		}
		if len(recs) < alertScanChunk {
			return nil
		}
		f.Start += alertScanChunk
	}
}

// engagedAlerts returns the engaged alerts of family fam selected by q
// (field filters, epoch_end, allowed networks), unsorted.
func (b *binder) engagedAlerts(ctx context.Context, fam alertdb.Family, q *alertQuery) ([]alertdb.Record, error) {
	if err := b.validateFilter(ctx, fam, q); err != nil {
		return nil, err
	}
	match, err := compileMatcher(fam, q.filter.Fields, b.protoID)
	if err != nil {
		return nil, err
	}
	if b.app.EngagedAlerts == nil {
		return nil, nil
	}
	keep := b.alertKeep(fam)
	var out []alertdb.Record
	for _, r := range b.app.EngagedAlerts(q.ifid(), fam) {
		if (q.hasEnd && r.Tstamp > q.end) || !match(&r) || (keep != nil && !keep(&r)) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// eachAlert calls fn for every alert of family fam selected by q, paging
// and sort aside: engaged alerts from memory, the others from the store.
func (b *binder) eachAlert(ctx context.Context, fam alertdb.Family, q *alertQuery, fn func(*alertdb.Record)) error {
	if q.engaged() {
		recs, err := b.engagedAlerts(ctx, fam, q)
		for i := range recs {
			fn(&recs[i])
		}
		return err
	}
	if b.app.Alerts == nil {
		return b.validateFilter(ctx, fam, q)
	}
	keep := b.alertKeep(fam)
	f := q.filter
	f.Sort, f.Order = "", ""
	return b.scanStored(ctx, fam, f, func(r *alertdb.Record) {
		if keep == nil || keep(r) {
			fn(r)
		}
	})
}

// alertPage returns the page of alerts of family fam selected by q and the
// number of alerts selected before paging.
func (b *binder) alertPage(ctx context.Context, fam alertdb.Family, q *alertQuery) ([]alertdb.Record, int, error) {
	if q.engaged() {
		recs, err := b.engagedAlerts(ctx, fam, q)
		if err != nil {
			return nil, 0, err
		}
		if err := sortRecords(fam, recs, q.filter.Sort, q.filter.Order); err != nil {
			return nil, 0, err
		}
		total := len(recs)
		start := min(q.filter.Start, total)
		end := total
		if q.filter.Length > 0 {
			end = min(start+q.filter.Length, total)
		}
		return recs[start:end], total, nil
	}
	st := b.app.Alerts
	if st == nil {
		return nil, 0, b.validateFilter(ctx, fam, q)
	}
	keep := b.alertKeep(fam)
	if keep == nil {
		return st.Query(ctx, fam, q.filter)
	}
	// Restricted caller: the store cannot test addresses against the
	// allowed networks, so rows are filtered here before paging, and
	// recordsFiltered counts only what the caller may see.
	var page []alertdb.Record
	total := 0
	err := b.scanStored(ctx, fam, q.filter, func(r *alertdb.Record) {
		if !keep(r) {
			return
		}
		if total >= q.filter.Start && (q.filter.Length == 0 || len(page) < q.filter.Length) {
			page = append(page, *r)
		}
		total++
	})
	return page, total, err
}

// eachFamily runs fn for every stored family, for the `all` family: a
// family that lacks a filtered field cannot hold a matching alert and is
// skipped; a field no family has is an error.
func eachFamily(fams []alertdb.Family, fn func(alertdb.Family) error) error {
	var unknown error
	accepted := false
	for _, fam := range fams {
		err := fn(fam)
		switch {
		case errors.Is(err, alertdb.ErrUnknownField):
			unknown = err
		case err != nil:
			return err
		default:
			accepted = true
		}
	}
	if !accepted && unknown != nil {
		return unknown
	}
	return nil
}

// interfaceFamilies are the families stored per interface (the alert store
// of an interface, for the counters).
func interfaceFamilies() []alertdb.Family {
	var out []alertdb.Family
	for _, f := range alertdb.Families {
		if !f.SystemScoped() {
			out = append(out, f)
		}
	}
	return out
}

// presentOptions are the formatting hooks of a request.
func (b *binder) presentOptions(q *alertQuery) *present.Options {
	o := &present.Options{NoHTML: q.text}
	if b.app.Pools != nil {
		o.PoolName = b.app.Pools.Name
	}
	if reg := b.app.Registry; reg != nil {
		o.ProtoName = func(master, app int) string {
			return reg.Name(dpi.Result{Master: dpi.ProtoID(master), App: dpi.ProtoID(app)})
		}
	}
	if ifc := q.ifc; ifc != nil {
		if ln := ifc.LocalNets(); ln != nil {
			o.NetworkName = ln.Name
		}
		o.ActiveFlow = activeFlowFinder(ifc)
	}
	return o
}

// flowTuple identifies a live flow.
type flowTuple struct {
	vlan             uint16
	proto            uint8
	cli, srv         netip.Addr
	cliPort, srvPort uint16
}

// activeFlowFinder finds the live flow of a flow alert. The interface's
// flows are indexed once, at the first lookup of the request.
func activeFlowFinder(ifc *probe.Interface) func(r *alertdb.Record) (uint32, uint32, bool) {
	var index map[flowTuple][2]uint32
	return func(r *alertdb.Record) (uint32, uint32, bool) {
		if index == nil {
			flows := ifc.Flows(probe.NoFlowFilter())
			index = make(map[flowTuple][2]uint32, len(flows))
			for _, f := range flows {
				index[flowTuple{f.VLAN, f.L4Proto, f.CliIP.Unmap(), f.SrvIP.Unmap(), f.CliPort, f.SrvPort}] =
					[2]uint32{f.KeyHash, f.Serial}
			}
		}
		num := func(k string) int64 { n, _ := r.Fields[k].(int64); return n }
		addr := func(k string) netip.Addr {
			s, _ := r.Fields[k].(string)
			a, _ := netip.ParseAddr(s)
			return a.Unmap()
		}
		v, ok := index[flowTuple{uint16(num("vlan_id")), uint8(num("proto")), addr("cli_ip"), addr("srv_ip"),
			uint16(num("cli_port")), uint16(num("srv_port"))}]
		return v[0], v[1], ok
	}
}

// listAlerts(family, params) → rc_str, rsp, extra: get/<family>/alert/list
// (spec §3.2). rsp is {records = [...]} and extra the envelope members
// recordsFiltered, recordsTotal and draw; in text mode rsp is the CSV text
// and there is no extra.
func (b *binder) listAlerts(L *glua.LState) int {
	family := L.CheckString(1)
	q, err := b.parseAlertQuery(family, paramsOf(L.CheckTable(2)))
	if err != nil {
		return answerAlertError(L, err)
	}
	ctx := b.ctx(L)
	var recs []present.Object
	var total int
	if family == "all" {
		recs, total, err = b.groupRecords(ctx, q)
	} else {
		var page []alertdb.Record
		page, total, err = b.alertPage(ctx, alertdb.Family(family), q)
		o := b.presentOptions(q)
		recs = make([]present.Object, len(page))
		for i := range page {
			recs[i] = present.Record(alertdb.Family(family), &page[i], o)
		}
	}
	if err != nil {
		return answerAlertError(L, err)
	}
	L.Push(glua.LString("OK"))
	if q.text {
		L.Push(glua.LString(present.CSV(recs)))
		return 2
	}
	list := make([]any, len(recs))
	for i, r := range recs {
		list[i] = r
	}
	L.Push(presentToLua(L, present.Object{{Key: "records", Value: list}}))
	extra := L.CreateTable(0, 3)
	extra.RawSetString("recordsFiltered", glua.LNumber(total))
	extra.RawSetString("recordsTotal", glua.LNumber(len(recs)))
	if q.draw != nil {
		extra.RawSetString("draw", glua.LNumber(*q.draw))
	}
	L.Push(extra)
	return 3
}

// familyGroup sums the alerts of one family for the `all` list.
func (b *binder) familyGroup(ctx context.Context, fam alertdb.Family, q *alertQuery) (present.Group, error) {
	g := present.Group{Family: fam, BySeverity: map[alerts.SeverityID]int{}}
	st := b.app.Alerts
	if q.engaged() || st == nil || b.alertKeep(fam) != nil {
		err := b.eachAlert(ctx, fam, q, func(r *alertdb.Record) {
			g.Count++
			g.Score += int64(r.Score)
			g.BySeverity[alerts.SeverityID(recordSeverity(r))]++
		})
		return g, err
	}
	bySev, err := st.CountBy(ctx, fam, q.filter, "severity")
	if err != nil {
		return g, err
	}
	byScore, err := st.CountBy(ctx, fam, q.filter, "score")
	if err != nil {
		return g, err
	}
	for _, c := range bySev {
		g.Count += c.Count
		g.BySeverity[alerts.SeverityID(c.Value)] += c.Count
	}
	for _, c := range byScore {
		g.Score += c.Value * int64(c.Count)
	}
	return g, nil
}

// groupRecords is the `all` list: one record per family holding selected
// alerts (spec §3.2), sorted by entity_id (default), score or count.
func (b *binder) groupRecords(ctx context.Context, q *alertQuery) ([]present.Object, int, error) {
	var groups []present.Group
	err := eachFamily(alertdb.Families, func(fam alertdb.Family) error {
		g, err := b.familyGroup(ctx, fam, q)
		if err == nil && g.Count > 0 {
			groups = append(groups, g)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	key := map[string]func(g present.Group) int64{
		"":          func(g present.Group) int64 { return int64(present.Entity(g.Family).ID) },
		"entity_id": func(g present.Group) int64 { return int64(present.Entity(g.Family).ID) },
		"entity":    func(g present.Group) int64 { return int64(present.Entity(g.Family).ID) },
		"score":     func(g present.Group) int64 { return g.Score },
		"count":     func(g present.Group) int64 { return int64(g.Count) },
	}[q.filter.Sort]
	if key == nil {
		return nil, 0, invalidAlertArgs("cannot sort the all alert list by %q (entity, score, count)", q.filter.Sort)
	}
	desc := q.filter.Order == "desc"
	sort.SliceStable(groups, func(i, j int) bool {
		a, c := key(groups[i]), key(groups[j])
		if a != c {
			return (a < c) != desc
		}
		return present.Entity(groups[i].Family).ID < present.Entity(groups[j].Family).ID
	})
	total := len(groups)
	start := min(q.filter.Start, total)
	end := total
	if q.filter.Length > 0 {
		end = min(start+q.filter.Length, total)
	}
	o := b.presentOptions(q)
	out := make([]present.Object, 0, end-start)
	for _, g := range groups[start:end] {
		out = append(out, present.GroupRecord(g, q.filter.Status.String(), q.filter.EpochBegin, q.filter.EpochEnd, o))
	}
	return out, total, nil
}

// presentToLua converts the values of package present (Object, []any and
// scalars) into Lua tables for the JSON encoder.
func presentToLua(L *glua.LState, v any) glua.LValue {
	switch x := v.(type) {
	case present.Object:
		t := L.CreateTable(0, len(x))
		for _, m := range x {
			t.RawSetString(m.Key, presentToLua(L, m.Value))
		}
		return t
	case []any:
		t := L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, presentToLua(L, e))
		}
		return t
	}
	return ToLua(L, v)
}

// families is the family of q, or every stored family for `all`.
func (q *alertQuery) families() []alertdb.Family {
	if q.family == "all" {
		return alertdb.Families
	}
	return []alertdb.Family{alertdb.Family(q.family)}
}
