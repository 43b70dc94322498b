package main

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/alerts/engine"
	"github.com/ntopng-go/ntopng/alerts/luacheck"
)

// alertSystemError is the system alert type of a user Lua check that
// failed (ntopng's alert_system_error).
const alertSystemError = 4187

// luaReloadEvery is how often the checks folders are looked at for new,
// changed and removed scripts (hot reload).
const luaReloadEvery = 5 * time.Second

// luaChecks connects the user Lua checks to the check engine: their
// problems become log lines and system alerts, and the scripts of the
// folders are reloaded while the program runs.
type luaChecks struct {
	runner *luacheck.Runner
	store  *checks.Store
	log    func(format string, args ...any)

	watching sync.WaitGroup // the watch goroutine, waited for by close

	mu     sync.Mutex
	engine *engine.Engine
	early  []luacheck.Problem // reported before the engine existed
}

// openLuaChecks loads the shipped checks (<scripts>/checks) and the user
// checks (<datadir>/checks) and registers them in the checks
// configuration.
func openLuaChecks(scriptsDir, dataDir string, store *checks.Store, logf func(string, ...any)) (*luaChecks, error) {
	lc := &luaChecks{store: store, log: logf}
	r, err := luacheck.New(luacheck.Options{
		Dirs:    []string{filepath.Join(scriptsDir, "checks")},
		UserDir: filepath.Join(dataDir, "checks"),
		Report:  lc.report,
		Output: func(subdir, key, text string) {
			logf("lua check %s/%s: %s", subdir, key, text)
		},
	})
	if err != nil {
		return nil, err
	}
	lc.runner = r
	if err := r.Sync(context.Background(), store); err != nil {
		r.Close()
		return nil, err
	}
	return lc, nil
}

// scripts is what the engine runs.
func (lc *luaChecks) scripts() engine.Scripts { return lc.runner.Configured(lc.store.Enabled) }

// attach makes e raise the system alerts of script problems, including
// those found while loading.
func (lc *luaChecks) attach(e *engine.Engine) {
	lc.mu.Lock()
	lc.engine = e
	early := lc.early
	lc.early = nil
	lc.mu.Unlock()
	for _, p := range early {
		lc.alert(e, p)
	}
}

// report is the runner's Report: a log line always, a system alert once
// the engine exists.
func (lc *luaChecks) report(p luacheck.Problem) {
	lc.log("%s", p)
	lc.mu.Lock()
	e := lc.engine
	if e == nil {
		lc.early = append(lc.early, p)
	}
	lc.mu.Unlock()
	if e != nil {
		lc.alert(e, p)
	}
}

func (lc *luaChecks) alert(e *engine.Engine, p luacheck.Problem) {
	if !e.SystemCheckOn("system_error") {
		return // the log line is written anyway
	}
	sev := alerts.SeverityError
	if p.Kind == luacheck.KindReenabled {
		sev = alerts.SeverityNotice
	}
	params := map[string]any{"script": p.Path, "problem": p.Kind}
	if !p.DisabledUntil.IsZero() {
		params["disabled_until"] = p.DisabledUntil.Unix()
	}
	e.SystemAlert(alertSystemError, sev, p.Subdir, p.Key, p.String(), params)
}

// watch starts reloading the scripts every luaReloadEvery until ctx
// ends; a change is registered in the checks configuration and applied
// by the engine.
func (lc *luaChecks) watch(ctx context.Context, e *engine.Engine) {
	lc.watching.Add(1)
	go func() {
		defer lc.watching.Done()
		t := time.NewTicker(luaReloadEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				lc.reload(ctx, e)
			}
		}
	}()
}

// reload applies the current content of the checks folders.
func (lc *luaChecks) reload(ctx context.Context, e *engine.Engine) {
	if !lc.runner.Reload() {
		return
	}
	if err := lc.runner.Sync(ctx, lc.store); err != nil {
		lc.log("ERROR: registering the lua checks: %v", err)
	}
	e.Reload()
}

// close stops using the scripts; the context given to watch must have
// ended.
func (lc *luaChecks) close() {
	lc.watching.Wait()
	lc.runner.Close()
}
