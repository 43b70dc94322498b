package engine

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/ntopng-go/ntopng/alerts"
	"github.com/ntopng-go/ntopng/alerts/alertdb"
	"github.com/ntopng-go/ntopng/probe/dpi"
	"github.com/ntopng-go/ntopng/probe/synth"
)

// Attack scenarios: captures built here, read through the probe and the
// check engine, and the host and flow alerts they must raise.
//
// Host checks run at the minute ticks of the packet clock: the first
// tick only takes baselines, and a host alert is engaged at the tick
// whose interval shows the attack and released (stored) at the first
// tick whose interval no longer does. Every host scenario has the same
// timeline, in seconds from the capture start t0 = 1700000000 (the minute
// boundaries of the Unix clock fall at t0+40, t0+100, t0+160):
//
//	t0        first packet: the baseline tick
//	t0+5      normal traffic of the hosts under test
//	t0+40     tick: an interval without attack
//	t0+45     the attack, over in less than a minute
//	t0+100    tick: the interval [t0+40, t0+100] holds the attack → engaged
//	t0+160    tick: a quiet interval → released and stored
//	t0+170    end of the capture
//
// A bystander pings the gateway every 10 s throughout, so that the packet
// clock reaches every tick whatever the hosts under test do.

const (
	attackerIP = "192.168.1.66"
	victimIP   = "192.168.1.20"
	bystander  = "192.168.1.50"
	gatewayIP  = "192.168.1.1"
)

// scenarioStart is the fixture's capture start (fixture.run).
var scenarioStart = time.Unix(1700000000, 0)

// Ticks of the host scenarios (see the timeline).
var (
	attackStart  = scenarioStart.Add(45 * time.Second)
	engageTick   = scenarioStart.Add(100 * time.Second)
	releaseTick  = scenarioStart.Add(160 * time.Second)
	scenarioEnd  = scenarioStart.Add(170 * time.Second)
	attackWindow = engageTick.Sub(scenarioStart.Add(40 * time.Second)) // the interval holding the attack
)

// idleUntil writes a bystander ping every 10 s of capture time (on
// multiples of 10 s) until end, leaving the clock at end.
func idleUntil(w *synth.Writer, end time.Time) error {
	for seq := uint16(1); ; seq++ {
		next := w.Now().Truncate(10 * time.Second)
		if next.Before(w.Now()) {
			next = next.Add(10 * time.Second)
		}
		if next.After(end) {
			break
		}
		w.Advance(next.Sub(w.Now()))
		if _, err := w.Ping(bystander, gatewayIP, 7, seq); err != nil {
			return err
		}
	}
	w.Advance(end.Sub(w.Now()))
	return nil
}

// hostScenario writes the timeline above around attack, which starts at
// attackStart and must end before engageTick.
func hostScenario(attack func(w *synth.Writer) error) func(w *synth.Writer) error {
	return func(w *synth.Writer) error {
		if !w.Now().Equal(scenarioStart) {
			return fmt.Errorf("capture starts at %v, the scenario at %v", w.Now(), scenarioStart)
		}
		if err := idleUntil(w, scenarioStart.Add(5*time.Second)); err != nil {
			return err
		}
		// Normal traffic: both hosts are known before the attack, with
		// answered SYNs that must not count in the attack's interval.
		name := "www.example.org"
		if _, err := w.UDPExchange(attackerIP, gatewayIP, 33000, 53,
			synth.DNSQuery(1, name, 1), synth.DNSResponse(1, name, "203.0.113.9"), name); err != nil {
			return err
		}
		if _, err := w.TCPSession(attackerIP, victimIP, 33001, 80,
			[][]byte{synth.HTTPGet(victimIP, "/")}, [][]byte{synth.HTTPOK(64)}, ""); err != nil {
			return err
		}
		if _, err := w.TCPSession(bystander, victimIP, 33002, 80,
			[][]byte{synth.HTTPGet(victimIP, "/")}, [][]byte{synth.HTTPOK(64)}, ""); err != nil {
			return err
		}
		if err := idleUntil(w, attackStart); err != nil {
			return err
		}
		if err := attack(w); err != nil {
			return err
		}
		if !w.Now().Before(engageTick) {
			return fmt.Errorf("the attack ends at %v, after the tick at %v", w.Now(), engageTick)
		}
		return idleUntil(w, scenarioEnd)
	}
}

// Flood: synFlood SYNs to port 80 of the victim, one per millisecond,
// none answered, from source ports cycling through floodPorts (a flow
// per port, each opened again and again: fewer flows keep the test fast,
// the SYN count is the same).
const (
	synFlood   = 16000
	floodPorts = 1000
)

func synFloodAttack(w *synth.Writer) error {
	step := w.Step
	w.Step = time.Millisecond
	defer func() { w.Step = step }()
	for i := range synFlood {
		if _, err := w.TCPSegment(synth.Segment{Src: attackerIP, Dst: victimIP, SrcPort: uint16(10000 + i%floodPorts), DstPort: 80,
			Flags: "S", Seq: uint32(i) * 7919}); err != nil {
			return err
		}
	}
	return nil
}

// Scan: a half-open scan (nmap -sS) of ports 1..scanPorts of the victim
// from one source port. Open ports answer SYN+ACK and the scanner resets
// them; closed ports answer RST+ACK.
const scanPorts = 300

var scanOpen = map[uint16]bool{22: true, 80: true, 111: true}

func synScanAttack(w *synth.Writer) error {
	const sport = 51234
	for p := range scanOpen {
		if p < 1 || p > scanPorts {
			return fmt.Errorf("open port %d is not scanned", p)
		}
	}
	for p := uint16(1); p <= scanPorts; p++ {
		seq := uint32(p) * 104729
		if _, err := w.TCPSegment(synth.Segment{Src: attackerIP, Dst: victimIP, SrcPort: sport, DstPort: p,
			Flags: "S", Seq: seq, Window: 1024}); err != nil {
			return err
		}
		if !scanOpen[p] {
			if _, err := w.TCPSegment(synth.Segment{Src: victimIP, Dst: attackerIP, SrcPort: p, DstPort: sport,
				Flags: "RA", Ack: seq + 1, Window: 1}); err != nil {
				return err
			}
			continue
		}
		if _, err := w.TCPSegment(synth.Segment{Src: victimIP, Dst: attackerIP, SrcPort: p, DstPort: sport,
			Flags: "SA", Seq: 9000, Ack: seq + 1}); err != nil {
			return err
		}
		if _, err := w.TCPSegment(synth.Segment{Src: attackerIP, Dst: victimIP, SrcPort: sport, DstPort: p,
			Flags: "R", Seq: seq + 1}); err != nil {
			return err
		}
	}
	return nil
}

// of returns the notifications of family with alert type typ.
func (r *recorder) of(family string, typ int) []Notification {
	var out []Notification
	for _, n := range r.got {
		if n.Family == family && n.Type == typ {
			out = append(out, n)
		}
	}
	return out
}

// hostRole is one side of an expected host alert.
type hostRole struct {
	ip       string
	attacker bool
	score    int
	value    float64 // the check's measure over the attack's interval
}

// checkHostAlert asserts that alert type typ (typeName, check key) was
// engaged at engageTick and released at releaseTick on each role, once,
// with its score, and stored once per role.
func checkHostAlert(t *testing.T, fx *fixture, typ int, typeName, key string, roles []hostRole) {
	t.Helper()
	notes := fx.rec.of("host", typ)
	if len(notes) != 2*len(roles) {
		t.Errorf("%d %s notifications, want engaged and released for each of %d roles: %+v", len(notes), typeName, len(roles), notes)
	}
	for _, role := range roles {
		entity := role.ip + "@0"
		var engaged, released int
		for _, n := range notes {
			if n.Entity != entity {
				continue
			}
			if n.TypeName != typeName || n.Score != role.score || n.Tstamp != engageTick.Unix() {
				t.Errorf("%s notification %+v: want type %s, score %d, engaged at %d", entity, n, typeName, role.score, engageTick.Unix())
			}
			if n.Check != key {
				t.Errorf("%s on %s by check %q, want %q", n.Status, entity, n.Check, key)
			}
			switch n.Status {
			case "engaged":
				engaged++
			case "released":
				released++
				if n.TstampEnd != releaseTick.Unix() {
					t.Errorf("%s released at %d, want %d (the first quiet tick)", entity, n.TstampEnd, releaseTick.Unix())
				}
			}
		}
		if engaged != 1 || released != 1 {
			t.Errorf("%s on %s: engaged %d times, released %d times, want once each (all: %+v)", typeName, entity, engaged, released, notes)
		}
	}

	recs, n, err := fx.store.Query(context.Background(), alertdb.FamilyHost, alertdb.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(roles) || len(recs) != len(roles) {
		t.Fatalf("%d stored host alerts, want %d: %+v", n, len(roles), recs)
	}
	for _, role := range roles {
		var found int
		for _, r := range recs {
			if r.Fields["ip"] != role.ip {
				continue
			}
			found++
			if r.AlertID != typ || r.Score != role.score || r.Tstamp != engageTick.Unix() || r.TstampEnd != releaseTick.Unix() ||
				r.Granularity != 60 || r.Counter != 1 {
				t.Errorf("stored %s: %+v; want type %d, score %d, from %d to %d, granularity 60, counter 1",
					role.ip, r.Alert, typ, role.score, engageTick.Unix(), releaseTick.Unix())
			}
			if r.Fields["is_attacker"] != role.attacker || r.Fields["is_victim"] != !role.attacker {
				t.Errorf("stored %s: is_attacker %v is_victim %v, want attacker=%v", role.ip,
					r.Fields["is_attacker"], r.Fields["is_victim"], role.attacker)
			}
			var js struct {
				Gen struct {
					Subdir string `json:"subdir"`
					Key    string `json:"script_key"`
				} `json:"alert_generation"`
				Value     float64 `json:"value"`
				Threshold float64 `json:"threshold"`
			}
			if err := json.Unmarshal([]byte(r.JSON), &js); err != nil {
				t.Fatal(err)
			}
			if js.Gen.Subdir != "host" || js.Gen.Key != key || math.Abs(js.Value-role.value) > 1e-9 || js.Threshold != 256 {
				t.Errorf("stored %s json %s: want check host/%s, value %g, threshold 256", role.ip, r.JSON, key, role.value)
			}
		}
		if found != 1 {
			t.Errorf("%d stored alerts for %s, want 1", found, role.ip)
		}
	}
}

// noAlert asserts that alert type typ was neither raised nor stored.
func noAlert(t *testing.T, fx *fixture, fam alertdb.Family, typ int) {
	t.Helper()
	if notes := fx.rec.of(string(fam), typ); len(notes) != 0 {
		t.Errorf("alert %d raised with its check disabled: %+v", typ, notes)
	}
	recs, _, err := fx.store.Query(context.Background(), fam, alertdb.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.AlertID == typ {
			t.Errorf("alert %d stored with its check disabled: %+v", typ, r.Alert)
		}
	}
}

// TestSynFloodScenario: 16000 SYNs in 16 s are 266.7 SYN/s over the
// 60-s interval, above the default 256: syn_flood is raised as attacker
// on the sender and as victim on the target. syn_flood is off by
// default.
func TestSynFloodScenario(t *testing.T) {
	fx := newFixture(t)
	if err := fx.checks.Enable(context.Background(), "host", "syn_flood", true); err != nil {
		t.Fatal(err)
	}
	fx.run(t, hostScenario(synFloodAttack))
	rate := float64(synFlood) / attackWindow.Seconds()
	checkHostAlert(t, fx, 6, "host_alert_tcp_syn_flood", "syn_flood", []hostRole{
		{ip: attackerIP, attacker: true, score: alerts.DefaultScore(alerts.SeverityError), value: rate},
		{ip: victimIP, score: alerts.DefaultScore(alerts.SeverityWarning), value: rate},
	})
}

// TestSynScanScenario: 300 ports probed, 3 open: 297 unanswered SYNs in
// the interval, above the default 256 per minute: syn_scan is raised as
// attacker on the scanner and as victim on the target. syn_scan is off
// by default.
func TestSynScanScenario(t *testing.T) {
	fx := newFixture(t)
	if err := fx.checks.Enable(context.Background(), "host", "syn_scan", true); err != nil {
		t.Fatal(err)
	}
	fx.run(t, hostScenario(synScanAttack))
	unanswered := float64(scanPorts - len(scanOpen))
	checkHostAlert(t, fx, 5, "host_alert_tcp_syn_scan", "syn_scan", []hostRole{
		{ip: attackerIP, attacker: true, score: alerts.DefaultScore(alerts.SeverityError), value: unanswered},
		{ip: victimIP, score: alerts.DefaultScore(alerts.SeverityWarning), value: unanswered},
	})
}

// TestDisabledHostChecksRaiseNothing: the same captures with the check
// enabled, then disabled again, raise and store nothing.
func TestDisabledHostChecksRaiseNothing(t *testing.T) {
	for _, c := range []struct {
		key    string
		typ    int
		attack func(w *synth.Writer) error
	}{
		{"syn_flood", 6, synFloodAttack},
		{"syn_scan", 5, synScanAttack},
	} {
		t.Run(c.key, func(t *testing.T) {
			fx := newFixture(t)
			ctx := context.Background()
			for _, on := range []bool{true, false} {
				if err := fx.checks.Enable(ctx, "host", c.key, on); err != nil {
					t.Fatal(err)
				}
			}
			fx.run(t, hostScenario(c.attack))
			noAlert(t, fx, alertdb.FamilyHost, c.typ)
		})
	}
}

// TLS server with a self-signed certificate.
const (
	tlsClient  = "192.168.1.10"
	tlsServer  = "203.0.113.20"
	tlsSNI     = "intranet.example"
	tlsCliPort = 40100
)

// Validity of the test certificates: from a day before the capture for
// 90 days, so that no other certificate risk (expired, about to expire,
// validity too long) applies.
var (
	certNotBefore = scenarioStart.Add(-24 * time.Hour)
	certNotAfter  = scenarioStart.Add(90 * 24 * time.Hour)
)

// newCert makes an ECDSA certificate for name, signed by issuer with
// issuerKey, or self-signed (issuer == subject) when issuer is nil. A
// server certificate names name in its subjectAltName (no name
// mismatch); a CA certificate does not.
func newCert(t *testing.T, name string, ca bool, issuer *x509.Certificate, issuerKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4242),
		Subject:      pkix.Name{CommonName: name, Organization: []string{"Synthetic Test"}},
		NotBefore:    certNotBefore,
		NotAfter:     certNotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
		tmpl.ExtKeyUsage = nil
	} else {
		tmpl.DNSNames = []string{name}
	}
	if issuer == nil {
		issuer, issuerKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &key.PublicKey, issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

// tlsSession writes a TLS 1.2 session: ClientHello, then the server's
// ServerHello, Certificate (chain, the server's first) and
// ServerHelloDone in one segment, then application data.
func tlsSession(chain ...*x509.Certificate) func(w *synth.Writer) error {
	return func(w *synth.Writer) error {
		var der [][]byte
		for _, c := range chain {
			der = append(der, c.Raw)
		}
		flight := append(append(synth.TLSServerHello(), synth.TLSCertificate(der...)...), synth.TLSServerHelloDone()...)
		_, err := w.TCPSession(tlsClient, tlsServer, tlsCliPort, 443,
			[][]byte{synth.TLSClientHello(tlsSNI), synth.TLSServerData(64)},
			[][]byte{flight, synth.TLSServerData(256)}, tlsSNI)
		return err
	}
}

// selfSigned is the session of a server with a self-signed certificate.
func selfSigned(t *testing.T) func(w *synth.Writer) error {
	c, _ := newCert(t, tlsSNI, false, nil, nil)
	if c.Subject.String() != c.Issuer.String() {
		t.Fatalf("not self-signed: %s / %s", c.Subject, c.Issuer)
	}
	return tlsSession(c)
}

// flowRow is the json column of a stored flow alert, as far as these
// tests read it.
type flowRow struct {
	Alerts []struct {
		ID    int `json:"alert_id"`
		Score int `json:"score"`
		Risk  int `json:"ndpi_risk"`
	} `json:"alerts"`
	Proto struct {
		TLS struct {
			SNI       string `json:"client_requested_server_name"`
			NotBefore int64  `json:"notBefore"`
			NotAfter  int64  `json:"notAfter"`
		} `json:"tls"`
	} `json:"proto"`
}

func flowJSON(t *testing.T, s string) flowRow {
	t.Helper()
	var js flowRow
	if err := json.Unmarshal([]byte(s), &js); err != nil {
		t.Fatal(err)
	}
	return js
}

// certRead reports whether a stored TLS flow shows the SNI and the
// validity of the test certificates: the dissector read the server's
// certificate.
func certRead(js flowRow) bool {
	tls := js.Proto.TLS
	return tls.SNI == tlsSNI && tls.NotBefore == certNotBefore.Unix() && tls.NotAfter == certNotAfter.Unix()
}

// TestSelfSignedCertificateScenario: the certificate of the server is
// read by the TLS dissector, the nDPI risk sets, and its check raises
// alert_tls_certificate_selfsigned on the flow with the risk's score.
func TestSelfSignedCertificateScenario(t *testing.T) {
	fx := newFixture(t)
	fx.run(t, selfSigned(t))
	risk := dpi.Risk(dpi.RiskTLSSelfSigned)
	typ := risk.AlertKey
	entity := fmt.Sprintf("%s:%d -> %s:%d", tlsClient, tlsCliPort, tlsServer, 443)
	notes := fx.rec.of("flow", typ)
	if len(notes) != 1 {
		t.Fatalf("%d self-signed certificate alerts, want 1 (all: %+v)", len(notes), fx.rec.got)
	}
	n := notes[0]
	if n.TypeName != "alert_tls_certificate_selfsigned" || n.Check != "tls_certificate_selfsigned" ||
		n.Score != risk.Score() || n.Entity != entity || n.Status != "stored" {
		t.Errorf("notification %+v: want alert_tls_certificate_selfsigned by tls_certificate_selfsigned, score %d, on %s",
			n, risk.Score(), entity)
	}
	// The flow's other alerts (its other risks) share its one stored row,
	// whose score is the sum of them all.
	total := 0
	for _, m := range fx.rec.got {
		if m.Family == "flow" {
			if m.Entity != entity {
				t.Errorf("alert on another flow: %+v", m)
			}
			total += m.Score
		}
	}
	recs, cnt, err := fx.store.Query(context.Background(), alertdb.FamilyFlow, alertdb.Filter{})
	if err != nil || cnt != 1 || len(recs) != 1 {
		t.Fatalf("%d stored flow alerts (%v), want the TLS flow's row", cnt, err)
	}
	r := recs[0]
	if r.AlertID != typ || r.Score != total || r.Fields["cli_ip"] != tlsClient || r.Fields["srv_ip"] != tlsServer ||
		r.Fields["cli_port"] != int64(tlsCliPort) || r.Fields["srv_port"] != int64(443) {
		t.Errorf("stored row %+v: want the flow's row, predominant alert %d, score %d (all its alerts)", r.Alert, typ, total)
	}
	js := flowJSON(t, r.JSON)
	found := false
	for _, a := range js.Alerts {
		if a.ID == typ {
			found = a.Score == risk.Score() && a.Risk == int(dpi.RiskTLSSelfSigned)
		}
	}
	if !found || !certRead(js) {
		t.Errorf("stored json %s: want the self-signed alert (score %d, risk %d), the SNI and the certificate's validity %d-%d",
			r.JSON, risk.Score(), dpi.RiskTLSSelfSigned, certNotBefore.Unix(), certNotAfter.Unix())
	}
}

// TestDisabledSelfSignedCheck: with its check disabled the risk raises no
// alert, while the flow's other risks still do.
func TestDisabledSelfSignedCheck(t *testing.T) {
	fx := newFixture(t)
	if err := fx.checks.Enable(context.Background(), "flow", "tls_certificate_selfsigned", false); err != nil {
		t.Fatal(err)
	}
	fx.run(t, selfSigned(t))
	noAlert(t, fx, alertdb.FamilyFlow, dpi.Risk(dpi.RiskTLSSelfSigned).AlertKey)
	if got := fx.rec.types("flow"); len(got) == 0 {
		t.Error("no flow alert at all: the TLS flow was not checked")
	}
}

// TestCASignedCertificateScenario: a server certificate issued by a CA
// (the CA's certificate following it in the chain) is not self-signed:
// the same session raises no self-signed alert.
func TestCASignedCertificateScenario(t *testing.T) {
	ca, caKey := newCert(t, "Synthetic Root CA", true, nil, nil)
	leaf, _ := newCert(t, tlsSNI, false, ca, caKey)
	if err := leaf.CheckSignatureFrom(ca); err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t)
	fx.run(t, tlsSession(leaf, ca))
	noAlert(t, fx, alertdb.FamilyFlow, dpi.Risk(dpi.RiskTLSSelfSigned).AlertKey)
	// The flow's other alerts (tls_not_carrying_https: the ClientHello
	// has no ALPN) store its row, which shows the certificate was read.
	recs, _, err := fx.store.Query(context.Background(), alertdb.FamilyFlow, alertdb.Filter{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d stored flow alerts (%v), want the TLS flow's row", len(recs), err)
	}
	if !certRead(flowJSON(t, recs[0].JSON)) {
		t.Errorf("stored json %s: the server certificate was not read", recs[0].JSON)
	}
}
