// Command ntopng is an ntopng-compatible traffic probe: it reads packets
// from pcap files or live interfaces, keeps flow and host tables, and
// serves ntopng's REST API from Lua scripts. main only wires components.
package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/alerts/engine"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/ntopng-go/ntopng/alerts/checks"
	"github.com/ntopng-go/ntopng/configdoc"
	"github.com/ntopng-go/ntopng/db"
	"github.com/ntopng-go/ntopng/geo"
	"github.com/ntopng-go/ntopng/lua"
	"github.com/ntopng-go/ntopng/options"
	"github.com/ntopng-go/ntopng/pools"
	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/dpi"
	"github.com/ntopng-go/ntopng/rest"
)

// version is reported by --version and the Server header.
const version = "6.2.0-go"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	logger := log.New(os.Stderr, "", log.LstdFlags)
	opts, err := options.Parse(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ntopng: %v\n", err)
		return 1
	}
	if opts.Help {
		fmt.Print(options.Usage())
		return 0
	}
	if opts.Version {
		fmt.Printf("ntopng %s\n", version)
		return 0
	}
	app, err := setup(opts, logger)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ntopng: %v\n", err)
		return 1
	}
	defer app.close()
	if err := app.serve(); err != nil {
		fmt.Fprintf(os.Stderr, "ntopng: %v\n", err)
		return 1
	}
	return 0
}

// program holds the running components.
type program struct {
	opts     *options.Options
	log      *log.Logger
	db       *db.DB
	geo      *geo.DB
	ifaces   []*probe.Interface
	sources  []capture.Source
	files    []bool // files[i]: input i is a file (packet clock)
	server   *rest.Server
	checks   *engine.Engine
	alertLog *engine.JSONLines
	lua      *luaChecks
}

func setup(opts *options.Options, logger *log.Logger) (*program, error) {
	p := &program{opts: opts, log: logger}
	if len(opts.Interfaces) == 0 {
		return nil, errors.New("no interface given: use -i <pcap file or interface>")
	}
	if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory %q: %w", opts.DataDir, err)
	}
	if opts.PidFile != "" {
		if err := os.WriteFile(opts.PidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("pid file %q: %w", opts.PidFile, err)
		}
	}
	store, err := db.Open(filepath.Join(opts.DataDir, "ntopng.db"))
	if err != nil {
		return nil, err
	}
	p.db = store
	if _, err := store.EnsureDefaultAdmin(context.Background()); err != nil {
		p.close()
		return nil, err
	}
	if def, err := store.DefaultAdminPasswordInUse(context.Background()); err == nil && def {
		// ntopng redirects every request of such an admin to a password
		// page; REST clients must keep working, so we only warn.
		logger.Printf("WARNING: user admin still has the default password \"admin\": change it with " +
			"POST /lua/rest/v1/edit/ntopng/user.lua {\"username\":\"admin\",\"password\":...,\"confirm_password\":...}")
	}
	reg := dpi.NewRegistry()
	if opts.NDPIProtocols != "" {
		if err := reg.LoadCustomProtocols(opts.NDPIProtocols); err != nil {
			p.close()
			return nil, err
		}
	}
	locals := probe.NewLocalNets(opts.LocalNetworks, opts.LocalNetworksText)
	names := probe.NewNameCache(65536)
	geoDB, err := geo.Open(opts.DataDir)
	if err != nil {
		// A broken database file must not stop the probe: geolocation is
		// simply off, and the log says why.
		logger.Printf("WARNING: geolocation disabled: %v", err)
	} else if city, asn := geoDB.Paths(); city != "" || asn != "" {
		logger.Printf("geolocation: city/country database %q, ASN database %q", city, asn)
	}
	p.geo = geoDB
	for i, name := range opts.Interfaces {
		src, err := capture.Open(name)
		if err != nil {
			p.close()
			return nil, err
		}
		st, statErr := os.Stat(name)
		isFile := statErr == nil && st.Mode().IsRegular()
		ifname := name
		if isFile {
			ifname = filepath.Base(name)
		}
		p.sources = append(p.sources, src)
		p.files = append(p.files, isFile)
		p.ifaces = append(p.ifaces, probe.New(probe.Config{
			ID: i, Name: ifname, LocalNets: locals, MaxFlows: opts.MaxNumFlows, MaxHosts: opts.MaxNumHosts,
			Registry: reg, Names: names, PacketClock: isFile, Geo: geoDB,
		}))
	}
	poolMgr, err := pools.New(context.Background(), store, pools.Config{
		MaxPools: opts.MaxHostPools, MaxMembers: opts.MaxPoolMembers,
		LocalNets: localNetsOf(opts), Logger: logger,
	})
	if err != nil {
		p.close()
		return nil, err
	}
	checksStore, err := checks.NewStore(context.Background(), store.SQL(), checks.Builtin())
	if err != nil {
		p.close()
		return nil, err
	}
	alertStore := alertdb.New(store, alertdb.Options{ProtoByName: func(name string) (int, bool) {
		p, ok := reg.ByName(name)
		if !ok {
			return 0, false
		}
		return int(p.ID), true
	}})
	// The check engine: alerts go to the store and, until the
	// notifications subsystem exists, to a JSON-lines file recipient.
	p.alertLog, err = engine.OpenJSONLines(filepath.Join(opts.DataDir, "alerts.jsonl"))
	if err != nil {
		p.close()
		return nil, fmt.Errorf("alert log: %w", err)
	}
	scripts, err := scriptsDir()
	if err != nil {
		p.close()
		return nil, err
	}
	// User Lua checks: shipped ones and <datadir>/checks.
	p.lua, err = openLuaChecks(scripts, opts.DataDir, checksStore, logger.Printf)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("lua checks: %w", err)
	}
	p.checks = engine.New(engine.Options{Store: alertStore, Checks: checksStore, Registry: reg,
		Blacklists: engine.NewBlacklists(filepath.Join(opts.DataDir, "blacklists")),
		Dispatcher: p.alertLog, Scripts: p.lua.scripts(), Log: logger})
	p.lua.attach(p.checks)
	for _, ifc := range p.ifaces {
		p.checks.Attach(ifc)
	}
	for _, ifc := range p.ifaces {
		// Every pool change re-evaluates the hosts of every interface.
		poolMgr.Subscribe(func(m *pools.Matcher) { ifc.SetPools(m) })
	}
	aliases, err := store.HostAliases(context.Background())
	if err != nil {
		p.close()
		return nil, err
	}
	luaApp := &lua.App{Interfaces: p.ifaces, Registry: reg, Version: version, Start: time.Now(),
		HostAliases: aliases.Get, DataDir: opts.DataDir, Users: store,
		Pools: poolMgr, Config: configModules(poolMgr, checksStore), Checks: checksStore, Alerts: alertStore, EngagedAlerts: p.checks.Engaged,
		AlertCounts: func(ifid int) (int, uint64) { return p.checks.EngagedCount(ifid), p.checks.Dropped(ifid) },
		SetHostAlias: func(ctx context.Context, host, alias string) error {
			_, err := aliases.Set(ctx, host, alias)
			return err
		}}
	rt := lua.New(lua.Config{
		ModulesDir: filepath.Join(scripts, "lua", "modules"),
		PoolSize:   16,
		Timeout:    30 * time.Second,
		Installers: []lua.Installer{lua.Bindings(luaApp)},
	})
	p.server = rest.New(rest.Config{
		Addr: opts.HTTPAddr, ScriptsDir: scripts, DisableLogin: opts.DisableLogin,
		Users: rest.DBUsers{Store: store}, Runtime: rt, Version: version, Logger: logger,
		Interfaces: func(name string) bool {
			for _, i := range p.ifaces {
				if i.Name() == name {
					return true
				}
			}
			return false
		},
	})
	if err := p.server.Listen(); err != nil {
		p.close()
		return nil, fmt.Errorf("http server on %s: %w", opts.HTTPAddr, err)
	}
	return p, nil
}

// localNetsOf lists the -m networks as network pools name them.
func localNetsOf(opts *options.Options) []pools.LocalNet {
	out := make([]pools.LocalNet, len(opts.LocalNetworks))
	for i, n := range opts.LocalNetworks {
		out[i].Prefix = n
		if i < len(opts.LocalNetworkAliases) {
			out[i].Alias = opts.LocalNetworkAliases[i]
		}
	}
	return out
}

// configModules registers the sections of configuration documents. The
// subsystems this program does not have yet (SNMP devices, active
// monitoring, notification endpoints) export their empty configuration,
// and importing a non-empty one is reported as partial (docs/pools.md).
func configModules(pm *pools.Manager, cs *checks.Store) *configdoc.Registry {
	r := configdoc.NewRegistry()
	r.Register("pool", pm.ConfigModule())
	r.Register("scripts", cs.ConfigModule())
	r.Register("snmp", configdoc.Absent{Empty: []any{}})
	r.Register("active_monitoring", configdoc.Absent{Empty: map[string]any{"res": map[string]any{}, "vs_config": []any{}}})
	r.Register("notifications", configdoc.Absent{Empty: []any{}})
	return r
}

// scriptsDir finds the scripts/ folder: next to the executable, else in the
// working directory (go run, tests).
func scriptsDir() (string, error) {
	var candidates []string
	if env := os.Getenv("NTOPNG_SCRIPTS_DIR"); env != "" {
		candidates = append(candidates, env)
	}
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "scripts"))
	}
	if wd, err := os.Getwd(); err == nil {
		candidates = append(candidates, filepath.Join(wd, "scripts"))
	}
	if src := sourceScripts(); src != "" {
		candidates = append(candidates, src)
	}
	for _, c := range candidates {
		if st, err := os.Stat(filepath.Join(c, "lua", "modules", "rest_utils.lua")); err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", errors.New("cannot find the scripts/ folder (set NTOPNG_SCRIPTS_DIR)")
}

func (p *program) close() {
	for _, s := range p.sources {
		_ = s.Close()
	}
	if p.lua != nil {
		p.lua.close()
	}
	if p.alertLog != nil {
		_ = p.alertLog.Close()
	}
	if p.db != nil {
		_ = p.db.Close()
	}
	if p.geo != nil {
		_ = p.geo.Close()
	}
	if p.opts != nil && p.opts.PidFile != "" {
		_ = os.Remove(p.opts.PidFile)
	}
}

// runScript runs a test script through /bin/sh, with ntopng's timing.
func (p *program) runScript(what, script string) {
	if script == "" {
		return
	}
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		p.log.Printf("WARNING: %s script: %v", what, err)
	}
}

func (p *program) serve() error {
	serveErr := make(chan error, 1)
	go func() { serveErr <- p.server.Serve() }()
	p.log.Printf("REST API listening on %s", p.server.Addr())

	// pre: the server accepts requests, no capture has been read.
	p.runScript("pre", p.opts.TestScriptPre)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	captureCtx, cancelCapture := context.WithCancel(ctx)
	defer cancelCapture()
	checksCtx, stopChecks := context.WithCancel(context.Background())
	defer stopChecks()
	p.checks.Start(checksCtx)
	p.lua.watch(checksCtx, p.checks)

	var filesDone, all sync.WaitGroup
	live := false
	for i, ifc := range p.ifaces {
		src, isFile := p.sources[i], p.files[i]
		if isFile {
			filesDone.Add(1)
		} else {
			live = true
		}
		all.Add(1)
		go func() {
			defer all.Done()
			if isFile {
				defer filesDone.Done()
			}
			if err := ifc.Capture(captureCtx, src); err != nil {
				p.log.Printf("ERROR: interface %s: %v", ifc.Name(), err)
			}
			p.log.Printf("interface %s: capture finished", ifc.Name())
		}()
	}

	inputsRead := make(chan struct{})
	go func() { filesDone.Wait(); close(inputsRead) }()
	select {
	case <-inputsRead:
	case <-ctx.Done():
	case err := <-serveErr:
		return err
	}
	if ctx.Err() == nil {
		// runtime: every file input read, last housekeeping done, all
		// hosts and flows still in memory, their checks done.
		p.checks.Drain(ctx)
		p.runScript("runtime", p.opts.TestScript)
	}
	if !(p.opts.ShutdownWhenDone && !live) {
		select {
		case <-ctx.Done():
		case err := <-serveErr:
			return err
		}
	}
	// Shut the interfaces down, then post, then exit.
	cancelCapture()
	all.Wait()
	p.checks.Drain(ctx)
	stopChecks()
	p.checks.Wait()
	p.runScript("post", p.opts.TestScriptPost)
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.server.Shutdown(shutCtx)
}
