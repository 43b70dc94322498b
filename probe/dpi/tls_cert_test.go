package dpi

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// certSpec describes a test certificate.
type certSpec struct {
	cn, org, country string
	issuerCN         string // "" for a self-signed certificate
	dns              []string
	ips              []net.IP
	notBefore        time.Time
	validity         time.Duration
}

// testCert returns a DER certificate made by crypto/x509.
func testCert(tb testing.TB, cs certSpec) []byte {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	if cs.notBefore.IsZero() {
		cs.notBefore = time.Date(2019, 12, 17, 1, 17, 28, 0, time.UTC)
	}
	if cs.validity == 0 {
		cs.validity = 90 * 24 * time.Hour
	}
	subj := pkix.Name{CommonName: cs.cn}
	if cs.org != "" {
		subj.Organization = []string{cs.org}
	}
	if cs.country != "" {
		subj.Country = []string{cs.country}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      subj,
		NotBefore:    cs.notBefore,
		NotAfter:     cs.notBefore.Add(cs.validity),
		DNSNames:     cs.dns,
		IPAddresses:  cs.ips,
	}
	parent := tmpl
	if cs.issuerCN != "" {
		parent = &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cs.issuerCN}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

// certMessage builds a Certificate handshake message carrying the given
// chain (leaf first).
func certMessage(chain ...[]byte) []byte {
	var list []byte
	for _, c := range chain {
		list = append(list, byte(len(c)>>16), byte(len(c)>>8), byte(len(c))) // certificate length
		list = append(list, c...)
	}
	body := append([]byte{byte(len(list) >> 16), byte(len(list) >> 8), byte(len(list))}, list...) // list length
	return tlsMsg(tlsCertificate, body)
}

func TestReadCertificate(t *testing.T) {
	der := testCert(t, certSpec{cn: "www.example.org", org: "Example", country: "IT", issuerCN: "Example CA",
		dns: []string{"www.example.org", "*.Example.org"}, ips: []net.IP{net.ParseIP("192.0.2.1")}})
	var ti TLSInfo
	if !readCertificate(der, &ti) {
		t.Fatal("certificate not read")
	}
	sum := sha1.Sum(der)
	if ti.SHA1 != strings.ToUpper(hex.EncodeToString(sum[:])) {
		t.Errorf("SHA1 %s", ti.SHA1)
	}
	if ti.Subject != "C=IT, O=Example, CN=www.example.org" || ti.Issuer != "CN=Example CA" || ti.SelfSigned {
		t.Errorf("subject %q issuer %q self-signed %v", ti.Subject, ti.Issuer, ti.SelfSigned)
	}
	if strings.Join(ti.AltNames, ",") != "www.example.org,*.example.org,192.0.2.1" {
		t.Errorf("names %q", ti.AltNames)
	}
	nb := time.Unix(ti.NotBefore, 0).UTC().Format(time.DateTime)
	na := time.Unix(ti.NotAfter, 0).UTC().Format(time.DateTime)
	if nb != "2019-12-17 01:17:28" || na != "2020-03-16 01:17:28" {
		t.Errorf("validity %s - %s", nb, na)
	}
	// Damaged certificates (a lost or repeated segment) are not read.
	for _, bad := range [][]byte{der[:len(der)-1], append(append([]byte(nil), der[:100]...), der[90:]...), {0x30, 0x03, 1, 2}} {
		var ti TLSInfo
		if readCertificate(bad, &ti) || ti.SHA1 != "" {
			t.Errorf("damaged certificate read: %x...", bad[:4])
		}
	}
}

func TestDERTime(t *testing.T) {
	for _, tt := range []struct {
		tag  byte
		s    string
		want string
	}{
		{derUTCTime, "191217011728Z", "2019-12-17 01:17:28"},
		{derUTCTime, "491231235959Z", "2049-12-31 23:59:59"},
		{derUTCTime, "500101000000Z", "1950-01-01 00:00:00"},
		{derGenTime, "20510101000000Z", "2051-01-01 00:00:00"},
	} {
		if got := time.Unix(derTime(tt.tag, []byte(tt.s)), 0).UTC().Format(time.DateTime); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.s, got, tt.want)
		}
	}
	for _, bad := range []string{"1912170117", "19x217011728Z", "191317011728Z"} {
		if derTime(derUTCTime, []byte(bad)) != 0 {
			t.Errorf("%s decoded", bad)
		}
	}
}

func TestCertRules(t *testing.T) {
	day := int64(86400)
	since := int64(tlsCertLimitDate + day)
	if !certValidityTooLong(since, since+400*day) || certValidityTooLong(since, since+398*day) ||
		certValidityTooLong(tlsCertLimitDate-day, tlsCertLimitDate+800*day) {
		t.Error("validity rule")
	}
	if exp, soon := certTimeRisks(1000, 2000, 2500); !exp || soon {
		t.Error("expired")
	}
	if exp, soon := certTimeRisks(1000, 2000, 500); !exp || soon {
		t.Error("not yet valid")
	}
	if exp, soon := certTimeRisks(0, 100*day, 80*day); exp || !soon {
		t.Error("about to expire")
	}
	if exp, soon := certTimeRisks(0, 100*day, 10*day); exp || soon {
		t.Error("valid")
	}
	names := []string{"example.org", "*.example.net"}
	for sni, want := range map[string]bool{"example.org": true, "a.example.net": true, "a.b.example.net": true,
		"www.example.org": false, "example.net": false, "other.com": false} {
		if certNamesMatch(sni, names) != want {
			t.Errorf("certNamesMatch(%q) != %v", sni, want)
		}
	}
}

func TestTLSCertificateFlow(t *testing.T) {
	der := testCert(t, certSpec{cn: "www.example.org", dns: []string{"www.example.org"},
		notBefore: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), validity: 800 * 24 * time.Hour})
	server := append(tlsRecords(curlServerHello, 1<<14), tlsRecords(certMessage(der, testCert(t, certSpec{cn: "CA"})), 1<<14)...)
	tests := []struct {
		name  string
		sni   string
		label string
		want  []RiskID
		not   []RiskID
	}{
		{"self-signed", "www.example.org", "TLS", []RiskID{RiskTLSSelfSigned, RiskTLSCertValidityTooLong},
			[]RiskID{RiskTLSCertMismatch}},
		{"mismatch", "other.example.com", "TLS", []RiskID{RiskTLSCertMismatch}, nil},
	}
	for _, tt := range tests {
		tc := newTLSConn(6, 443)
		tc.send(ClientToServer, tlsRecords(clientHello(tt.sni, 0, false), 1<<14))
		// The server's flight in three segments.
		third := len(server) / 3
		tc.send(ServerToClient, server[:third])
		tc.send(ServerToClient, server[third:2*third])
		if tc.tls().SHA1 != "" {
			t.Errorf("%s: certificate read before it is whole", tt.name)
		}
		tc.send(ServerToClient, server[2*third:])
		ti := tc.tls()
		if tc.label() != tt.label || ti.Subject != "CN=www.example.org" || !ti.SelfSigned || !tc.st.Done {
			t.Errorf("%s: %q subject %q done %v", tt.name, tc.label(), ti.Subject, tc.st.Done)
		}
		for _, r := range tt.want {
			if !tc.st.Risks.Has(r) {
				t.Errorf("%s: risk %s missing", tt.name, Risk(r).Name)
			}
		}
		for _, r := range tt.not {
			if tc.st.Risks.Has(r) {
				t.Errorf("%s: risk %s set", tt.name, Risk(r).Name)
			}
		}
		if ti.hs != nil {
			t.Errorf("%s: reassembly state kept after the handshake", tt.name)
		}
	}

	// With the capture time known, an expired certificate is a risk.
	tc := newTLSConn(6, 443)
	tc.now = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tc.send(ClientToServer, tlsRecords(clientHello("www.example.org", 0, false), 1<<14))
	tc.send(ServerToClient, server)
	if !tc.st.Risks.Has(RiskTLSCertExpired) || tc.st.Risks.Has(RiskTLSCertAboutToExpire) {
		t.Errorf("expired: risks %b", tc.st.Risks)
	}
	tc = newTLSConn(6, 443)
	tc.now = time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC) // 800 days from 2021-01-01 is 2023-03-12
	tc.send(ClientToServer, tlsRecords(clientHello("www.example.org", 0, false), 1<<14))
	tc.send(ServerToClient, server)
	if tc.st.Risks.Has(RiskTLSCertExpired) || !tc.st.Risks.Has(RiskTLSCertAboutToExpire) {
		t.Errorf("about to expire: risks %b", tc.st.Risks)
	}

	// Without SNI, the certificate's names give the service; a numeric
	// SNI stops being a risk then.
	fb := testCert(t, certSpec{cn: "*.facebook.com", issuerCN: "CA", dns: []string{"*.facebook.com", "facebook.com"}})
	for _, sni := range []string{"", "157.240.231.35"} {
		tc := newTLSConn(6, 443)
		tc.send(ClientToServer, tlsRecords(clientHello(sni, 0, false), 1<<14))
		tc.send(ServerToClient, append(tlsRecords(curlServerHello, 1<<14), tlsRecords(certMessage(fb), 1<<14)...))
		if tc.label() != "TLS.Facebook" || tc.st.Risks.Has(RiskNumericIPHost) {
			t.Errorf("sni %q: %q risks %b", sni, tc.label(), tc.st.Risks)
		}
	}

	// A long chain: the first certificate is read as soon as it is whole.
	filler := make([]byte, 30000) // the rest of the chain
	for i := range filler {
		filler[i] = byte(i * 7)
	}
	chain := certMessage(der, filler)
	tc = newTLSConn(6, 443)
	tc.send(ClientToServer, tlsRecords(clientHello("www.example.org", 0, false), 1<<14))
	tc.send(ServerToClient, tlsRecords(curlServerHello, 1<<14))
	rec := tlsRecords(chain, 1<<14)
	for len(rec) > 0 {
		n := min(1400, len(rec))
		tc.send(ServerToClient, rec[:n])
		rec = rec[n:]
	}
	if tc.tls().Subject != "CN=www.example.org" {
		t.Errorf("long chain: subject %q", tc.tls().Subject)
	}
}
