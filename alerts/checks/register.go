package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// checkID identifies a check.
type checkID struct{ subdir, key string }

// Register adds definitions known only at run time (user-written Lua
// checks) to the store, or replaces the registered definition of the same
// check (a script whose metadata changed). From then on they are checks
// like the built-in ones: Enable and Enabled know them, Reset writes their
// defaults, and the configuration document lists them.
//
// Every check of defs that the stored configuration lacks is added with
// its defaults, as NewStore does at start-up, and a check whose entry
// lacks some of the definition's hooks gets them with the entry's current
// enabled state and script_conf (its script gained a hook). Existing
// entries are never changed otherwise. What is added is saved in one
// transaction; nothing changes on error.
//
// Register refuses (InvalidArguments) a definition of a check given to
// NewStore, an unknown subdir, a key that is not a single word, a
// definition without hooks, a Conf or Filters that is not valid JSON, and
// the same check twice in defs.
//
// It does not call the OnChange listeners: its caller is the engine, which
// applies the checks it registers itself, and the entries it adds hold the
// defaults that Enabled already answers for a registered check missing
// from the document.
func (s *Store) Register(ctx context.Context, defs []Def) error {
	if err := s.validateRuntime(defs); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	nextDefs := slices.Clone(s.defs)
	for _, d := range defs {
		if i := slices.IndexFunc(nextDefs, func(x Def) bool { return x.Subdir == d.Subdir && x.Key == d.Key }); i >= 0 {
			nextDefs[i] = d
		} else {
			nextDefs = append(nextDefs, d)
		}
	}
	if !s.cfg.needsEntries(defs) {
		s.defs = nextDefs
		return nil
	}
	next := s.cfg.Clone()
	next.MergeDefaults(defs)
	next.addMissingHooks(defs)
	if err := s.save(ctx, next); err != nil {
		return err
	}
	s.cfg, s.defs = next, nextDefs
	return nil
}

// Unregister forgets the registered definition of (subdir, key) (its
// script was deleted) and reports whether there was one. The checks given
// to NewStore cannot be unregistered.
//
// The check's entry stays in the stored configuration, as ntopng keeps the
// entries of checks it no longer ships: a script that is removed for a
// while, renamed back, or that fails to load at one start-up keeps the
// enabled state and script_conf the administrator gave it, and an export
// taken meanwhile still carries them. Until the check is registered again,
// enable/disable answer "Unknown user script" for it, and Reset drops its
// entry.
func (s *Store) Unregister(subdir, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.builtin[checkID{subdir, key}] {
		return false
	}
	i := slices.IndexFunc(s.defs, func(d Def) bool { return d.Subdir == subdir && d.Key == key })
	if i < 0 {
		return false
	}
	s.defs = slices.Delete(slices.Clone(s.defs), i, i+1)
	return true
}

// validateRuntime checks definitions given to Register.
func (s *Store) validateRuntime(defs []Def) error {
	seen := make(map[checkID]bool, len(defs))
	for _, d := range defs {
		id := checkID{d.Subdir, d.Key}
		switch {
		case !IsSubdir(d.Subdir):
			return &Error{Kind: InvalidArguments, Msg: fmt.Sprintf("check %s/%s: unknown check subdir", d.Subdir, d.Key)}
		case d.Key == "" || strings.ContainsFunc(d.Key, func(r rune) bool { return !isWordRune(r) }):
			return &Error{Kind: InvalidArguments, Msg: fmt.Sprintf("check %s/%q: the key must be a single word", d.Subdir, d.Key)}
		case s.builtin[id]:
			return &Error{Kind: InvalidArguments, Msg: fmt.Sprintf("check %s/%s is built in", d.Subdir, d.Key)}
		case seen[id]:
			return &Error{Kind: InvalidArguments, Msg: fmt.Sprintf("check %s/%s is registered twice", d.Subdir, d.Key)}
		case len(d.Hooks) == 0:
			return &Error{Kind: InvalidArguments, Msg: fmt.Sprintf("check %s/%s has no hook", d.Subdir, d.Key)}
		case d.Conf != "" && !json.Valid([]byte(d.Conf)):
			return &Error{Kind: InvalidArguments, Msg: fmt.Sprintf("check %s/%s: the default configuration is not JSON", d.Subdir, d.Key)}
		case d.Filters != "" && !json.Valid([]byte(d.Filters)):
			return &Error{Kind: InvalidArguments, Msg: fmt.Sprintf("check %s/%s: the default filters are not JSON", d.Subdir, d.Key)}
		}
		seen[id] = true
	}
	return nil
}

// isWordRune: the characters of a "single word" (REST validation of
// script_key).
func isWordRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// needsEntries reports whether MergeDefaults or addMissingHooks would
// change c for defs.
func (c Config) needsEntries(defs []Def) bool {
	for _, d := range defs {
		entry := c.Checks[d.Subdir][d.Key]
		if len(entry) == 0 {
			return true
		}
		for _, h := range d.Hooks {
			if _, ok := entry[h]; !ok {
				return true
			}
		}
	}
	return false
}

// addMissingHooks gives the existing entry of every check of defs the
// hooks of its definition that it lacks, enabled when one of its hooks is
// and with the script_conf of its first hook, so that a script that gains
// a hook keeps the state its administrator chose.
func (c *Config) addMissingHooks(defs []Def) {
	for _, d := range defs {
		entry := c.Checks[d.Subdir][d.Key]
		if len(entry) == 0 {
			continue
		}
		var tmpl Hook
		names := slices.Sorted(maps.Keys(entry))
		tmpl.ScriptConf = entry[names[0]].ScriptConf
		for _, h := range names {
			tmpl.Enabled = tmpl.Enabled || entry[h].Enabled
		}
		var hooks map[string]Hook
		for _, h := range d.Hooks {
			if _, ok := entry[h]; ok {
				continue
			}
			if hooks == nil {
				hooks = maps.Clone(entry)
			}
			hooks[h] = tmpl
		}
		if hooks != nil {
			c.setHooks(d.Subdir, d.Key, hooks)
		}
	}
}
