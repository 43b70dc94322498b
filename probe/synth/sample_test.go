package synth

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/sample.pcap")

// TestSampleCaptureUpToDate keeps the bundled sample capture identical to
// what WriteSample produces; run with -update after changing the scenario.
func TestSampleCaptureUpToDate(t *testing.T) {
	var buf bytes.Buffer
	w, err := WriteSample(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if w.Frames == 0 || len(w.Flows) == 0 {
		t.Fatal("empty sample")
	}
	path := filepath.Join("..", "..", "testdata", "sample.pcap")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./probe/synth -update)", err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatal("testdata/sample.pcap differs from WriteSample (run go test ./probe/synth -update)")
	}
}
