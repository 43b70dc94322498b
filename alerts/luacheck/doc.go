// Package luacheck runs user-written Lua checks (spec lua-checks-api.md)
// on copies of flows, hosts and interfaces handed over by the alert
// engine, off the packet path.
//
// # Two kinds of scripts
//
// Reference scripts keep ntopng's file names and semantics and run
// unchanged: flows/custom_flow_lua_script.lua runs once per flow when its
// protocol is detected, with a global `flow` object, when the flow check
// custom_lua_script is enabled; hosts/custom_host_lua_script.lua runs every
// minute for every host, with a global `host` object, when the host check
// custom_host_lua_script is enabled. Their alerts are the custom_lua_script
// types (flow 87, host 24).
//
// Check scripts live in {flow,host,interface}/<key>.lua and return a
// metadata table whose hooks are functions (see docs/lua-checks.md): each
// becomes a check of the checks configuration (Runner.Defs, Runner.Sync),
// enabled, disabled and configured like a built-in one; its script_conf
// reaches the hooks as a Lua table.
//
// # Where scripts come from
//
// Options.UserDir (the checks folder of the data directory) first, then
// Options.Dirs in order: a script of the user folder replaces a shipped
// script with the same key. Reload rescans the folders by modification
// time: new and changed files are compiled once into a FunctionProto, a
// file that no longer compiles is reported and its previous version keeps
// running, a deleted file stops running.
//
// # Sandbox
//
// Each call runs in a pooled gopher-lua state that holds only a safe
// library subset (see sandbox.go), with a fresh table for globals, so
// nothing a script assigns to a global survives the call or reaches
// another script. A call that exceeds Options.Budget is stopped (the state
// watches a context between instructions) and its script is disabled for
// Options.DisableFor; a script that fails Options.MaxFailures times in a
// row is disabled likewise. The context cannot interrupt a Go function,
// so calls run on the state's own goroutine: a call stuck inside one
// library function (a backtracking pattern) is abandoned there after a
// while, and its script disabled until its file changes. Problems reach
// Options.Report; they never reach the caller, which only sees fewer
// alerts.
//
// # For the engine
//
// New loads the folders; Sync registers the check scripts with the checks
// configuration (checks.Store.Register); Configured(store.Enabled) has the
// Run methods the engine calls. Calling Reload every few seconds, and Sync
// when it reports a change, gives hot reload. Close releases the states.
package luacheck
