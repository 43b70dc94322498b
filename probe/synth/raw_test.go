package synth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// readFrames reads back the frames of a capture written into buf.
func readFrames(t *testing.T, buf *bytes.Buffer) []gopacket.Packet {
	t.Helper()
	r, err := pcapgo.NewReader(buf)
	if err != nil {
		t.Fatal(err)
	}
	var out []gopacket.Packet
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		p.Metadata().CaptureInfo = ci
		out = append(out, p)
	}
	return out
}

func TestTCPSegment(t *testing.T) {
	var buf bytes.Buffer
	start := time.Unix(1700000000, 0)
	w, err := NewWriter(&buf, start)
	if err != nil {
		t.Fatal(err)
	}
	segs := []Segment{
		{Src: "192.168.1.66", Dst: "192.168.1.20", SrcPort: 40000, DstPort: 22, Flags: "S", Seq: 7},
		{Src: "192.168.1.20", Dst: "192.168.1.66", SrcPort: 22, DstPort: 40000, Flags: "RA", Ack: 8},
		{Src: "2001:db8::1", Dst: "2001:db8::2", SrcPort: 1, DstPort: 2, Flags: "FAPU", Seq: 1, Ack: 2, Window: 512,
			Payload: []byte("x")},
	}
	total := 0
	for _, s := range segs {
		n, err := w.TCPSegment(s)
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if _, err := w.TCPSegment(Segment{Src: "192.168.1.1", Dst: "192.168.1.2", Flags: "SX"}); err == nil {
		t.Error("an unknown flag letter was accepted")
	}
	if w.Frames != len(segs) || w.Bytes != total || len(w.Flows) != 0 {
		t.Errorf("frames %d bytes %d (want %d) flows %d", w.Frames, w.Bytes, total, len(w.Flows))
	}
	if got, want := w.Now(), start.Add(time.Duration(len(segs))*w.Step); !got.Equal(want) {
		t.Errorf("clock %v, want %v: each segment moves it by Step", got, want)
	}
	frames := readFrames(t, &buf)
	if len(frames) != len(segs) {
		t.Fatalf("%d frames read back, want %d", len(frames), len(segs))
	}
	type flags struct{ syn, ack, fin, rst, psh, urg bool }
	want := []flags{{syn: true}, {rst: true, ack: true}, {fin: true, ack: true, psh: true, urg: true}}
	for i, p := range frames {
		if el := p.ErrorLayer(); el != nil {
			t.Fatalf("frame %d: %v", i, el.Error())
		}
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcp == nil {
			t.Fatalf("frame %d has no TCP layer", i)
		}
		s := segs[i]
		got := flags{tcp.SYN, tcp.ACK, tcp.FIN, tcp.RST, tcp.PSH, tcp.URG}
		if got != want[i] {
			t.Errorf("frame %d flags %+v, want %+v", i, got, want[i])
		}
		if uint16(tcp.SrcPort) != s.SrcPort || uint16(tcp.DstPort) != s.DstPort || tcp.Seq != s.Seq {
			t.Errorf("frame %d ports/seq %d %d %d", i, tcp.SrcPort, tcp.DstPort, tcp.Seq)
		}
		wantAck, wantWin := uint32(0), s.Window
		if want[i].ack {
			wantAck = s.Ack
		}
		if wantWin == 0 {
			wantWin = 65535
		}
		if tcp.Ack != wantAck || tcp.Window != wantWin {
			t.Errorf("frame %d ack %d window %d, want %d %d", i, tcp.Ack, tcp.Window, wantAck, wantWin)
		}
		if !bytes.Equal(tcp.Payload, s.Payload) {
			t.Errorf("frame %d payload %q", i, tcp.Payload)
		}
		if src := p.NetworkLayer().NetworkFlow().Src().String(); src != s.Src {
			t.Errorf("frame %d source %s, want %s", i, src, s.Src)
		}
	}
}

// selfSigned makes a self-signed ECDSA certificate (issuer == subject).
func selfSigned(t *testing.T, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Unix(1700000000, 0), NotAfter: time.Unix(1700000000, 0).Add(24 * time.Hour), DNSNames: []string{cn}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestTLSServerFlight decodes the server records with gopacket's TLS
// record layer and reads the handshake messages by hand (RFC 5246).
func TestTLSServerFlight(t *testing.T) {
	leaf, ca := selfSigned(t, "leaf.example"), selfSigned(t, "ca.example")
	flight := append(append(TLSServerHello(), TLSCertificate(leaf, ca)...), TLSServerHelloDone()...)

	var tl layers.TLS
	if err := tl.DecodeFromBytes(flight, gopacket.NilDecodeFeedback); err != nil {
		t.Fatal(err)
	}
	if len(tl.Handshake) != 3 || len(tl.AppData)+len(tl.ChangeCipherSpec)+len(tl.Alert) != 0 {
		t.Fatalf("records: %d handshake, %d other", len(tl.Handshake),
			len(tl.AppData)+len(tl.ChangeCipherSpec)+len(tl.Alert))
	}
	// The messages, record by record: type, 24-bit length, body.
	var msgs [][]byte
	off := 0
	for i, h := range tl.Handshake {
		if h.ContentType != layers.TLSHandshake || h.Version != layers.TLSVersion(0x0303) {
			t.Errorf("record %d: type %v version %v", i, h.ContentType, h.Version)
		}
		body := flight[off+5 : off+5+int(h.Length)]
		off += 5 + int(h.Length)
		if len(body) < 4 || int(body[1])<<16|int(body[2])<<8|int(body[3]) != len(body)-4 {
			t.Fatalf("record %d: handshake length does not match the record's", i)
		}
		msgs = append(msgs, body)
	}
	if off != len(flight) {
		t.Fatalf("%d trailing bytes", len(flight)-off)
	}
	if msgs[0][0] != tlsMsgServerHello || msgs[1][0] != tlsMsgCertificate || msgs[2][0] != tlsMsgServerHelloDone || len(msgs[2]) != 4 {
		t.Fatalf("message types %d %d %d", msgs[0][0], msgs[1][0], msgs[2][0])
	}

	sh := msgs[0][4:]
	if v := binary.BigEndian.Uint16(sh); v != 0x0303 {
		t.Errorf("ServerHello version %#x", v)
	}
	sid := int(sh[34])
	if cs := binary.BigEndian.Uint16(sh[35+sid:]); cs != 0xc02f {
		t.Errorf("cipher %#x", cs)
	}
	if ext := sh[35+sid+3:]; int(binary.BigEndian.Uint16(ext)) != len(ext)-2 {
		t.Errorf("extensions length does not cover the rest of the ServerHello")
	}

	list := msgs[1][4:]
	if int(list[0])<<16|int(list[1])<<8|int(list[2]) != len(list)-3 {
		t.Fatal("certificate_list length")
	}
	var got [][]byte
	for rest := list[3:]; len(rest) > 0; {
		n := int(rest[0])<<16 | int(rest[1])<<8 | int(rest[2])
		got = append(got, rest[3:3+n])
		rest = rest[3+n:]
	}
	if len(got) != 2 || !bytes.Equal(got[0], leaf) || !bytes.Equal(got[1], ca) {
		t.Fatalf("certificates carried: %d, not the DER given in order", len(got))
	}
	c, err := x509.ParseCertificate(got[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject.String() != c.Issuer.String() || c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) != nil {
		t.Errorf("the carried certificate is not self-signed: %s / %s", c.Subject, c.Issuer)
	}
}
