package alertdb

import (
	"fmt"
	"testing"
)

// benchFlowAlert returns a flow alert with every usual column set.
func benchFlowAlert(i int) Alert {
	return Alert{
		AlertID: 1 + i%40, Category: 1, InterfaceID: i % 2, Tstamp: 1700000000 + int64(i), Score: 10 + i%300,
		JSON: `{"info":"example.org","proto.ndpi":"TLS","ntopng.key":1234567}`,
		Fields: map[string]any{
			"ip_version": 4, "cli_ip": fmt.Sprintf("10.0.%d.%d", i/256%256, i%256), "srv_ip": "192.168.1.1",
			"cli_port": 40000 + i%20000, "srv_port": 443, "vlan_id": i % 4, "proto": 6, "l7_proto": 91,
			"l7_master_proto": 0, "l7_cat": 5, "cli_name": "host.example", "srv_name": "example.org",
			"cli_country": "IT", "srv_country": "US", "cli2srv_bytes": 1234, "srv2cli_bytes": 5678,
			"cli2srv_pkts": 12, "srv2cli_pkts": 14, "first_seen": 1700000000, "community_id": "1:abcdefabcdef=",
			"alerts_map": "0100000000", "flow_risk_bitmap": uint64(1) << 7, "is_cli_attacker": i%7 == 0,
			"info": "example.org", "cli_network": 1, "srv_network": 65535,
		},
	}
}

func BenchmarkInsert(b *testing.B) {
	for _, size := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			s, _ := newStore(b, Options{})
			batch := make([]Alert, size)
			for i := range batch {
				batch[i] = benchFlowAlert(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := s.Insert(ctx, FamilyFlow, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}

func BenchmarkQueryPage(b *testing.B) {
	const total = 100_000
	s, _ := newStore(b, Options{})
	batch := make([]Alert, 0, 1000)
	for i := range total {
		a := benchFlowAlert(i)
		a.InterfaceID = 0
		batch = append(batch, a)
		if len(batch) == cap(batch) {
			if err := s.Insert(ctx, FamilyFlow, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	run := func(name string, f Filter, wantTotal int) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				recs, n, err := s.Query(ctx, FamilyFlow, f)
				if err != nil {
					b.Fatal(err)
				}
				if len(recs) != 50 || (wantTotal > 0 && n != wantTotal) {
					b.Fatalf("%d records, total %d", len(recs), n)
				}
			}
		})
	}
	run("tstamp-desc", Filter{IfID: IfID(0), Sort: "tstamp", Order: "desc", Length: 50}, total)
	run("tstamp-desc-start=50000", Filter{IfID: IfID(0), Sort: "tstamp", Order: "desc", Start: 50000, Length: 50}, total)
	f := Filter{IfID: IfID(0), Sort: "tstamp", Order: "desc", Length: 50}
	if err := f.Add("score", "100;gte"); err != nil {
		b.Fatal(err)
	}
	if err := f.Add("alert_id", "5,6,7"); err != nil {
		b.Fatal(err)
	}
	run("filtered-score-alert_id", f, 0)
}
