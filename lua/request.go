package lua

import (
	"time"

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

	// Set by ntop.sendRestAnswer.
	Answered    bool
	Status      int
	Body        []byte
	ContentType string
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
