package engine

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocsListEvaluatedChecks: docs/alerts.md names every check the
// engine evaluates, so that the page cannot silently fall behind.
func TestDocsListEvaluatedChecks(t *testing.T) {
	doc, err := os.ReadFile("../../docs/alerts.md")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, fc := range flowChecks {
		keys = append(keys, fc.key)
	}
	for _, hc := range hostChecks {
		keys = append(keys, hc.key)
	}
	keys = append(keys, "too_many_drops", "no_if_activity", "throughput", "dropped_alerts",
		"slow_periodic_activity", systemPeriodicNotExecuted, "system_error")
	for _, k := range keys {
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(k) + `\b`)
		if strings.HasPrefix(k, "unexpected_") {
			// written as one name: unexpected_dhcp/dns/ntp/smtp
			re = regexp.MustCompile(`unexpected_([a-z]+/)*` + strings.TrimPrefix(k, "unexpected_") + `\b`)
		}
		if !re.Match(doc) {
			t.Errorf("docs/alerts.md does not mention the check %s", k)
		}
	}
}
