package lua

import (
	"context"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"net/netip"
	"time"

	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/configdoc"
	"github.com/ntopng-go/ntopng/db"
	"github.com/ntopng-go/ntopng/pools"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// Request is the per-run state bindings work on: who is calling, the
// interface the script selected, and the answer it produced.
type Request struct {
	User  string
	Admin bool
	Path  string
	Iface *probe.Interface
	// AllowedNets limits the hosts and flows the caller sees (nil: all);
	// AllowedIfname pins the caller to one interface ("": all).
	AllowedNets   []netip.Prefix
	AllowedIfname string
	// Session is the caller's session id when it authenticated with a
	// session cookie (logout ends it).
	Session string

	// Set by ntop.sendRestAnswer.
	Answered    bool
	Status      int
	Body        []byte
	ContentType string
	// ContentDisposition, when set, is sent as Content-Disposition (a
	// download, e.g. an exported configuration).
	ContentDisposition string
}

// App is what bindings can reach: the monitored interfaces and the
// program-wide facts.
type App struct {
	Interfaces []*probe.Interface
	Registry   *dpi.Registry
	Version    string
	Start      time.Time
	// HostAliases maps an IP string to a user alias (set/host/alias).
	HostAliases func(ip string) (string, bool)
	// SetHostAlias stores an alias ("" deletes it); nil when aliases
	// cannot be stored.
	SetHostAlias func(ctx context.Context, host, alias string) error
	// DataDir is the data directory (storage statistics).
	DataDir string
	// Users is the users store (user, session and token endpoints).
	Users *db.DB
	// Pools are the host and network pools.
	Pools *pools.Manager
	// Config holds the modules of configuration documents.
	Config *configdoc.Registry
	// Checks is the checks configuration.
	Checks *checks.Store
	// Alerts is the historical alert store (nil: no alerts are served).
	Alerts *alertdb.Store
	// EngagedAlerts lists the engaged alerts of family fam on interface
	// ifid (system-scoped families: every engaged alert of the family).
	// RowID is 0 and Status is alertdb.StatusEngaged. Nil: none.
	EngagedAlerts func(ifid int, fam alertdb.Family) []alertdb.Record
	// AlertCounts are the engaged alerts of interface ifid and the flow
	// events its check engine dropped (nil: none).
	AlertCounts func(ifid int) (engaged int, dropped uint64)
}

// Interface returns the interface with the given id.
func (a *App) Interface(id int) *probe.Interface {
	for _, i := range a.Interfaces {
		if i.ID() == id {
			return i
		}
	}
	return nil
}
