package dpi

// Info is the metadata a flow's dissectors extract beyond the protocol
// label: what ntopng shows in a flow's details. It is allocated only for
// flows that have some, so that plain flows stay small.
type Info struct {
	HTTP HTTPInfo
	TLS  TLSInfo
	SSH  SSHInfo
	// Text is protocol-specific free text worth showing (an SMTP banner, a
	// user name seen in clear, a BitTorrent info hash in hex).
	Text string
}

// HTTPInfo is what an HTTP dissector learns of the first request and
// response of a connection.
type HTTPInfo struct {
	URL         string // request target as sent ("/index.html?q=1")
	ContentType string // response Content-Type
	Server      string // response Server header
	RequestCT   string // request Content-Type
}

// TLSInfo is what TLS, DTLS and QUIC dissectors learn from the handshake.
type TLSInfo struct {
	// ClientVersion is the legacy version of the ClientHello; Version is
	// the negotiated version (supported_versions of the ServerHello when
	// present).
	ClientVersion, Version uint16
	// SupportedVersions lists the client's supported_versions extension.
	SupportedVersions []uint16
	ALPN              []string // advertised by the client
	NegotiatedALPN    string   // chosen by the server
	Cipher            uint16   // chosen by the server
	JA3Client         string   // MD5 hex of the JA3 string
	JA3Server         string   // MD5 hex of the JA3S string
	JA4Client         string   // JA4 fingerprint ("t13d1516h2_8daaf6152771_e5627efa2ab1")
	// Certificate of the server (the first of the chain).
	Subject, Issuer     string // distinguished names, as "CN=..., O=..."
	NotBefore, NotAfter int64  // Unix seconds; 0 when unknown
	SelfSigned          bool
	SHA1                string   // SHA-1 of the DER certificate, upper-case hex
	AltNames            []string // subjectAltName DNS names
}

// SSHInfo is what the SSH dissector learns from the identification strings
// and the key exchange.
type SSHInfo struct {
	ClientBanner, ServerBanner string
	HASSHClient, HASSHServer   string // MD5 hex of the HASSH strings
}

// info returns st's metadata record, allocating it on first use.
func (st *State) info() *Info {
	if st.Info == nil {
		st.Info = new(Info)
	}
	return st.Info
}
