package present

import (
	"strconv"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
)

// Series shapes per-severity slot counts as the ts endpoints answer them
// (spec §3.4): one series per severity present, highest first, points
// [slot start in ms, count]; no alert at all gives the single "No alerts"
// series of zeros.
func Series(s alertdb.Series) Object {
	points := func(counts *[alertdb.SeriesSlots]int) []any {
		data := make([]any, alertdb.SeriesSlots)
		for i := range data {
			n := 0
			if counts != nil {
				n = counts[i]
			}
			data[i] = []any{s.SlotTime(i) * 1000, n}
		}
		return data
	}
	series, colors := []any{}, []any{}
	for i := range s.Severities {
		sc := &s.Severities[i]
		sev, ok := alerts.SeverityByID(alerts.SeverityID(sc.Severity))
		if !ok {
			sev = alerts.Severity{Title: "Unknown", Color: "#ccc"}
		}
		series = append(series, Object{{"name", sev.Title}, {"data", points(&sc.Counts)}})
		colors = append(colors, sev.Color)
	}
	if len(series) == 0 {
		series = append(series, Object{{"name", "No alerts"}, {"data", points(nil)}})
		colors = append(colors, "#ccc")
	}
	return Object{{"series", series}, {"colors", colors}}
}

// Day is the length of a day, in seconds.
const Day = 86400

// Days counts alerts per UTC day and hour of a range: the legacy ts format
// (spec §2.2), from the day of begin to the day of end included.
type Days struct {
	first, last int64 // UTC midnights
	counts      map[int64]*[24]int
}

// NewDays prepares the days of begin..end (epochs, end ≥ begin).
func NewDays(begin, end int64) *Days {
	return &Days{first: floorDay(begin), last: floorDay(end), counts: map[int64]*[24]int{}}
}

func floorDay(t int64) int64 {
	d := t - t%Day
	if t%Day < 0 {
		d -= Day
	}
	return d
}

// Add counts n alerts at epoch t (ignored outside the days).
func (d *Days) Add(t int64, n int) {
	day := floorDay(t)
	if day < d.first || day > d.last {
		return
	}
	c := d.counts[day]
	if c == nil {
		c = new([24]int)
		d.counts[day] = c
	}
	c[(t-day)/3600] += n
}

// Object is the answer: day epoch (decimal string) → 24 hourly counts.
func (d *Days) Object() Object {
	o := Object{}
	for day := d.first; day <= d.last; day += Day {
		hours := make([]any, 24)
		c := d.counts[day]
		for h := range hours {
			if c != nil {
				hours[h] = c[h]
			} else {
				hours[h] = 0
			}
		}
		o = append(o, Member{strconv.FormatInt(day, 10), hours})
	}
	return o
}

// entityLabels are the English titles of the alert entities.
var entityLabels = map[alerts.EntityID]string{
	alerts.EntityInterface:  "Interface",
	alerts.EntityHost:       "Host",
	alerts.EntityNetwork:    "Local Networks",
	alerts.EntitySNMPDevice: "SNMP",
	alerts.EntityFlow:       "Flow",
	alerts.EntityMAC:        "MAC Address",
	alerts.EntityUser:       "User",
	alerts.EntityAMHost:     "Active Monitoring",
	alerts.EntitySystem:     "System",
}

// Entity is the alert entity whose alerts family fam stores.
func Entity(fam alertdb.Family) alerts.Entity {
	for _, e := range alerts.Entities() {
		if e.Table != "" && e.Table == fam.Table() && e.Path != "" {
			return e
		}
	}
	return alerts.Entity{ID: alerts.EntityOther, Key: "other"}
}

// EntityLabel is the English title of the entity of family fam.
func EntityLabel(fam alertdb.Family) string {
	if l, ok := entityLabels[Entity(fam).ID]; ok {
		return l
	}
	return "Other"
}

// TypeCounter is one element of the type counters (spec §2.4).
func TypeCounter(fam alertdb.Family, alertID, count int) Object {
	return Object{{"count", count}, {"entity_id", int(Entity(fam).ID)}, {"entity_label", EntityLabel(fam)},
		{"alert_id", alertID}, {"name", alerts.TypeTitle(AlertsFamily(fam), alertID)}}
}

// SeverityCounter is one element of the severity counters (spec §2.4).
func SeverityCounter(fam alertdb.Family, sev alerts.SeverityID, count int) Object {
	title := "Unknown"
	if s, ok := alerts.SeverityByID(sev); ok {
		title = s.Title
	}
	return Object{{"count", count}, {"entity_id", int(Entity(fam).ID)}, {"entity_label", EntityLabel(fam)},
		{"name", title}}
}

// Group is the alerts of one family, summed for the `all` list.
type Group struct {
	Family alertdb.Family
	Count  int
	Score  int64
	// BySeverity counts the alerts per stored severity.
	BySeverity map[alerts.SeverityID]int
}

// GroupRecord shapes a family's group of the `all` alert list: the entity,
// the total score and the counts per severity group, each linking the
// family's list of that group (status and epochs as requested).
func GroupRecord(g Group, status string, begin, end int64, o *Options) Object {
	e := Entity(g.Family)
	url := "/lua/alert_stats.lua?page=" + e.Key + "&status=" + status
	if begin != 0 || end != 0 {
		url += "&epoch_begin=" + strconv.FormatInt(begin, 10) + "&epoch_end=" + strconv.FormatInt(end, 10)
	}
	label := EntityLabel(g.Family)
	entity := label
	if !o.noHTML() {
		entity = `<a href="` + url + `">` + label + `</a>`
	}
	rec := Object{{"entity", entity}, {"entity_id", int(e.ID)},
		{"score", Object{{"value", g.Score}, {"label", FormatValue(g.Score)}}}, {"count", g.Count}}
	groups := map[string]int{}
	for sev, n := range g.BySeverity {
		groups[alerts.SeverityGroup(sev)] += n
	}
	for _, grp := range alerts.SeverityGroups {
		sev, filter := groupSeverity(grp)
		s, _ := alerts.SeverityByID(sev)
		rec.Set("count_group_"+grp, Object{{"value", groups[grp]}, {"color", s.Color},
			{"url", url + "&severity=" + strconv.Itoa(int(sev)) + ";" + filter}})
	}
	return rec
}

// groupSeverity is the severity filter that selects a severity group.
func groupSeverity(group string) (alerts.SeverityID, string) {
	switch group {
	case alerts.GroupNoticeOrLower:
		return alerts.SeverityNotice, "lte"
	case alerts.GroupWarning:
		return alerts.SeverityWarning, "eq"
	case alerts.GroupError:
		return alerts.SeverityError, "eq"
	case alerts.GroupCritical:
		return alerts.SeverityCritical, "eq"
	}
	return alerts.SeverityEmergency, "eq"
}
