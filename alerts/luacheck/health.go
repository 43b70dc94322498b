package luacheck

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Problem kinds.
const (
	// KindCompile: a script does not compile, or its metadata is invalid
	// (including a key that collides with a built-in check). The script is
	// not loaded; its previous version, if any, keeps running.
	KindCompile = "compile"
	// KindRuntime: a call failed. After Options.MaxFailures failures in a
	// row the script is disabled for Options.DisableFor (DisabledUntil is
	// set).
	KindRuntime = "runtime"
	// KindBudget: a call ran past Options.Budget and was stopped; the
	// script is disabled for Options.DisableFor.
	KindBudget = "budget"
	// KindStuck: a call stayed inside one library function (a pattern
	// that backtracks without end, say) long past its budget. The budget
	// cannot interrupt Go code, so the call was abandoned on its own
	// goroutine, and the script stays disabled until its file changes:
	// retrying would strand one more goroutine each time.
	KindStuck = "stuck"
	// KindReenabled: a disabled script's time is up; it runs again.
	KindReenabled = "reenabled"
)

// Problem is something the administrator of a script should know; the
// engine turns it into a log line and a system alert.
type Problem struct {
	// Subdir and Key name the check ("flow", "custom_lua_script" for the
	// reference flow script).
	Subdir, Key string
	// Path is the script file.
	Path string
	// Kind is one of KindCompile, KindRuntime, KindBudget, KindStuck,
	// KindReenabled.
	Kind    string
	Message string
	// DisabledUntil is set when the problem disabled the script.
	DisabledUntil time.Time
}

func (p Problem) String() string {
	s := fmt.Sprintf("lua check %s/%s (%s): %s: %s", p.Subdir, p.Key, p.Path, p.Kind, p.Message)
	if !p.DisabledUntil.IsZero() {
		s += "; disabled until " + p.DisabledUntil.Format(time.RFC3339)
	}
	return s
}

// reportEvery spaces the reports of runtime errors of one script that do
// not disable it (a script failing on some flows only would otherwise
// report thousands a second); the ones in between are counted.
const reportEvery = time.Minute

// health is the run-time state of a script, shared by the goroutines that
// run it. The hot path (a healthy script) reads two atomics; the mutex is
// taken only when something goes wrong.
type health struct {
	// disabledUntil is the Unix time in nanoseconds until which the script
	// does not run; 0 when it runs.
	disabledUntil atomic.Int64
	// failures counts consecutive failed calls.
	failures atomic.Int32
	// stuck: a call got stuck; this version of the script never runs
	// again.
	stuck atomic.Bool

	mu         sync.Mutex // guards the fields below
	lastReport time.Time
	suppressed int
}

// runnable reports whether the script may run at now, and the problem to
// report when its disabled time just ended.
func (r *Runner) runnable(s *script) bool {
	if s.health.stuck.Load() {
		return false
	}
	until := s.health.disabledUntil.Load()
	if until == 0 {
		return true
	}
	now := r.opts.Now()
	if now.UnixNano() < until {
		return false
	}
	// One goroutine wins the swap and reports; the others just run.
	if s.health.disabledUntil.CompareAndSwap(until, 0) {
		r.report(s, KindReenabled, "its disabled time is over: running it again", time.Time{})
	}
	return true
}

// succeeded resets the failure count.
func (s *script) succeeded() {
	if s.health.failures.Load() != 0 {
		s.health.failures.Store(0)
	}
}

// failed records a failed call of s and reports it.
func (r *Runner) failed(s *script, kind, msg string) {
	now := r.opts.Now()
	h := &s.health
	var until time.Time
	switch kind {
	case KindBudget:
		until = now.Add(r.opts.DisableFor)
		msg = fmt.Sprintf("stopped after its budget of %v: %s", r.opts.Budget, msg)
	default:
		if n := h.failures.Add(1); int(n) >= r.opts.MaxFailures {
			until = now.Add(r.opts.DisableFor)
			msg = fmt.Sprintf("%s (%d failures in a row)", msg, n)
		}
	}
	h.mu.Lock()
	if until.IsZero() && now.Sub(h.lastReport) < reportEvery {
		h.suppressed++
		h.mu.Unlock()
		return
	}
	if h.suppressed > 0 {
		msg = fmt.Sprintf("%s (and %d more errors since the last report)", msg, h.suppressed)
	}
	h.suppressed = 0
	h.lastReport = now
	h.mu.Unlock()
	if !until.IsZero() {
		h.failures.Store(0)
		h.disabledUntil.Store(until.UnixNano())
	}
	r.report(s, kind, msg, until)
}

// gotStuck disables s for good (until its file changes) after a call of
// hook got stuck, and reports it once.
func (r *Runner) gotStuck(s *script, hook string) {
	if s.health.stuck.CompareAndSwap(false, true) {
		r.report(s, KindStuck, fmt.Sprintf("hook %s: stuck in one library call for over %v (a pattern that backtracks?): "+
			"the call was abandoned, and the script stays disabled until its file changes", hook, r.stuckAfter), time.Time{})
	}
}

func (r *Runner) report(s *script, kind, msg string, until time.Time) {
	r.opts.Report(Problem{Subdir: s.subdir, Key: s.key, Path: s.path, Kind: kind, Message: msg, DisabledUntil: until})
}
