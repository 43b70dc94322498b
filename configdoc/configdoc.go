// Package configdoc implements ntopng's configuration documents
// (rest-config-import-export.md): {"version":"1.0","modules":{...}}, made
// of modules that subsystems register, and the export / import / reset
// verbs of the config endpoints.
//
// An import validates the whole document, every module included, before
// the first module writes anything: a document with a bad part changes
// nothing. Each module then applies its part in one transaction.
package configdoc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Version is the only document version accepted.
const Version = "1.0"

// Module is one section of a configuration document.
type Module interface {
	// Export returns the section (a value encoding/json can marshal).
	Export(ctx context.Context) (any, error)
	// Validate checks a section without changing anything.
	Validate(raw json.RawMessage) error
	// Import applies a validated section. partial reports elements that
	// were skipped (PARTIAL_IMPORT).
	Import(ctx context.Context, raw json.RawMessage) (partial bool, err error)
	// Reset restores the defaults of the section.
	Reset(ctx context.Context) error
}

// Endpoints maps the config endpoints (export/<name>/config.lua) to their
// modules, in import order.
var Endpoints = map[string][]string{
	"pool":   {"snmp", "active_monitoring", "notifications", "scripts", "pool"},
	"checks": {"scripts"},
	// The public v1 spec's name of checks/config (renamed in 2021).
	"scripts": {"scripts"},
}

// Registry holds the modules of the program.
type Registry struct {
	modules map[string]Module
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{modules: map[string]Module{}} }

// Register adds (or replaces) the module called name.
func (r *Registry) Register(name string, m Module) { r.modules[name] = m }

// Codes of an import or export, as rc_str names.
const (
	OK               = "OK"
	InvalidArguments = "INVALID_ARGUMENTS"
	Mismatch         = "CONFIGURATION_FILE_MISMATCH"
	BadContent       = "BAD_CONTENT"
	PartialImport    = "PARTIAL_IMPORT"
	InternalError    = "INTERNAL_ERROR"
)

// Result is the outcome of an import: a return code and, for errors, why.
type Result struct {
	Code    string
	Message string
}

func (r *Registry) modulesOf(endpoint string) ([]string, error) {
	names, ok := Endpoints[endpoint]
	if !ok {
		return nil, fmt.Errorf("no configuration endpoint %q", endpoint)
	}
	for _, n := range names {
		if r.modules[n] == nil {
			return nil, fmt.Errorf("module %q is not registered", n)
		}
	}
	return names, nil
}

// Export builds the document of endpoint. A module that fails is left out
// and reported in failed (INTERNAL_ERROR with the partial document).
func (r *Registry) Export(ctx context.Context, endpoint string) (doc []byte, failed []string, err error) {
	names, err := r.modulesOf(endpoint)
	if err != nil {
		return nil, nil, err
	}
	mods := map[string]any{}
	for _, n := range names {
		v, err := r.modules[n].Export(ctx)
		if err != nil {
			failed = append(failed, n+": "+err.Error())
			continue
		}
		mods[n] = v
	}
	doc, err = json.Marshal(struct {
		Version string         `json:"version"`
		Modules map[string]any `json:"modules"`
	}{Version, mods})
	return doc, failed, err
}

// Import applies the document text to the modules of endpoint
// (rest-config-import-export.md §3.2).
func (r *Registry) Import(ctx context.Context, endpoint, text string) Result {
	names, err := r.modulesOf(endpoint)
	if err != nil {
		return Result{InternalError, err.Error()}
	}
	mods, res := parse(text)
	if res.Code != OK {
		return res
	}
	var missing []string
	for _, n := range names {
		if _, ok := mods[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return Result{Mismatch, "the document has no " + strings.Join(missing, ", ") + " module"}
	}
	for _, n := range names {
		if err := r.modules[n].Validate(mods[n]); err != nil {
			return Result{BadContent, "module " + n + ": " + err.Error()}
		}
	}
	res = Result{Code: OK}
	var msgs []string
	for _, n := range names {
		partial, err := r.modules[n].Import(ctx, mods[n])
		switch {
		case err != nil:
			res.Code = InternalError
			msgs = append(msgs, "module "+n+": "+err.Error())
		case partial:
			res.Code = PartialImport
			msgs = append(msgs, "module "+n+": some elements were not imported")
		}
	}
	res.Message = strings.Join(msgs, "; ")
	return res
}

// Reset restores the defaults of every module of endpoint.
func (r *Registry) Reset(ctx context.Context, endpoint string) error {
	names, err := r.modulesOf(endpoint)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		if err := r.modules[n].Reset(ctx); err != nil {
			errs = append(errs, fmt.Errorf("module %s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}

// ResetModule restores the defaults of one module.
func (r *Registry) ResetModule(ctx context.Context, name string) error {
	m := r.modules[name]
	if m == nil {
		return fmt.Errorf("module %q is not registered", name)
	}
	return m.Reset(ctx)
}

// parse checks the envelope of a document and returns its modules.
func parse(text string) (map[string]json.RawMessage, Result) {
	if strings.TrimSpace(text) == "" {
		return nil, Result{InvalidArguments, "missing configuration document"}
	}
	var doc struct {
		Version json.RawMessage            `json:"version"`
		Modules map[string]json.RawMessage `json:"modules"`
	}
	dec := json.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&doc); err != nil {
		return nil, Result{InvalidArguments, "the document is not valid JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, Result{InvalidArguments, "trailing data after the document"}
	}
	var version string
	if err := json.Unmarshal(doc.Version, &version); err != nil || version != Version {
		return nil, Result{InvalidArguments, `"version" must be the string "1.0"`}
	}
	if doc.Modules == nil {
		return nil, Result{InvalidArguments, `the document has no "modules" object`}
	}
	return doc.Modules, Result{Code: OK}
}

// Absent is the module of a subsystem this program does not have (yet):
// it exports the subsystem's empty configuration; importing a non-empty
// section applies nothing and reports PARTIAL_IMPORT, so that nothing is
// dropped silently.
type Absent struct {
	// Empty is what the section exports (e.g. [] or {}).
	Empty any
}

// Export returns the empty configuration.
func (a Absent) Export(context.Context) (any, error) { return a.Empty, nil }

// Validate accepts any JSON value.
func (a Absent) Validate(json.RawMessage) error { return nil }

// Import applies nothing; a non-empty section is reported as partial.
func (a Absent) Import(_ context.Context, raw json.RawMessage) (bool, error) {
	return !emptyJSON(raw), nil
}

// Reset has nothing to reset.
func (a Absent) Reset(context.Context) error { return nil }

// emptyJSON: null, [], {}, or an object whose members are all null, []
// or {} (e.g. active monitoring's {"res":{},"vs_config":[]}).
func emptyJSON(raw json.RawMessage) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil && obj != nil {
		for _, v := range obj {
			if !emptyValue(v) {
				return false
			}
		}
		return true
	}
	return emptyValue(raw)
}

func emptyValue(raw json.RawMessage) bool {
	switch string(bytes.Join(bytes.Fields(raw), nil)) {
	case "", "null", "[]", "{}":
		return true
	}
	return false
}
