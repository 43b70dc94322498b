package probe

import (
	"strings"
	"testing"
)

var userAgentTests = []struct {
	name   string
	ua     string
	os     int
	detail string
}{
	{"windows 10 chrome",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		OSWindows, "Windows 10"},
	{"windows xp firefox",
		"Mozilla/5.0 (Windows NT 5.1; rv:52.0) Gecko/20100101 Firefox/52.0",
		OSWindows, "Windows XP"},
	{"windows 7 msie",
		"Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)",
		OSWindows, "Windows 7"},
	{"windows 11 edge (still NT 10.0)",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
		OSWindows, "Windows 10"},
	{"unmapped windows version",
		"Mozilla/4.0 (Windows 98; U)",
		OSWindows, "Windows 98"},
	{"macos safari",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
		OSMacOS, "Intel Mac OS X 10_15_7"},
	{"macos firefox",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0",
		OSMacOS, "Intel Mac OS X 14.2"},
	{"iphone safari",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
		OSIOS, "iPhone"},
	{"ipad",
		"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
		OSIOS, "iPad"},
	{"android chrome",
		"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
		OSAndroid, "Android 10"},
	{"old android browser",
		"Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebkit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30",
		OSAndroid, "Android 4.0.3"},
	{"android app (not a browser)",
		"Dalvik/2.1.0 (Linux; U; Android 11; SM-G991B Build/RP1A.200720.012)",
		OSAndroid, ""},
	{"linux firefox",
		"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
		OSLinux, "Linux x86_64"},
	{"ubuntu firefox",
		"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
		OSLinux, "Ubuntu"},
	{"aol on windows",
		"Mozilla/4.0 (compatible; MSIE 7.0; Update a; AOL 9.5; Windows NT 5.1)",
		OSWindows, "Windows XP"},
	{"wget, lower-case linux",
		"Wget/1.21.2 (linux-gnu)",
		OSLinux, ""},
	{"crawler: detail without an OS",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		OSUnknown, "Googlebot/2.1"},
	{"airport before macintosh (synthetic)",
		"Mozilla/5.0 (Macintosh; Airport)",
		OSAppleAirport, "Airport"},
	{"curl", "curl/8.4.0", OSUnknown, ""},
	{"empty", "", OSUnknown, ""},

	// Near misses.
	{"mozilla alone", "Mozilla", OSUnknown, ""},
	{"no parentheses", "Mozilla/5.0 Windows NT 10.0", OSUnknown, ""},
	{"x11 with nothing after", "Mozilla/5.0 (X11)", OSUnknown, ""},
	{"unclosed: detail but no os", "Mozilla/5.0 (Windows NT 10.0; Win64", OSUnknown, "Windows 10"},
	{"close before open", ")(Windows", OSWindows, ""},
	{"platform outside the parentheses", "Mozilla/5.0 (X11; U) Linux Android iPhone", OSUnknown, ""},
	{"nul ends the agent", "Mozilla/5.0 (Windows NT 6.3\x00; Win64) (iPhone)", OSUnknown, "Windows 8.1"},
	{"case matters for windows", "Mozilla/5.0 (WINDOWS NT 10.0)", OSUnknown, "WINDOWS NT 10.0"},
	{"empty parentheses", "Mozilla/5.0 ()", OSUnknown, ""},
}

func TestOSFromUserAgent(t *testing.T) {
	for _, tt := range userAgentTests {
		os, detail := OSFromUserAgent(tt.ua)
		if os != tt.os || detail != tt.detail {
			t.Errorf("%s: OSFromUserAgent(%q) = (%d, %q), want (%d, %q)", tt.name, tt.ua, os, detail, tt.os, tt.detail)
		}
	}
}

func TestOSFromUserAgentLong(t *testing.T) {
	// The detail comes from the first 255 bytes of the agent; the OS id
	// looks at the whole parenthesised part.
	item := strings.Repeat("x", 300)
	ua := "Mozilla/5.0 (" + item + "; iPhone)"
	os, detail := OSFromUserAgent(ua)
	if os != OSIOS || detail != item[:255-len("Mozilla/5.0 (")] {
		t.Errorf("long agent: (%d, %d bytes)", os, len(detail))
	}
}

func TestOSFromUserAgentNoAlloc(t *testing.T) {
	for _, tt := range userAgentTests {
		if n := testing.AllocsPerRun(50, func() { OSFromUserAgent(tt.ua) }); n != 0 {
			t.Errorf("%s: %v allocations", tt.name, n)
		}
	}
}

func FuzzOSFromUserAgent(f *testing.F) {
	for _, tt := range userAgentTests {
		f.Add(tt.ua)
	}
	f.Add("\xff(\xfeiPhone\x00)")
	f.Fuzz(func(t *testing.T, ua string) {
		os, detail := OSFromUserAgent(ua)
		if os < OSUnknown || os > OSAppleAirport || os == OSLaserJet {
			t.Fatalf("OSFromUserAgent(%q): os %d", ua, os)
		}
		if detail != "" && !strings.Contains(ua, detail) && !strings.HasPrefix(detail, "Windows ") {
			t.Fatalf("OSFromUserAgent(%q): detail %q is not from the agent", ua, detail)
		}
		if strings.IndexByte(detail, 0) >= 0 || strings.IndexByte(detail, ')') >= 0 || strings.IndexByte(detail, ';') >= 0 {
			t.Fatalf("OSFromUserAgent(%q): detail %q", ua, detail)
		}
		if os2, detail2 := OSFromUserAgent(ua); os2 != os || detail2 != detail {
			t.Fatalf("OSFromUserAgent(%q) is not deterministic", ua)
		}
	})
}
