// Package options implements the ntopng-compatible command line and
// configuration file.
//
// Usage:
//
//	ntopng [conf-file] [options]
//
// When the first argument does not start with '-' it names a configuration
// file holding one option per line, written exactly as on the command line
// ("-i=eth0", "--http-port=3000", "-i eth0"). Blank lines and lines starting
// with '#' are ignored and surrounding whitespace is trimmed. The value of an
// option in the configuration file is the rest of the line, so it may contain
// spaces and '=' (e.g. "--test-script=bash /tmp/x.sh >> /tmp/out").
//
// Options from the configuration file are applied first, then those from the
// command line: a later single-valued option overrides an earlier one while
// repeatable options (-i) accumulate.
//
// Every option is described once, in the table returned by table(); both
// the parser and Usage are generated from it.
package options

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/ntopng-go/ntopng/pools"
)

// Defaults.
const (
	DefaultHTTPPort    = 3000
	DefaultDataDir     = "/var/lib/ntopng"
	DefaultMaxNumHosts = 131072
	DefaultMaxNumFlows = 131072
)

// Options is the result of parsing the configuration file and command line.
type Options struct {
	// Interfaces in command line order: ifid 0, 1, ...
	Interfaces []string

	// LocalNetworks are the -m networks (masked to their prefix length).
	// LocalNetworksText holds the original text of each entry, alias
	// included, for display; LocalNetworkAliases the alias of each entry
	// ("" when none). The three slices are parallel.
	LocalNetworks       []netip.Prefix
	LocalNetworksText   []string
	LocalNetworkAliases []string

	// HTTPAddr is ready for net.Listen ("host:port", e.g. ":3000").
	HTTPAddr string
	HTTPPort int

	DataDir       string
	NDPIProtocols string
	InstanceName  string
	MaxNumHosts   int
	MaxNumFlows   int
	// MaxHostPools bounds the host pools (built-in ones included) and
	// MaxPoolMembers the members of all host pools together.
	MaxHostPools   int
	MaxPoolMembers int

	DisableLogin     bool
	ShutdownWhenDone bool

	TestScriptPre  string
	TestScript     string
	TestScriptPost string

	PidFile string

	Help    bool
	Version bool

	// ConfFile is the configuration file path, "" when none was given.
	ConfFile string

	// Ignored lists the options that were accepted for compatibility
	// with ntopng but have no effect (e.g. "-r=@2"), in the order seen.
	Ignored []string
}

// Defaults returns the options in effect when nothing is specified.
func Defaults() *Options {
	return &Options{
		HTTPAddr:       fmt.Sprintf(":%d", DefaultHTTPPort),
		HTTPPort:       DefaultHTTPPort,
		DataDir:        DefaultDataDir,
		MaxNumHosts:    DefaultMaxNumHosts,
		MaxNumFlows:    DefaultMaxNumFlows,
		MaxHostPools:   pools.DefaultMaxPools,
		MaxPoolMembers: pools.DefaultMaxMembers,
	}
}

// argKind tells whether an option takes a value.
type argKind int

const (
	argNone     argKind = iota // flag: no value allowed
	argRequired                // value required
	argOptional                // value optional; spec.implicit when omitted
)

// spec describes one option. It is the single source of truth for the
// parser and for Usage.
type spec struct {
	long       string // without the leading "--"
	short      byte   // 0 when the option has no short form
	arg        argKind
	implicit   string // value used when an argOptional option has none
	repeatable bool   // values accumulate instead of overriding
	metavar    string // value placeholder shown by Usage
	help       string // may contain '\n'
	// set validates value and stores it into o. A returned error is the
	// reason only ("expected [addr:]port"); the caller adds the option name
	// and the value. For argNone options value is "".
	set func(o *Options, value string) error
}

// names returns "-w/--http-port" or "--http-port".
func (s *spec) names() string {
	if s.short != 0 {
		return "-" + string(s.short) + "/--" + s.long
	}
	return "--" + s.long
}

var specs = table()

func table() []*spec {
	return []*spec{
		{
			long: "interface", short: 'i', arg: argRequired, repeatable: true,
			metavar: "<interface|pcap>",
			help:    "Input interface name or pcap file path\n(ifid 0, 1, ... in the order given)",
			set: func(o *Options, v string) error {
				if v == "" {
					return errors.New("expected an interface name or pcap file path")
				}
				o.Interfaces = append(o.Interfaces, v)
				return nil
			},
		},
		{
			long: "local-networks", short: 'm', arg: argRequired,
			metavar: "<local nets>",
			help:    "Comma separated local networks, each <net>/<len>[=alias]\n(e.g. -m \"192.168.0.0/24=LAN,fd00::/8\")",
			set:     setLocalNetworks,
		},
		{
			long: "http-port", short: 'w', arg: argRequired,
			metavar: "<[addr:]port>",
			help: fmt.Sprintf("HTTP server port, optionally preceded by the address\n"+
				"to bind to (IPv6 addresses in square brackets).\n"+
				"A ':' without address binds to the loopback address.\n"+
				"Default port: %d. Examples: -w 3000, -w :3000,\n"+
				"-w 192.168.1.1:3001, -w [::1]:3002", DefaultHTTPPort),
			set: setHTTPPort,
		},
		{
			long: "data-dir", short: 'd', arg: argRequired,
			metavar: "<path>",
			help:    "Data directory (must be writable).\nDefault: " + DefaultDataDir,
			set: func(o *Options, v string) error {
				if v == "" {
					return errors.New("expected a directory path")
				}
				o.DataDir = v
				return nil
			},
		},
		{
			long: "ndpi-protocols", short: 'p', arg: argRequired,
			metavar: "<file>.protos",
			help:    "nDPI custom protocols file (e.g. protos.txt)",
			set: func(o *Options, v string) error {
				if v == "" {
					return errors.New("expected a file path")
				}
				o.NDPIProtocols = v
				return nil
			},
		},
		{
			long: "instance-name", short: 'N', arg: argRequired,
			metavar: "<name>",
			help:    "Name of this ntopng instance",
			set: func(o *Options, v string) error {
				if v == "" {
					return errors.New("expected a non-empty name")
				}
				o.InstanceName = v
				return nil
			},
		},
		{
			long: "max-num-hosts", short: 'x', arg: argRequired,
			metavar: "<num>",
			help:    fmt.Sprintf("Max number of active hosts (default: %d)", DefaultMaxNumHosts),
			set: func(o *Options, v string) error {
				n, err := positiveInt(v)
				if err == nil {
					o.MaxNumHosts = n
				}
				return err
			},
		},
		{
			long: "max-num-flows", short: 'X', arg: argRequired,
			metavar: "<num>",
			help:    fmt.Sprintf("Max number of active flows (default: %d)", DefaultMaxNumFlows),
			set: func(o *Options, v string) error {
				n, err := positiveInt(v)
				if err == nil {
					o.MaxNumFlows = n
				}
				return err
			},
		},
		{
			long: "max-host-pools", arg: argRequired,
			metavar: "<num>",
			help: fmt.Sprintf("Max number of host pools, Default and Jailed Hosts included (default: %d)",
				pools.DefaultMaxPools),
			set: func(o *Options, v string) error {
				n, err := positiveInt(v)
				if err == nil && n < 2 {
					err = errors.New("expected at least 2 (the built-in pools)")
				}
				if err == nil {
					o.MaxHostPools = n
				}
				return err
			},
		},
		{
			long: "max-pool-members", arg: argRequired,
			metavar: "<num>",
			help:    fmt.Sprintf("Max number of host pool members, all pools together (default: %d)", pools.DefaultMaxMembers),
			set: func(o *Options, v string) error {
				n, err := positiveInt(v)
				if err == nil {
					o.MaxPoolMembers = n
				}
				return err
			},
		},
		{
			long: "disable-login", short: 'l', arg: argOptional, implicit: "1",
			metavar: "[<mode>]",
			help:    "Disable user login authentication:\n0 - login enabled\n1 - login disabled (default when no mode is given)",
			set: func(o *Options, v string) error {
				switch v {
				case "0":
					o.DisableLogin = false
				case "1":
					o.DisableLogin = true
				default:
					return errors.New("expected 0 or 1")
				}
				return nil
			},
		},
		{
			long: "shutdown-when-done", arg: argNone,
			help: "Terminate after reading the pcap files",
			set:  func(o *Options, _ string) error { o.ShutdownWhenDone = true; return nil },
		},
		{
			long: "test-script-pre", arg: argRequired,
			metavar: "<command>",
			help:    "Shell command run before traffic processing starts",
			set:     setString(func(o *Options) *string { return &o.TestScriptPre }),
		},
		{
			long: "test-script", arg: argRequired,
			metavar: "<command>",
			help:    "Shell command run once traffic has been processed",
			set:     setString(func(o *Options) *string { return &o.TestScript }),
		},
		{
			long: "test-script-post", arg: argRequired,
			metavar: "<command>",
			help:    "Shell command run at shutdown",
			set:     setString(func(o *Options) *string { return &o.TestScriptPost }),
		},
		{
			long: "pid", short: 'G', arg: argRequired,
			metavar: "<path>",
			help:    "Pid file path",
			set: func(o *Options, v string) error {
				if v == "" {
					return errors.New("expected a file path")
				}
				o.PidFile = v
				return nil
			},
		},
		{
			long: "redis", short: 'r', arg: argRequired,
			metavar: "<fmt>",
			help:    "Redis connection (accepted for compatibility, ignored)",
			set:     ignoreNonEmpty("redis"),
		},
		{
			long: "dns-mode", short: 'n', arg: argRequired,
			metavar: "<mode>",
			help:    "DNS resolution mode 0-3 (accepted for compatibility, ignored)",
			set: func(o *Options, v string) error {
				if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 3 {
					return errors.New("expected 0, 1, 2 or 3")
				}
				o.Ignored = append(o.Ignored, "--dns-mode="+v)
				return nil
			},
		},
		{
			long: "https-port", short: 'W', arg: argRequired,
			metavar: "<[addr:]port>",
			help:    "HTTPS port (accepted for compatibility, ignored)",
			set: func(o *Options, v string) error {
				if v != "0" {
					if _, _, err := parseHostPort(v); err != nil {
						return err
					}
				}
				o.Ignored = append(o.Ignored, "--https-port="+v)
				return nil
			},
		},
		{
			long: "dont-change-user", short: 's', arg: argNone,
			help: "Do not change user (accepted for compatibility, ignored)",
			set: func(o *Options, _ string) error {
				o.Ignored = append(o.Ignored, "--dont-change-user")
				return nil
			},
		},
		{
			long: "help", short: 'h', arg: argNone,
			help: "Print this help and exit",
			set:  func(o *Options, _ string) error { o.Help = true; return nil },
		},
		{
			long: "version", arg: argNone,
			help: "Print the version and exit",
			set:  func(o *Options, _ string) error { o.Version = true; return nil },
		},
	}
}

func setString(field func(*Options) *string) func(*Options, string) error {
	return func(o *Options, v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("expected a shell command line")
		}
		*field(o) = v
		return nil
	}
}

func ignoreNonEmpty(long string) func(*Options, string) error {
	return func(o *Options, v string) error {
		if v == "" {
			return errors.New("expected a non-empty value")
		}
		o.Ignored = append(o.Ignored, "--"+long+"="+v)
		return nil
	}
}

func positiveInt(v string) (int, error) {
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n <= 0 {
		return 0, errors.New("expected a positive integer")
	}
	return int(n), nil
}

// setLocalNetworks parses "net/len[=alias],...". A bare address is taken as
// a host network (/32 or /128). Networks are masked to their prefix length.
func setLocalNetworks(o *Options, v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("expected a comma separated list of <net>/<len>[=alias]")
	}
	var (
		nets    []netip.Prefix
		texts   []string
		aliases []string
	)
	for _, entry := range strings.Split(v, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return errors.New("empty network in list; expected <net>/<len>[=alias]")
		}
		netText, alias, hasAlias := strings.Cut(entry, "=")
		netText, alias = strings.TrimSpace(netText), strings.TrimSpace(alias)
		if hasAlias && alias == "" {
			return fmt.Errorf("network %q: empty alias after '='", entry)
		}
		var p netip.Prefix
		if strings.Contains(netText, "/") {
			var err error
			p, err = netip.ParsePrefix(netText)
			if err != nil {
				return fmt.Errorf("network %q: expected <net>/<len>[=alias]", entry)
			}
		} else {
			a, err := netip.ParseAddr(netText)
			if err != nil {
				return fmt.Errorf("network %q: expected <net>/<len>[=alias]", entry)
			}
			if a.Zone() != "" {
				return fmt.Errorf("network %q: zoned addresses are not allowed", entry)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		nets = append(nets, p.Masked())
		texts = append(texts, entry)
		aliases = append(aliases, alias)
	}
	o.LocalNetworks, o.LocalNetworksText, o.LocalNetworkAliases = nets, texts, aliases
	return nil
}

// setHTTPPort parses "[addr:]port" the way ntopng does: "3000" listens on
// every address, ":3000" on the loopback address only, "1.2.3.4:3000" and
// "[::1]:3000" on the given address.
func setHTTPPort(o *Options, v string) error {
	host, port, err := parseHostPort(v)
	if err != nil {
		return err
	}
	o.HTTPAddr = net.JoinHostPort(host, strconv.Itoa(port))
	o.HTTPPort = port
	return nil
}

func parseHostPort(v string) (host string, port int, err error) {
	bad := errors.New("expected [addr:]port")
	portText := v
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		host, portText = v[:i], v[i+1:]
		switch {
		case host == "":
			host = "127.0.0.1"
		case strings.HasPrefix(host, "["):
			if !strings.HasSuffix(host, "]") {
				return "", 0, bad
			}
			a, err := netip.ParseAddr(host[1 : len(host)-1])
			if err != nil || !a.Is6() {
				return "", 0, bad
			}
			host = a.String()
		default:
			a, err := netip.ParseAddr(host)
			if err != nil || !a.Is4() {
				return "", 0, bad
			}
			host = a.String()
		}
	}
	// Digits only: ParseUint would also accept e.g. "+1" via Atoi.
	if portText == "" || strings.Trim(portText, "0123456789") != "" {
		return "", 0, bad
	}
	n, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || n == 0 {
		return "", 0, errors.New("expected [addr:]port with port in 1-65535")
	}
	return host, int(n), nil
}

// lookupLong finds the spec by long name ("http-port").
func lookupLong(name string) *spec {
	for _, s := range specs {
		if s.long == name {
			return s
		}
	}
	return nil
}

// lookupShort finds the spec by short letter ('w').
func lookupShort(c byte) *spec {
	for _, s := range specs {
		if s.short != 0 && s.short == c {
			return s
		}
	}
	return nil
}

// token is one option occurrence, before its value is validated.
type token struct {
	text     string // the option as written, for error messages
	spec     *spec
	value    string
	hasValue bool // value given inline ("-x=v", "--long=v", "-xv")
}

// splitOption parses an argument starting with '-' into its spec and inline
// value.
func splitOption(arg string) (token, error) {
	t := token{text: arg}
	unknown := fmt.Errorf("unknown option %q", arg)
	switch {
	case strings.HasPrefix(arg, "--"):
		name, value, hasValue := strings.Cut(arg[2:], "=")
		t.spec = lookupLong(name)
		if t.spec == nil || name == "" {
			return t, fmt.Errorf("unknown option %q", "--"+name)
		}
		t.text = "--" + name
		t.value, t.hasValue = value, hasValue
	case len(arg) >= 2 && arg[0] == '-':
		t.spec = lookupShort(arg[1])
		if t.spec == nil {
			return t, unknown
		}
		t.text = arg[:2]
		rest := arg[2:]
		switch {
		case strings.HasPrefix(rest, "="):
			t.value, t.hasValue = rest[1:], true
		case rest != "":
			// No getopt style "-ieth0" or bundling: "-interface" is
			// far more likely a mistyped long option than "-i nterface".
			return t, unknown
		}
	default:
		return t, unknown
	}
	return t, nil
}

// apply validates the token's value and stores it.
func (t token) apply(o *Options) error {
	s := t.spec
	value := t.value
	switch s.arg {
	case argNone:
		if t.hasValue {
			return fmt.Errorf("option %s takes no value (got %q)", s.names(), value)
		}
	case argOptional:
		if !t.hasValue {
			value = s.implicit
		}
	case argRequired:
		if !t.hasValue {
			return fmt.Errorf("missing value for %s", s.names())
		}
	}
	if err := s.set(o, value); err != nil {
		return fmt.Errorf("invalid value %q for %s: %v", value, s.names(), err)
	}
	return nil
}

// Parse parses the arguments (program name excluded).
func Parse(args []string) (*Options, error) {
	o := Defaults()
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		o.ConfFile = args[0]
		args = args[1:]
		if err := parseConfFile(o, o.ConfFile); err != nil {
			return nil, err
		}
	}
	if err := parseArgs(o, args); err != nil {
		return nil, err
	}
	return o, nil
}

func parseArgs(o *Options, args []string) error {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			return fmt.Errorf("unexpected argument %q (the configuration file must be the first argument)", arg)
		}
		t, err := splitOption(arg)
		if err != nil {
			return err
		}
		if !t.hasValue && t.spec.arg != argNone && i+1 < len(args) {
			next := args[i+1]
			// A following argument that looks like an option is not
			// taken as a value: "-i -w 3000" is a missing value.
			if !strings.HasPrefix(next, "-") || next == "-" {
				t.value, t.hasValue = next, true
				i++
			}
		}
		if err := t.apply(o); err != nil {
			return err
		}
	}
	return nil
}

func parseConfFile(o *Options, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read configuration file: %v", err)
	}
	defer f.Close()

	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		if err := parseConfLine(o, sc.Text()); err != nil {
			return fmt.Errorf("%s:%d: %v", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

// parseConfLine applies one configuration file line: "-x=v", "--long=v",
// "-x v", "--long v" or a bare option. The value is the rest of the line.
func parseConfLine(o *Options, line string) error {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	if !strings.HasPrefix(line, "-") || line == "-" {
		return fmt.Errorf("expected an option starting with '-', got %q", line)
	}
	opt, rest := line, ""
	sep := false
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		if eq := strings.IndexByte(line, '='); eq < 0 || i < eq {
			opt, rest, sep = line[:i], strings.TrimSpace(line[i:]), true
			// Tolerate "-i = eth0".
			if r, ok := strings.CutPrefix(rest, "="); ok {
				rest = strings.TrimSpace(r)
			}
		}
	}
	t, err := splitOption(opt)
	if err != nil {
		return err
	}
	if sep {
		if t.hasValue {
			return fmt.Errorf("unexpected text %q after %s", rest, opt)
		}
		t.value, t.hasValue = rest, true
	} else if t.hasValue {
		t.value = strings.TrimSpace(t.value)
	}
	return t.apply(o)
}

// Usage returns the --help text.
func Usage() string {
	var b strings.Builder
	b.WriteString("Usage:\n" +
		"  ntopng <configuration file path> [options]\n" +
		"  ntopng [options]\n\n" +
		"The configuration file holds one option per line, as on the command\n" +
		"line (e.g. -i=eth0); command line options are applied after it.\n\n" +
		"Options:\n")
	const width = 36
	for _, s := range specs {
		head := "[--" + s.long
		if s.short != 0 {
			head += "|-" + string(s.short)
		}
		head += "]"
		if s.metavar != "" {
			head += " " + s.metavar
		}
		lines := strings.Split(s.help, "\n")
		if s.repeatable {
			lines = append(lines, "May be given more than once")
		}
		for i, l := range lines {
			left := ""
			if i == 0 {
				left = head
			}
			if len(left) >= width {
				fmt.Fprintf(&b, "%s\n%-*s| %s\n", left, width, "", l)
				continue
			}
			fmt.Fprintf(&b, "%-*s| %s\n", width, left, l)
		}
	}
	return b.String()
}
