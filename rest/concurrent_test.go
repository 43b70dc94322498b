package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ntopng-go/ntopng/probe"
	"github.com/ntopng-go/ntopng/probe/capture"
	"github.com/ntopng-go/ntopng/probe/dpi"
	"github.com/ntopng-go/ntopng/probe/synth"
)

// TestConcurrentRequestsWhileCapturing reads a capture into a live
// interface (live clock, so housekeeping and purging run too) while 200
// concurrent REST requests read the tables. Run with -race.
func TestConcurrentRequestsWhileCapturing(t *testing.T) {
	var pcap bytes.Buffer
	if _, err := synth.WriteSample(&pcap); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sample.pcap")
	mustWrite(t, path, pcap.String())

	reg := dpi.NewRegistry()
	ifc := probe.New(probe.Config{ID: 0, Name: "live-test", Registry: reg})
	ts := serveInterface(t, ifc, reg, 8)

	ctx, cancel := context.WithCancel(context.Background())
	captured := make(chan struct{})
	go func() {
		defer close(captured)
		for ctx.Err() == nil { // replay the file until the requests are done
			src, err := capture.OpenFile(path)
			if err != nil {
				t.Error(err)
				return
			}
			_ = ifc.Capture(ctx, src)
			src.Close()
		}
	}()

	paths := []string{
		"/lua/rest/v1/get/interface/data.lua?ifid=0",
		"/lua/rest/v1/get/host/active.lua?ifid=0&perPage=50&sortColumn=traffic",
		"/lua/rest/v1/get/flow/active.lua?ifid=0&perPage=50&verbose=true",
		"/lua/rest/v1/get/host/data.lua?ifid=0&host=192.168.1.10",
		"/lua/rest/v1/get/flow/l7/counters.lua?ifid=0",
		"/lua/rest/v1/get/flow/l4/counters.lua?ifid=0",
		"/lua/rest/v1/get/host/interfaces.lua?host=192.168.1.20",
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := paths[i%len(paths)]
			resp, err := http.Get(ts.URL + p)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var env struct {
				RC    *int            `json:"rc"`
				RCStr string          `json:"rc_str"`
				HR    string          `json:"rc_str_hr"`
				Rsp   json.RawMessage `json:"rsp"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.RC == nil || env.HR == "" || env.Rsp == nil {
				errs <- fmt.Errorf("%s: not a valid envelope (%v)", p, err)
				return
			}
			// host/data may legitimately be NOT_FOUND before the host appears.
			if env.RCStr != "OK" && env.RCStr != "NOT_FOUND" {
				errs <- fmt.Errorf("%s: %s", p, env.RCStr)
			}
		}(i)
	}
	wg.Wait()
	cancel()
	<-captured
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ifc.Counters().Packets == 0 {
		t.Error("no packet was read during the test")
	}
}
