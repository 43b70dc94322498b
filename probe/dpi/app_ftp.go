package dpi

import "bytes"

// FTP: the control connection (a command answered by a numeric reply) and
// data connections recognised from what they start with (a directory
// listing) or from port 20.

// ftpCommands are the FTP commands (RFC 959 and its extensions).
var ftpCommands = [...]string{
	"ABOR", "ACCT", "ADAT", "ALLO", "APPE", "AUTH", "CCC", "CDUP", "CLNT", "CONF", "CWD", "DELE", "ENC",
	"EPRT", "EPSV", "FEAT", "HELP", "HOST", "LANG", "LIST", "LPRT", "LPSV", "MDTM", "MFMT", "MIC", "MKD",
	"MLSD", "MLST", "MODE", "NLST", "NOOP", "OPTS", "PASS", "PASV", "PBSZ", "PORT", "PROT", "PWD", "QUIT",
	"REIN", "REST", "RETR", "RMD", "RNFR", "RNTO", "SITE", "SIZE", "SMNT", "STAT", "STOR", "STOU", "STRU",
	"SYST", "TYPE", "USER", "XCUP", "XCWD", "XMKD", "XPWD", "XRMD",
}

// FTP scratch bits.
const (
	ftpRequest = 1 << iota // a command was seen
	ftpAuthTLS             // AUTH TLS/SSL was requested
	ftpUserSeen
)

const ftpMaxPackets = 8

// dissectFTP recognises the FTP control connection: a command from the
// client answered by a reply code from the server. The session is then
// followed for the user name and password sent in clear.
func dissectFTP(c *ctx) verdict {
	b := c.payload
	if c.st.follow != 0 {
		return ftpFollow(c, b)
	}
	if c.hasPort(25) || c.pkts() > ftpMaxPackets {
		return notMine // SMTP uses look-alike commands and replies
	}
	line, ok := appLine(b)
	if c.fromClient() {
		if !ok || !ftpCommand(line) {
			if c.pkts() <= 2 {
				return notMine
			}
			return needMore
		}
		st := c.scratch()
		*st |= ftpRequest
		ftpCredentials(c, st, line)
		return needMore
	}
	// A reply: three digits and a space or a hyphen.
	if !ok || len(line) < 4 || !isDigit3(line) || line[0] < '1' || line[0] > '6' || line[3] != ' ' && line[3] != '-' {
		return notMine
	}
	st := appPeek(c)
	if st&ftpRequest == 0 {
		return needMore // the greeting
	}
	c.set(protoFTPControl)
	if st&ftpUserSeen != 0 {
		c.risk(RiskClearTextCredentials)
	}
	return matchedMore
}

// ftpCommand reports whether line starts with an FTP command.
func ftpCommand(line []byte) bool {
	for _, cmd := range ftpCommands {
		if hasPrefixFold(line, cmd) && (len(line) == len(cmd) || line[len(cmd)] == ' ') {
			return true
		}
	}
	return false
}

// ftpCredentials records the user name of USER (the password is not
// kept) unless the session is protected by AUTH TLS.
func ftpCredentials(c *ctx, st *uint64, line []byte) {
	switch {
	case hasPrefixFold(line, "AUTH "):
		*st |= ftpAuthTLS
	case hasPrefixFold(line, "USER ") && *st&(ftpAuthTLS|ftpUserSeen) == 0:
		*st |= ftpUserSeen
		// The flow is not classified yet: leave the text to a protocol
		// that already claimed it (IRC and POP3 send USER too).
		if in := c.info(); in.Text == "" {
			in.Text = appText(bytes.TrimSpace(line[5:]), 64)
		}
	}
}

// ftpFollow watches the classified session until the password is sent.
func ftpFollow(c *ctx, b []byte) verdict {
	if !c.fromClient() {
		return matchedMore
	}
	line, ok := appLine(b)
	if !ok {
		return matchedMore
	}
	st := c.scratch()
	had := *st & ftpUserSeen
	ftpCredentials(c, st, line)
	if had == 0 && *st&ftpUserSeen != 0 {
		c.risk(RiskClearTextCredentials)
	}
	if hasPrefixFold(line, "PASS") || *st&ftpAuthTLS != 0 {
		return matched
	}
	return matchedMore
}

// dissectFTPData recognises an FTP data connection from its first payload
// packet: port 20 (active mode) or a directory listing ("drwxr-xr-x",
// "-rw-r--r--"). nDPI also takes the signature of a common file format at
// the start of a connection, but only when it saw the connection open: the
// dissectors cannot tell that yet, and a file format in the middle of
// another protocol's stream is too common to be a sign.
func dissectFTPData(c *ctx) verdict {
	if c.pkts() != 1 {
		return notMine
	}
	b := c.payload
	if c.hasPort(20) || ftpListing(b) {
		c.set(protoFTPData)
		return matched
	}
	return notMine
}

// ftpListing reports whether b starts like an ls -l line: a type ('-' or
// 'd') and three rwx triplets.
func ftpListing(b []byte) bool {
	if len(b) <= 10 || b[0] != '-' && b[0] != 'd' {
		return false
	}
	for i := 1; i < 10; i += 3 {
		if b[i] != '-' && b[i] != 'r' || b[i+1] != '-' && b[i+1] != 'w' || b[i+2] != '-' && b[i+2] != 'x' {
			return false
		}
	}
	return true
}
