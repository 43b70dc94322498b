// Package engine is the check engine: it runs the built-in and user
// flow, host and interface checks on copies of the probe's tables, off the
// packet path, keeps engaged alerts in memory, stores historical alerts
// and hands every alert to the dispatcher (recipients).
//
// Each attached interface has one worker goroutine. The capture goroutine
// hands it flow events (probe.CheckSink) through a bounded queue: a file
// input waits when the queue is full, so its alerts do not depend on
// timing; a live input never waits and the events that do not fit are
// counted as dropped. Minute ticks of the reference clock travel in the
// same queue, so host and interface checks run in capture order too; a
// file input also waits for the checks of each tick, which read the
// probe's host and interface tables as they are at the tick.
package engine

import (
	"context"
	"encoding/json"
	"log"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/dpi"
)

// Scripts runs user-written Lua checks (alerts/luacheck behind an adapter
// that knows the checks configuration).
type Scripts interface {
	// Active reports whether a script of subdir ("flow", "host",
	// "interface") is enabled on hook.
	Active(subdir, hook string) bool
	RunFlow(hook string, v *alerts.FlowView) []alerts.Raised
	RunHost(hook string, v *alerts.HostView) []alerts.Raised
	RunInterface(hook string, v *alerts.InterfaceView) []alerts.Raised
}

// Options configure an Engine.
type Options struct {
	// Store receives historical alerts (nil: alerts are only dispatched).
	Store *alertdb.Store
	// Checks is the checks configuration (required).
	Checks *checks.Store
	// Registry gives protocol breeds (remote_to_local_insecure_proto).
	Registry *dpi.Registry
	// Blacklists are the address lists of blacklisted hosts (nil: none).
	Blacklists *Blacklists
	// Dispatcher receives every alert (nil: none).
	Dispatcher Dispatcher
	// Scripts runs user Lua checks (nil: none).
	Scripts Scripts
	// QueueSize is the capacity of each interface queue in batches
	// (default 1024).
	QueueSize int
	// HealthEvery is the period of the system checks of the engine itself
	// (default one minute of wall clock).
	HealthEvery time.Duration
	Log         *log.Logger
}

// Engine runs checks for a set of interfaces.
type Engine struct {
	opts    Options
	cfg     atomic.Pointer[config]
	workers []*worker
	engaged engagedTable
	wg      sync.WaitGroup
}

// New returns an engine; Attach interfaces, then Start it.
func New(opts Options) *Engine {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1024
	}
	if opts.HealthEvery <= 0 {
		opts.HealthEvery = time.Minute
	}
	if opts.Log == nil {
		opts.Log = log.Default()
	}
	e := &Engine{opts: opts}
	e.engaged.m = map[engagedKey]*engagedAlert{}
	e.reload()
	opts.Checks.OnChange(e.reload)
	return e
}

// reload takes a new snapshot of the checks configuration (every save
// of the configuration reloads the checks, spec §4.2).
func (e *Engine) reload() {
	c := loadConfig(e.opts.Checks)
	e.cfg.Store(c)
	for _, w := range e.workers {
		w.ifc.SetScoredRisks(c.scoredRisks)
	}
}

// Attach makes the engine check ifc. Call it before ifc captures.
func (e *Engine) Attach(ifc *probe.Interface) {
	w := &worker{e: e, ifc: ifc, file: ifc.IsFile(),
		queue:  make(chan batch, e.opts.QueueSize),
		flows:  map[*probe.Flow]*flowState{},
		hosts:  map[hostKey]*hostState{},
		minute: newMinuteStats(),
	}
	e.workers = append(e.workers, w)
	ifc.SetScoredRisks(e.cfg.Load().scoredRisks)
	ifc.SetCheckSink(w)
}

// Start runs the workers until ctx ends.
func (e *Engine) Start(ctx context.Context) {
	for _, w := range e.workers {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			w.run(ctx)
		}()
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.watchHealth(ctx)
	}()
}

// Wait waits for the workers to stop (after ctx ended).
func (e *Engine) Wait() { e.wg.Wait() }

// Drain waits until every event queued so far on every interface has been
// checked and its alerts stored (file inputs call it before the runtime
// test script, so alerts are visible when it runs).
func (e *Engine) Drain(ctx context.Context) {
	for _, w := range e.workers {
		done := make(chan struct{})
		select {
		case w.queue <- batch{done: done}:
		case <-ctx.Done():
			return
		}
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
	}
}

// Dropped is the number of flow events interface ifid dropped because its
// queue was full (live inputs only).
func (e *Engine) Dropped(ifid int) uint64 {
	for _, w := range e.workers {
		if w.ifc.ID() == ifid {
			return w.dropped.Load()
		}
	}
	return 0
}

// Engaged lists the engaged alerts of a family on interface ifid
// (system-scoped families ignore ifid), for the REST layer.
func (e *Engine) Engaged(ifid int, fam alertdb.Family) []alertdb.Record {
	return e.engaged.list(ifid, fam)
}

// EngagedCount is the number of engaged alerts of interface ifid.
func (e *Engine) EngagedCount(ifid int) int { return e.engaged.count(ifid) }

// batch is one delivery of the capture goroutine, or a drain marker.
type batch struct {
	evs  []probe.FlowEvent
	done chan struct{}
}

// worker checks one interface. Everything but queue and dropped is owned
// by its goroutine.
type worker struct {
	e       *Engine
	ifc     *probe.Interface
	file    bool
	queue   chan batch
	dropped atomic.Uint64
	batches atomic.Uint64 // batches checked, for the health checks

	flows map[*probe.Flow]*flowState
	hosts map[hostKey]*hostState
	// minute collects, between two minute ticks, what host checks derive
	// from flows (servers and names contacted, incomplete flows).
	minute   *minuteStats
	lastTick int64 // reference clock of the previous minute tick (µs)
	// ticks counts the intervals checked; active5 holds the engaged
	// alerts raised by the last "5mins" pass of the scripts.
	ticks   int
	active5 map[engagedKey]bool
	// ifaceBase and droppedBase: interface counters at the previous tick.
	ifaceBase   alerts.InterfaceView
	droppedBase uint64
}

// FlowEvents is the probe.CheckSink side: it copies the batch into the
// queue.
func (w *worker) FlowEvents(evs []probe.FlowEvent) {
	b := batch{evs: append([]probe.FlowEvent(nil), evs...)}
	if w.file {
		// Host and interface checks read the probe's tables when the
		// worker reaches the tick: a file input waits for them, or they
		// would see traffic read after the tick.
		if slices.ContainsFunc(evs, func(ev probe.FlowEvent) bool { return ev.Hook == probe.HookMinute }) {
			b.done = make(chan struct{})
		}
		w.queue <- b
		if b.done != nil {
			<-b.done
		}
		return
	}
	select {
	case w.queue <- b:
	default:
		w.dropped.Add(uint64(len(evs)))
	}
}

func (w *worker) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-w.queue:
			for i := range b.evs {
				w.event(&b.evs[i])
			}
			w.batches.Add(1)
			if b.done != nil {
				close(b.done)
			}
		}
	}
}

func (w *worker) event(ev *probe.FlowEvent) {
	if ev.Hook == probe.HookMinute {
		w.tick(ev.Now)
		return
	}
	w.flowEvent(ev)
}

func (w *worker) logf(format string, args ...any) { w.e.opts.Log.Printf(format, args...) }

// jsonText encodes v for an alert's json column.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
