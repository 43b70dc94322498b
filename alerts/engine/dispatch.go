package engine

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
)

// Notification is an alert as recipients see it.
type Notification struct {
	Family    string `json:"family"` // flow, host, interface, system, ...
	IfID      int    `json:"ifid"`
	Type      int    `json:"alert_id"`
	TypeName  string `json:"alert_type"`
	Check     string `json:"script_key,omitempty"`
	Score     int    `json:"score"`
	Severity  string `json:"severity"`
	Tstamp    int64  `json:"tstamp"`
	TstampEnd int64  `json:"tstamp_end,omitempty"`
	// Entity names what the alert is about: "ip@vlan", a flow
	// "cli:port -> srv:port", an interface name.
	Entity      string `json:"entity"`
	Description string `json:"description"`
	// Status: "stored" (one-shot alerts, e.g. flows), "engaged",
	// "released".
	Status string `json:"status"`
}

// Dispatcher hands alerts to notification recipients. The notifications
// subsystem implements it with recipients and endpoints; Dispatch is
// called from the engine's goroutines and must not block for long.
type Dispatcher interface {
	Dispatch(n Notification)
}

func (w *worker) dispatch(n Notification) { w.e.dispatch(n) }

func (e *Engine) dispatch(n Notification) {
	d := e.opts.Dispatcher
	if d == nil {
		return
	}
	fam := alerts.FamilyOther
	switch n.Family {
	case "flow":
		fam = alerts.FamilyFlow
	case "host":
		fam = alerts.FamilyHost
	}
	if t, ok := alerts.TypeByFamilyKey(fam, n.Type); ok {
		n.TypeName = t.Name
	}
	if s, ok := alerts.SeverityByID(alerts.ScoreToSeverity(n.Score)); ok {
		n.Severity = s.Key
	}
	d.Dispatch(n)
}

// JSONLines is a recipient that appends every alert as one JSON object
// per line to a file (in the data directory), flushed after each line so
// that a crash loses nothing already dispatched.
type JSONLines struct {
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	errs int
}

// OpenJSONLines opens (creating or appending) path.
func OpenJSONLines(path string) (*JSONLines, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, err
	}
	return &JSONLines{f: f, w: bufio.NewWriter(f)}, nil
}

// Dispatch writes n as one line.
func (j *JSONLines) Dispatch(n Notification) {
	b, err := json.Marshal(struct {
		Notification
		Time string `json:"time"`
	}{n, time.Unix(n.Tstamp, 0).UTC().Format(time.RFC3339)})
	if err != nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.w.Write(append(b, '\n')); err != nil {
		j.errs++
		return
	}
	if err := j.w.Flush(); err != nil {
		j.errs++
	}
}

// Close flushes and closes the file.
func (j *JSONLines) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.w.Flush()
	return j.f.Close()
}
