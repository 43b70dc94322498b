package checks

import (
	"context"
	"encoding/json"

	"github.com/ntopng-go/ntopng/configdoc"
)

// ModuleName is the name of the checks module in configuration documents.
const ModuleName = "scripts"

// ConfigModule is the "scripts" module of configuration documents
// (rest-config-import-export.md §4.4): its content is the answer of
// get/checks/config, {"0": <set>, "alert_exclusions": ...}, and an import
// has the semantics of set/checks/config.
type ConfigModule struct{ s *Store }

var _ configdoc.Module = (*ConfigModule)(nil)

// ConfigModule returns the "scripts" module of s.
func (s *Store) ConfigModule() *ConfigModule { return &ConfigModule{s: s} }

// Export returns the current document.
func (m *ConfigModule) Export(context.Context) (any, error) {
	doc, err := m.s.Document()
	if err != nil {
		return nil, err
	}
	return json.RawMessage(doc), nil
}

// Validate refuses a section that set/checks/config would refuse with
// INVALID_ARGUMENTS or BAD_CONTENT (the registry reports BAD_CONTENT).
// A set whose id is not 0 passes: its import fails with INTERNAL_ERROR,
// as in the reference, after the modules before it were imported.
func (m *ConfigModule) Validate(raw json.RawMessage) error {
	if _, err := parseSet(raw); err != nil && KindOf(err) != InternalError {
		return err
	}
	return nil
}

// Import applies the section like set/checks/config; an empty object
// changes nothing. It never reports a partial import.
func (m *ConfigModule) Import(ctx context.Context, raw json.RawMessage) (bool, error) {
	return false, m.s.Set(ctx, raw)
}

// Reset restores the default configuration and deletes the exclusions.
func (m *ConfigModule) Reset(ctx context.Context) error { return m.s.Reset(ctx) }
