package probe

import "strings"

// ntopng's OSType ids (include/ntop_typedefs.h). A host's "os" member is
// one of these; "os_detail" is the text the HTTP User-Agent gave.
const (
	OSUnknown      = 0
	OSLinux        = 1
	OSWindows      = 2
	OSMacOS        = 3
	OSIOS          = 4
	OSAndroid      = 5
	OSLaserJet     = 6
	OSAppleAirport = 7
)

// uaDetailMax is how much of a User-Agent the detail is taken from: the
// classifier copies at most 255 bytes of the header.
const uaDetailMax = 255

// OSFromUserAgent returns ntopng's OS id and the OS detail text for an HTTP User-Agent; (0, "") when nothing is recognised.
//
// The id comes from the text inside the first parentheses, looked up in
// order so that the more specific platform wins: iPad/iPod/iPhone (iOS,
// although these say "Mac OS X"), Android (although it says "Linux"),
// Airport, Macintosh or "OS X" (macOS), Windows, then Linux (any case),
// Debian or Ubuntu (Linux).
//
// The detail is what the classifier reports as the detected OS of a
// "Mozilla..." agent: the first ';'-separated item inside the first
// parentheses, skipping a leading X11/compatible/Linux/Macintosh item and
// then U or MSIE.., Update.. and AOL.. items; "Windows NT x.y" becomes the
// Windows release name. The detail may be set when the id is 0 (for
// example a crawler), and the id when the detail is empty (an agent that
// does not start with "Mozilla").
//
// The function never allocates: detail is a constant or a substring of
// ua, so a caller that keeps it beyond the life of ua's memory must copy
// it. ua may hold arbitrary bytes; it is read up to its first NUL byte.
func OSFromUserAgent(ua string) (os int, detail string) {
	if i := strings.IndexByte(ua, 0); i >= 0 {
		ua = ua[:i]
	}
	return uaOS(ua), uaDetail(ua)
}

// uaOS matches the platform names in the first parenthesised part of ua.
func uaOS(ua string) int {
	open := strings.IndexByte(ua, '(')
	closing := strings.IndexByte(ua, ')')
	if open < 0 || closing < 0 {
		return OSUnknown
	}
	in := ua[open+1:]
	if closing > open {
		in = ua[open+1 : closing]
	}
	switch {
	case strings.Contains(in, "iPad"), strings.Contains(in, "iPod"), strings.Contains(in, "iPhone"):
		return OSIOS
	case strings.Contains(in, "Android"):
		return OSAndroid
	case strings.Contains(in, "Airport"):
		return OSAppleAirport
	case strings.Contains(in, "Macintosh"), strings.Contains(in, "OS X"):
		return OSMacOS
	case strings.Contains(in, "Windows"):
		return OSWindows
	case containsFold(in, "linux"), strings.Contains(in, "Debian"), strings.Contains(in, "Ubuntu"):
		return OSLinux
	}
	return OSUnknown
}

// containsFold reports whether s contains the lower-case ASCII word w in
// any letter case.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for ; j < len(w); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != w[j] {
				break
			}
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

// uaItems walks the ';'-separated items of a parenthesised list the way
// strsep does: after the last item there is none.
type uaItems struct {
	rest string
	done bool
}

// next returns the next item; ok is false when the list is exhausted.
// With trim, one leading space is skipped.
func (it *uaItems) next(trim bool) (item string, ok bool) {
	if it.done {
		return "", false
	}
	if i := strings.IndexByte(it.rest, ';'); i >= 0 {
		item, it.rest = it.rest[:i], it.rest[i+1:]
	} else {
		item, it.done = it.rest, true
	}
	if trim && len(item) > 0 && item[0] == ' ' {
		item = item[1:]
	}
	return item, true
}

// uaDetail extracts the detected-OS text of a browser User-Agent.
func uaDetail(ua string) string {
	if len(ua) <= 7 || !strings.HasPrefix(ua, "Mozilla") {
		return ""
	}
	if len(ua) > uaDetailMax {
		ua = ua[:uaDetailMax]
	}
	open := strings.IndexByte(ua, '(')
	if open < 0 {
		return ""
	}
	in := ua[open+1:]
	if i := strings.IndexByte(in, ')'); i >= 0 {
		in = in[:i]
	}
	it := uaItems{rest: in}
	tok, ok := it.next(false)
	switch tok {
	case "X11", "compatible", "Linux", "Macintosh":
		tok, ok = it.next(true)
		if ok && (tok == "U" || strings.HasPrefix(tok, "MSIE")) {
			tok, ok = it.next(true)
			if ok && strings.HasPrefix(tok, "Update") {
				tok, ok = it.next(true)
				if ok && strings.HasPrefix(tok, "AOL") {
					tok, ok = it.next(true)
				}
			}
		}
	}
	if !ok {
		return ""
	}
	return windowsRelease(tok)
}

// windowsRelease names the Windows release of a "Windows NT x.y" item;
// other items are returned as they are.
func windowsRelease(tok string) string {
	switch tok {
	case "Windows NT 5.0":
		return "Windows 2000"
	case "Windows NT 5.1":
		return "Windows XP"
	case "Windows NT 5.2":
		return "Windows Server 2003"
	case "Windows NT 6.0":
		return "Windows Vista"
	case "Windows NT 6.1":
		return "Windows 7"
	case "Windows NT 6.2":
		return "Windows 8"
	case "Windows NT 6.3":
		return "Windows 8.1"
	case "Windows NT 10.0":
		return "Windows 10"
	}
	return tok
}
