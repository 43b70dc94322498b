package options

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// with returns the defaults modified by f.
func with(f func(o *Options)) *Options {
	o := Defaults()
	f(o)
	return o
}

func prefixes(ss ...string) []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range ss {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}

func TestParseOK(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want *Options
	}{
		{"no args", nil, Defaults()},
		{"interface short eq", []string{"-i=eth0"}, with(func(o *Options) { o.Interfaces = []string{"eth0"} })},
		{"interface short space", []string{"-i", "eth0"}, with(func(o *Options) { o.Interfaces = []string{"eth0"} })},
		{"interface long eq", []string{"--interface=eth0"}, with(func(o *Options) { o.Interfaces = []string{"eth0"} })},
		{"interface long space", []string{"--interface", "eth0"}, with(func(o *Options) { o.Interfaces = []string{"eth0"} })},
		{"interfaces ordered", []string{"-i", "eth1", "--interface=/tmp/a.pcap", "-i=eth0"},
			with(func(o *Options) { o.Interfaces = []string{"eth1", "/tmp/a.pcap", "eth0"} })},
		{"interface value with =", []string{"-i=tcp://1.2.3.4:5556?x=1"},
			with(func(o *Options) { o.Interfaces = []string{"tcp://1.2.3.4:5556?x=1"} })},

		{"local networks", []string{"-m", "192.168.1.0/24,10.0.0.0/8"}, with(func(o *Options) {
			o.LocalNetworks = prefixes("192.168.1.0/24", "10.0.0.0/8")
			o.LocalNetworksText = []string{"192.168.1.0/24", "10.0.0.0/8"}
			o.LocalNetworkAliases = []string{"", ""}
		})},
		{"local networks alias ipv6 masking spaces", []string{"--local-networks=192.168.1.5/24=LAN, fd00::1/8 ,10.1.2.3"}, with(func(o *Options) {
			o.LocalNetworks = prefixes("192.168.1.0/24", "fd00::/8", "10.1.2.3/32")
			o.LocalNetworksText = []string{"192.168.1.5/24=LAN", "fd00::1/8", "10.1.2.3"}
			o.LocalNetworkAliases = []string{"LAN", "", ""}
		})},
		{"local networks override", []string{"-m=10.0.0.0/8", "--local-networks", "::/0=all"}, with(func(o *Options) {
			o.LocalNetworks = prefixes("::/0")
			o.LocalNetworksText = []string{"::/0=all"}
			o.LocalNetworkAliases = []string{"all"}
		})},

		{"http port", []string{"-w", "3001"}, with(func(o *Options) { o.HTTPAddr, o.HTTPPort = ":3001", 3001 })},
		{"http port long eq", []string{"--http-port=8080"}, with(func(o *Options) { o.HTTPAddr, o.HTTPPort = ":8080", 8080 })},
		{"http port loopback", []string{"-w=:3000"}, with(func(o *Options) { o.HTTPAddr, o.HTTPPort = "127.0.0.1:3000", 3000 })},
		{"http port addr", []string{"--http-port", "192.168.1.1:3001"}, with(func(o *Options) { o.HTTPAddr, o.HTTPPort = "192.168.1.1:3001", 3001 })},
		{"http port ipv6", []string{"-w=[::1]:3002"}, with(func(o *Options) { o.HTTPAddr, o.HTTPPort = "[::1]:3002", 3002 })},
		{"http port max", []string{"-w=65535"}, with(func(o *Options) { o.HTTPAddr, o.HTTPPort = ":65535", 65535 })},

		{"data dir", []string{"-d", "/tmp/x"}, with(func(o *Options) { o.DataDir = "/tmp/x" })},
		{"data dir long", []string{"--data-dir=/tmp/y"}, with(func(o *Options) { o.DataDir = "/tmp/y" })},
		{"ndpi protocols", []string{"-p=/tmp/protos.txt"}, with(func(o *Options) { o.NDPIProtocols = "/tmp/protos.txt" })},
		{"ndpi protocols long", []string{"--ndpi-protocols", "p.txt"}, with(func(o *Options) { o.NDPIProtocols = "p.txt" })},
		{"instance name", []string{"-N", "ntopng_test"}, with(func(o *Options) { o.InstanceName = "ntopng_test" })},
		{"instance name long", []string{"--instance-name=my probe"}, with(func(o *Options) { o.InstanceName = "my probe" })},
		{"max hosts", []string{"-x", "10"}, with(func(o *Options) { o.MaxNumHosts = 10 })},
		{"max hosts long", []string{"--max-num-hosts=20"}, with(func(o *Options) { o.MaxNumHosts = 20 })},
		{"max flows", []string{"-X=30"}, with(func(o *Options) { o.MaxNumFlows = 30 })},
		{"max flows long", []string{"--max-num-flows", "40"}, with(func(o *Options) { o.MaxNumFlows = 40 })},

		{"disable login bare", []string{"--disable-login"}, with(func(o *Options) { o.DisableLogin = true })},
		{"disable login 1", []string{"--disable-login=1"}, with(func(o *Options) { o.DisableLogin = true })},
		{"disable login space 1", []string{"--disable-login", "1"}, with(func(o *Options) { o.DisableLogin = true })},
		{"disable login 0", []string{"--disable-login=0"}, Defaults()},
		{"disable login short bare then option", []string{"-l", "-i", "eth0"},
			with(func(o *Options) { o.DisableLogin = true; o.Interfaces = []string{"eth0"} })},
		{"disable login override", []string{"--disable-login", "--disable-login", "0"}, Defaults()},

		{"shutdown when done", []string{"--shutdown-when-done"}, with(func(o *Options) { o.ShutdownWhenDone = true })},
		{"test scripts", []string{"--test-script-pre=bash /tmp/pre.sh >> /tmp/out", "--test-script", "bash /tmp/x.sh", "--test-script-post=echo a=b"},
			with(func(o *Options) {
				o.TestScriptPre = "bash /tmp/pre.sh >> /tmp/out"
				o.TestScript = "bash /tmp/x.sh"
				o.TestScriptPost = "echo a=b"
			})},

		{"pid long", []string{"--pid=./ntopng.pid"}, with(func(o *Options) { o.PidFile = "./ntopng.pid" })},
		{"pid short", []string{"-G", "/run/ntopng.pid"}, with(func(o *Options) { o.PidFile = "/run/ntopng.pid" })},

		{"redis ignored", []string{"-r=@2", "--redis", "localhost:6379@1"},
			with(func(o *Options) { o.Ignored = []string{"--redis=@2", "--redis=localhost:6379@1"} })},
		{"dont change user ignored", []string{"--dont-change-user", "-s"},
			with(func(o *Options) { o.Ignored = []string{"--dont-change-user", "--dont-change-user"} })},
		{"dns mode ignored", []string{"--dns-mode=2", "-n", "0"},
			with(func(o *Options) { o.Ignored = []string{"--dns-mode=2", "--dns-mode=0"} })},
		{"https port ignored", []string{"--https-port=0", "-W", "[::1]:3001"},
			with(func(o *Options) { o.Ignored = []string{"--https-port=0", "--https-port=[::1]:3001"} })},

		{"help short", []string{"-h"}, with(func(o *Options) { o.Help = true })},
		{"help long", []string{"--help"}, with(func(o *Options) { o.Help = true })},
		{"version", []string{"--version"}, with(func(o *Options) { o.Version = true })},

		{"single valued override", []string{"-w", "3001", "-w=3002", "-d", "/a", "--data-dir", "/b", "-x=1", "-x=2"},
			with(func(o *Options) { o.HTTPAddr, o.HTTPPort, o.DataDir, o.MaxNumHosts = ":3002", 3002, "/b", 2 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.args)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.args, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // exact error message
	}{
		{[]string{"--foo"}, `unknown option "--foo"`},
		{[]string{"--foo=bar"}, `unknown option "--foo"`},
		{[]string{"-Z"}, `unknown option "-Z"`},
		{[]string{"-interface=eth0"}, `unknown option "-interface=eth0"`},
		{[]string{"--"}, `unknown option "--"`},
		{[]string{"-i", "eth0", "extra"}, `unexpected argument "extra" (the configuration file must be the first argument)`},
		{[]string{"-i", "eth0", "-"}, `unexpected argument "-" (the configuration file must be the first argument)`},

		{[]string{"-i"}, `missing value for -i/--interface`},
		{[]string{"-i", "-w", "3000"}, `missing value for -i/--interface`},
		{[]string{"--interface="}, `invalid value "" for -i/--interface: expected an interface name or pcap file path`},

		{[]string{"-m", "abc"}, `invalid value "abc" for -m/--local-networks: network "abc": expected <net>/<len>[=alias]`},
		{[]string{"-m=10.0.0.0/33"}, `invalid value "10.0.0.0/33" for -m/--local-networks: network "10.0.0.0/33": expected <net>/<len>[=alias]`},
		{[]string{"-m=10.0.0.0/8,,"}, `invalid value "10.0.0.0/8,," for -m/--local-networks: empty network in list; expected <net>/<len>[=alias]`},
		{[]string{"-m=10.0.0.0/8="}, `invalid value "10.0.0.0/8=" for -m/--local-networks: network "10.0.0.0/8=": empty alias after '='`},
		{[]string{"-m="}, `invalid value "" for -m/--local-networks: expected a comma separated list of <net>/<len>[=alias]`},
		{[]string{"-m=fe80::1%eth0"}, `invalid value "fe80::1%eth0" for -m/--local-networks: network "fe80::1%eth0": zoned addresses are not allowed`},
		{[]string{"-m"}, `missing value for -m/--local-networks`},

		{[]string{"-w", "abc"}, `invalid value "abc" for -w/--http-port: expected [addr:]port`},
		{[]string{"--http-port=0"}, `invalid value "0" for -w/--http-port: expected [addr:]port with port in 1-65535`},
		{[]string{"-w=65536"}, `invalid value "65536" for -w/--http-port: expected [addr:]port with port in 1-65535`},
		{[]string{"-w=+80"}, `invalid value "+80" for -w/--http-port: expected [addr:]port`},
		{[]string{"-w=host:80"}, `invalid value "host:80" for -w/--http-port: expected [addr:]port`},
		{[]string{"-w=::1:80"}, `invalid value "::1:80" for -w/--http-port: expected [addr:]port`},
		{[]string{"-w=[1.2.3.4]:80"}, `invalid value "[1.2.3.4]:80" for -w/--http-port: expected [addr:]port`},
		{[]string{"-w=[::1:80"}, `invalid value "[::1:80" for -w/--http-port: expected [addr:]port`},
		{[]string{"-w=1.2.3.4:"}, `invalid value "1.2.3.4:" for -w/--http-port: expected [addr:]port`},

		{[]string{"-d="}, `invalid value "" for -d/--data-dir: expected a directory path`},
		{[]string{"--ndpi-protocols="}, `invalid value "" for -p/--ndpi-protocols: expected a file path`},
		{[]string{"-N="}, `invalid value "" for -N/--instance-name: expected a non-empty name`},
		{[]string{"-x", "abc"}, `invalid value "abc" for -x/--max-num-hosts: expected a positive integer`},
		{[]string{"-x=0"}, `invalid value "0" for -x/--max-num-hosts: expected a positive integer`},
		{[]string{"--max-num-flows=99999999999"}, `invalid value "99999999999" for -X/--max-num-flows: expected a positive integer`},
		{[]string{"-X", "-5"}, `missing value for -X/--max-num-flows`},
		{[]string{"-X=-5"}, `invalid value "-5" for -X/--max-num-flows: expected a positive integer`},
		{[]string{"--disable-login=yes"}, `invalid value "yes" for -l/--disable-login: expected 0 or 1`},
		{[]string{"--disable-login", "2"}, `invalid value "2" for -l/--disable-login: expected 0 or 1`},
		{[]string{"--shutdown-when-done=1"}, `option --shutdown-when-done takes no value (got "1")`},
		{[]string{"-h=1"}, `option -h/--help takes no value (got "1")`},
		{[]string{"--version=x"}, `option --version takes no value (got "x")`},
		{[]string{"--dont-change-user=1"}, `option -s/--dont-change-user takes no value (got "1")`},
		{[]string{"-hs"}, `unknown option "-hs"`},
		{[]string{"--test-script-pre= "}, `invalid value " " for --test-script-pre: expected a shell command line`},
		{[]string{"--test-script"}, `missing value for --test-script`},
		{[]string{"--test-script-post="}, `invalid value "" for --test-script-post: expected a shell command line`},
		{[]string{"--pid="}, `invalid value "" for -G/--pid: expected a file path`},
		{[]string{"-r="}, `invalid value "" for -r/--redis: expected a non-empty value`},
		{[]string{"--dns-mode=4"}, `invalid value "4" for -n/--dns-mode: expected 0, 1, 2 or 3`},
		{[]string{"--https-port=x"}, `invalid value "x" for -W/--https-port: expected [addr:]port`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			o, err := Parse(tt.args)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error %q", tt.args, o, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) error\n got %q\nwant %q", tt.args, err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error message is not a single line: %q", err)
			}
		})
	}
}

func writeConf(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ntopng.conf")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfFile(t *testing.T) {
	// The configuration written by ntopng's REST e2e test harness, plus
	// the other supported spellings.
	conf := writeConf(t, `# ntopng test configuration
-d=/tmp/data
-r=@2
-p=/tmp/data/protos.txt
-N=ntopng_test
--http-port=3333
--https-port=0
--shutdown-when-done
--disable-login=1
--dont-change-user
--pid=./ntopng.pid
--dns-mode=2

   -i=/tmp/pcap/test_01.pcap   
-i /tmp/pcap/test_02.pcap
--interface   eth0
--test-script-pre=bash /tmp/pre.sh >> /tmp/out
--test-script=bash /tmp/x.sh >> /tmp/out
--test-script-post bash /tmp/post.sh >> /tmp/out 2>&1
-m=192.168.1.0/24=LAN,10.0.0.0/8
-x = 100
	# indented comment
-X=200`)
	want := with(func(o *Options) {
		o.ConfFile = conf
		o.DataDir = "/tmp/data"
		o.NDPIProtocols = "/tmp/data/protos.txt"
		o.InstanceName = "ntopng_test"
		o.HTTPAddr, o.HTTPPort = ":3333", 3333
		o.ShutdownWhenDone = true
		o.DisableLogin = true
		o.PidFile = "./ntopng.pid"
		o.Interfaces = []string{"/tmp/pcap/test_01.pcap", "/tmp/pcap/test_02.pcap", "eth0"}
		o.TestScriptPre = "bash /tmp/pre.sh >> /tmp/out"
		o.TestScript = "bash /tmp/x.sh >> /tmp/out"
		o.TestScriptPost = "bash /tmp/post.sh >> /tmp/out 2>&1"
		o.LocalNetworks = prefixes("192.168.1.0/24", "10.0.0.0/8")
		o.LocalNetworksText = []string{"192.168.1.0/24=LAN", "10.0.0.0/8"}
		o.LocalNetworkAliases = []string{"LAN", ""}
		o.MaxNumHosts = 100
		o.MaxNumFlows = 200
		o.Ignored = []string{"--redis=@2", "--https-port=0", "--dont-change-user", "--dns-mode=2"}
	})
	got, err := Parse([]string{conf})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}

	// Command line options come after the file: single-valued ones
	// override, repeatable ones accumulate.
	got, err = Parse([]string{conf, "-w", "4000", "-i=eth9", "--disable-login=0", "-m", "::/0", "--test-script=true"})
	if err != nil {
		t.Fatal(err)
	}
	want.HTTPAddr, want.HTTPPort = ":4000", 4000
	want.Interfaces = append(want.Interfaces, "eth9")
	want.DisableLogin = false
	want.LocalNetworks = prefixes("::/0")
	want.LocalNetworksText = []string{"::/0"}
	want.LocalNetworkAliases = []string{""}
	want.TestScript = "true"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with overrides\n got %+v\nwant %+v", got, want)
	}
}

func TestConfFileEmptyAndCRLF(t *testing.T) {
	conf := writeConf(t, "")
	got, err := Parse([]string{conf})
	if err != nil {
		t.Fatal(err)
	}
	if want := with(func(o *Options) { o.ConfFile = conf }); !reflect.DeepEqual(got, want) {
		t.Errorf("empty conf\n got %+v\nwant %+v", got, want)
	}

	conf = writeConf(t, "-i=eth0\r\n--disable-login\r\n-w 3001\r\n")
	got, err = Parse([]string{conf})
	if err != nil {
		t.Fatal(err)
	}
	want := with(func(o *Options) {
		o.ConfFile = conf
		o.Interfaces = []string{"eth0"}
		o.DisableLogin = true
		o.HTTPAddr, o.HTTPPort = ":3001", 3001
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CRLF conf\n got %+v\nwant %+v", got, want)
	}
}

func TestConfFileErrors(t *testing.T) {
	tests := []struct {
		content string
		want    string // error after "<path>:"
	}{
		{"-i=eth0\n--foo=1\n", `2: unknown option "--foo"`},
		{"# c\n\n-w=abc\n", `3: invalid value "abc" for -w/--http-port: expected [addr:]port`},
		{"-w abc\n", `1: invalid value "abc" for -w/--http-port: expected [addr:]port`},
		{"interface=eth0\n", `1: expected an option starting with '-', got "interface=eth0"`},
		{"-\n", `1: expected an option starting with '-', got "-"`},
		{"-i\n", `1: missing value for -i/--interface`},
		{"--shutdown-when-done yes\n", `1: option --shutdown-when-done takes no value (got "yes")`},
		{"--shutdown-when-done=\n", `1: option --shutdown-when-done takes no value (got "")`},
		{"-x=1 2\n", `1: invalid value "1 2" for -x/--max-num-hosts: expected a positive integer`},
		{"--disable-login 5\n", `1: invalid value "5" for -l/--disable-login: expected 0 or 1`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			conf := writeConf(t, tt.content)
			_, err := Parse([]string{conf, "-i", "eth0"})
			if err == nil {
				t.Fatalf("want error %q", tt.want)
			}
			if want := conf + ":" + tt.want; err.Error() != want {
				t.Errorf("error\n got %q\nwant %q", err, want)
			}
		})
	}

	// A command line error after a valid conf file names no file.
	conf := writeConf(t, "-i=eth0\n")
	if _, err := Parse([]string{conf, "--bogus"}); err == nil || err.Error() != `unknown option "--bogus"` {
		t.Errorf("got %v", err)
	}

	// Missing file.
	missing := filepath.Join(t.TempDir(), "nope.conf")
	_, err := Parse([]string{missing})
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.HasPrefix(err.Error(), "cannot read configuration file") {
		t.Errorf("missing file: got %v", err)
	}
}

func TestUsage(t *testing.T) {
	u := Usage()
	if !strings.Contains(u, "ntopng <configuration file path> [options]") {
		t.Errorf("usage lacks the synopsis:\n%s", u)
	}
	// Every option of the table appears, with its short form.
	for _, s := range specs {
		head := "[--" + s.long
		if s.short != 0 {
			head += "|-" + string(s.short)
		}
		head += "]"
		if !strings.Contains(u, head) {
			t.Errorf("usage lacks %s", head)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(u), "\n") {
		if strings.HasPrefix(line, "[--") && !strings.Contains(line, "| ") {
			t.Errorf("usage line has no help column: %q", line)
		}
	}
}

// TestTableConsistency checks the invariants of the option table.
func TestTableConsistency(t *testing.T) {
	longs := map[string]bool{}
	shorts := map[byte]bool{}
	for _, s := range specs {
		if s.long == "" || longs[s.long] {
			t.Errorf("empty or duplicate long name %q", s.long)
		}
		longs[s.long] = true
		if s.short != 0 {
			if shorts[s.short] {
				t.Errorf("duplicate short name %q", s.short)
			}
			shorts[s.short] = true
		}
		if s.help == "" || s.set == nil {
			t.Errorf("--%s: missing help or setter", s.long)
		}
		if (s.arg == argNone) != (s.metavar == "") {
			t.Errorf("--%s: metavar must be set exactly when a value is taken", s.long)
		}
		if s.arg == argOptional && s.implicit == "" {
			t.Errorf("--%s: optional value without implicit value", s.long)
		}
	}
}
