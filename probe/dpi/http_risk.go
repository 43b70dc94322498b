package dpi

import (
	"bytes"
	"net/netip"
)

// HTTP risk heuristics: what nDPI flags in requests and responses. They
// run once per flow, on the first request and response.

// isNumericHost reports whether a Host (or SNI) is an IP literal.
func isNumericHost(h string) bool {
	if h == "" {
		return false
	}
	_, err := netip.ParseAddr(h)
	return err == nil
}

// suspiciousUserAgent flags user agents no browser or library sends: a
// long single token without any separator, version or platform
// ("pwtyyEKzNt..."), a very short one ("**"), or one carrying a template
// injection.
func suspiciousUserAgent(ua []byte) bool {
	if bytes.Contains(ua, []byte("${jndi:")) || bytes.Contains(ua, []byte("<?")) {
		return true
	}
	if len(ua) < 4 {
		return true
	}
	return len(ua) >= 16 && bytes.IndexAny(ua, "/ .-_;()") < 0
}

// crawlerAgents are user-agent fragments of the well-known crawlers.
var crawlerAgents = [][]byte{
	[]byte("Googlebot"), []byte("bingbot"), []byte("YandexBot"), []byte("Baiduspider"),
	[]byte("DuckDuckBot"), []byte("Slurp"), []byte("AhrefsBot"), []byte("SemrushBot"),
	[]byte("facebookexternalhit"), []byte("Applebot"), []byte("PetalBot"), []byte("MJ12bot"),
}

func isCrawler(ua []byte) bool {
	for _, c := range crawlerAgents {
		if bytes.Contains(ua, c) {
			return true
		}
	}
	return false
}

// obsoleteHTTPServer flags the Server header of web servers whose branch no
// longer receives fixes: Apache before 2.4 and nginx before 1.20.
func obsoleteHTTPServer(server []byte) bool {
	var major, minor int
	switch {
	case bytes.HasPrefix(server, []byte("Apache/")):
		var ok bool
		if major, minor, ok = majorMinor(server[len("Apache/"):]); !ok {
			return false
		}
		return major < 2 || (major == 2 && minor < 4)
	case bytes.HasPrefix(server, []byte("nginx/")):
		var ok bool
		if major, minor, ok = majorMinor(server[len("nginx/"):]); !ok {
			return false
		}
		return major < 1 || (major == 1 && minor < 20)
	}
	return false
}

// majorMinor parses the "M.N" start of a version.
func majorMinor(v []byte) (major, minor int, ok bool) {
	i := 0
	num := func() (int, bool) {
		n, start := 0, i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' && i-start < 6 {
			n = n*10 + int(v[i]-'0')
			i++
		}
		return n, i > start
	}
	if major, ok = num(); !ok || i >= len(v) || v[i] != '.' {
		return 0, 0, false
	}
	i++
	minor, ok = num()
	return major, minor, ok
}

// binaryContentTypes are the response types nDPI reports as a binary
// file transfer.
var binaryContentTypes = [][]byte{
	[]byte("application/octet-stream"), []byte("application/x-msdownload"),
	[]byte("application/x-dosexec"), []byte("application/x-executable"),
	[]byte("application/vnd.microsoft.portable-executable"), []byte("application/x-sh"),
}

func isBinaryContentType(ct []byte) bool {
	for _, t := range binaryContentTypes {
		if len(ct) >= len(t) && bytes.EqualFold(ct[:len(t)], t) {
			return true
		}
	}
	return false
}

// urlAttacks looks for injection attempts in a request target, after
// percent-decoding it: SQL injection, cross-site scripting and remote
// command execution. The checks are lexical (keywords that only make sense
// in an attack), so a false positive needs an odd URL.
func urlAttacks(target []byte) []RiskID {
	q := bytes.IndexByte(target, '?')
	if q < 0 && bytes.IndexByte(target, '%') < 0 && bytes.IndexByte(target, '<') < 0 {
		return nil // nothing but a plain path
	}
	var buf [2048]byte
	u := percentDecodeLower(target, buf[:0])
	var out []RiskID
	if containsAny(u, sqlInjectionMarks) {
		out = append(out, RiskURLPossibleSQLInjection)
	}
	if containsAny(u, xssMarks) {
		out = append(out, RiskURLPossibleXSS)
	}
	if containsAny(u, rceMarks) {
		out = append(out, RiskURLPossibleRCEInjection)
	}
	return out
}

var (
	sqlInjectionMarks = [][]byte{
		[]byte("union select"), []byte("union all select"), []byte("' or '1'='1"),
		[]byte("' or 1=1"), []byte("\" or 1=1"), []byte("or 1=1--"), []byte("'--"),
		[]byte("; drop table"), []byte(";drop table"), []byte("select * from"),
		[]byte("sleep(") /* time-based blind */, []byte("benchmark("), []byte("waitfor delay"),
		[]byte("information_schema"), []byte("' and '"), []byte("\";--"), []byte("';--"),
	}
	xssMarks = [][]byte{
		[]byte("<script"), []byte("javascript:"), []byte("onerror="), []byte("onload="),
		[]byte("<img src="), []byte("<svg"), []byte("<iframe"), []byte("alert("),
		[]byte("document.cookie"),
	}
	rceMarks = [][]byte{
		[]byte("/bin/sh"), []byte("/bin/bash"), []byte("cmd.exe"), []byte(";wget "),
		[]byte("|wget "), []byte(";curl "), []byte("|curl "), []byte("$(wget"), []byte("`wget"),
		[]byte("/etc/passwd"), []byte("powershell"), []byte("system("), []byte("exec("),
		[]byte("passthru("), []byte("shell_exec("), []byte("${jndi:"),
	}
)

func containsAny(s []byte, marks [][]byte) bool {
	for _, m := range marks {
		if bytes.Contains(s, m) {
			return true
		}
	}
	return false
}

// percentDecodeLower appends the percent-decoded, lower-cased form of s to
// dst ('+' becomes a space), up to dst's capacity.
func percentDecodeLower(s, dst []byte) []byte {
	for i := 0; i < len(s) && len(dst) < cap(dst); i++ {
		ch := s[i]
		switch {
		case ch == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			ch = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		case ch == '+':
			ch = ' '
		}
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
