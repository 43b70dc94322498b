package dpi

import "slices"

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

// info returns st's metadata record, allocating it on first use.
func (st *State) info() *Info {
	if st.Info == nil {
		st.Info = new(Info)
	}
	return st.Info
}

// Clone returns a deep copy of in (nil for nil), for readers outside the
// packet path.
func (in *Info) Clone() *Info {
	if in == nil {
		return nil
	}
	out := *in
	out.TLS = in.TLS.clone()
	return &out
}

// clone copies the slices of t so that the copy shares nothing mutable
// with the flow.
func (t TLSInfo) clone() TLSInfo {
	t.SupportedVersions = slices.Clone(t.SupportedVersions)
	t.ALPN = slices.Clone(t.ALPN)
	t.AltNames = slices.Clone(t.AltNames)
	t.hs = nil // the handshake being read belongs to the flow
	return t
}
