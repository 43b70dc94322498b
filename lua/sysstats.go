package lua

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	glua "github.com/yuin/gopher-lua"
)

// cpuSampler keeps the last /proc/stat sample so that cpu_states can be
// reported as the split between two samples (spec B.2 system_host_stats).
type cpuSampler struct {
	mu         sync.Mutex
	prev, last []uint64
	at         time.Time
}

var cpuSamples cpuSampler

var cpuStateNames = []string{"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice"}

func readCPU() []uint64 {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return nil
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 2 || fields[0] != "cpu" {
		return nil
	}
	out := make([]uint64, len(cpuStateNames))
	for i := range out {
		if i+1 < len(fields) {
			out[i], _ = strconv.ParseUint(fields[i+1], 10, 64)
		}
	}
	return out
}

// states samples /proc/stat (at most once a second) and returns the
// percentages between the two latest samples, or nil before two exist.
func (c *cpuSampler) states() []float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) >= time.Second || c.last == nil {
		if s := readCPU(); s != nil {
			c.prev, c.last, c.at = c.last, s, time.Now()
		}
	}
	if c.prev == nil || c.last == nil {
		return nil
	}
	var total float64
	d := make([]float64, len(c.last))
	for i := range c.last {
		d[i] = float64(c.last[i] - c.prev[i])
		total += d[i]
	}
	if total == 0 {
		return nil
	}
	for i := range d {
		d[i] = d[i] * 100 / total
	}
	return d
}

func readKV(path string, keys map[string]string) map[string]uint64 {
	out := map[string]uint64{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		if name, want := keys[k]; want {
			fs := strings.Fields(v)
			if len(fs) > 0 {
				out[name], _ = strconv.ParseUint(fs[0], 10, 64)
			}
		}
	}
	return out
}

// getSystemHostStats returns the system_host_stats object.
func (b *binder) getSystemHostStats(L *glua.LState) int {
	t := L.NewTable()
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if fs := strings.Fields(string(data)); len(fs) > 0 {
			v, _ := strconv.ParseFloat(fs[0], 32)
			setNum(t, "cpu_load", float64(float32(v)))
		}
	}
	if st := cpuSamples.states(); st != nil {
		cs := L.NewTable()
		for i, n := range cpuStateNames {
			setNum(cs, n, st[i])
		}
		t.RawSetString("cpu_states", cs)
	}
	mem := readKV("/proc/meminfo", map[string]string{"MemTotal": "mem_total", "MemFree": "mem_free",
		"Buffers": "mem_buffers", "Cached": "mem_cached", "SReclaimable": "mem_sreclaimable", "Shmem": "mem_shmem"})
	for _, k := range []string{"mem_total", "mem_free", "mem_buffers", "mem_cached", "mem_sreclaimable", "mem_shmem"} {
		setU(t, k, mem[k])
	}
	used := int64(mem["mem_total"]) - int64(mem["mem_free"]) - (int64(mem["mem_buffers"]) + int64(mem["mem_cached"]) + int64(mem["mem_sreclaimable"]) - int64(mem["mem_shmem"]))
	setNum(t, "mem_used", float64(used))
	self := readKV("/proc/self/status", map[string]string{"VmRSS": "rss", "VmSize": "vsz"})
	setU(t, "mem_ntopng_resident", self["rss"])
	setU(t, "mem_ntopng_virtual", self["vsz"])
	setNum(t, "dropped_alerts", 0)
	setNum(t, "written_alerts", 0)
	setNum(t, "alerts_queries", 0)
	q := L.NewTable()
	setNum(q, "pct_not_enqueued", 0)
	aq := L.NewTable()
	aq.RawSetString("internal_alerts_queue", q)
	as := L.NewTable()
	as.RawSetString("alert_queues", aq)
	t.RawSetString("alerts_stats", as)
	L.Push(t)
	return 1
}
