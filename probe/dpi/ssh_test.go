package dpi

import "testing"

// sshNameList is an SSH name-list: a 4-byte length and the names.
func sshNameList(s string) []byte {
	n := len(s)
	return appCat([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, []byte(s))
}

// sshTestKexInit builds a KEXINIT packet (unencrypted binary packet: length,
// padding length, payload, padding) with the given name-lists.
func sshTestKexInit(kex, enc, mac, comp string) []byte {
	payload := appCat(
		[]byte{20},                     // SSH_MSG_KEXINIT
		make([]byte, 16),               // cookie
		sshNameList(kex),               // kex_algorithms
		sshNameList("ssh-rsa,ssh-dss"), // server_host_key_algorithms
		sshNameList(enc),               // encryption_algorithms_client_to_server
		sshNameList(enc),               // encryption_algorithms_server_to_client
		sshNameList(mac),               // mac_algorithms_client_to_server
		sshNameList(mac),               // mac_algorithms_server_to_client
		sshNameList(comp),              // compression_algorithms_client_to_server
		sshNameList(comp),              // compression_algorithms_server_to_client
		sshNameList(""),                // languages_client_to_server
		sshNameList(""),                // languages_server_to_client
		[]byte{0},                      // first_kex_packet_follows
		[]byte{0, 0, 0, 0},             // reserved
	)
	const pad = 4
	n := 1 + len(payload) + pad
	return appCat([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n), pad}, payload, make([]byte, pad))
}

// Name-lists of an OpenSSH 4.3 client and an OpenSSH 6.1 server, as sent
// in a capture of nDPI's test corpus (HASSH D6593B32... / 500033A7...).
const (
	sshTestEnc = "aes128-ctr,aes192-ctr,aes256-ctr,arcfour256,arcfour128,aes128-cbc,3des-cbc,blowfish-cbc," +
		"cast128-cbc,aes192-cbc,aes256-cbc,arcfour,rijndael-cbc@lysator.liu.se"
	sshTestKexC  = "diffie-hellman-group-exchange-sha256,diffie-hellman-group-exchange-sha1,diffie-hellman-group14-sha1,diffie-hellman-group1-sha1"
	sshTestMacC  = "hmac-md5,hmac-sha1,umac-64@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-ripemd160,hmac-ripemd160@openssh.com,hmac-sha1-96,hmac-md5-96"
	sshTestCompC = "none,zlib@openssh.com,zlib"
	sshTestKexS  = "diffie-hellman-group-exchange-sha1,diffie-hellman-group14-sha1,diffie-hellman-group1-sha1"
	sshTestMacS  = "hmac-md5,hmac-sha1,hmac-ripemd160,hmac-ripemd160@openssh.com,hmac-sha1-96,hmac-md5-96"
	sshTestCompS = "none,zlib@openssh.com"
)

func TestSSHBannersAndHASSH(t *testing.T) {
	a := newAppConv(t, 6, 58639, 22)
	a.s2c([]byte("SSH-2.0-OpenSSH_6.1\r\n"))
	a.wantDPI("SSH")
	a.c2s([]byte("SSH-1.99-OpenSSH_4.3\r\n"))
	a.s2c(sshTestKexInit(sshTestKexS, sshTestEnc, sshTestMacS, sshTestCompS))
	if a.st.Done {
		t.Fatal("done before the client's KEXINIT")
	}
	a.c2s(sshTestKexInit(sshTestKexC, sshTestEnc, sshTestMacC, sshTestCompC))
	if !a.st.Done {
		t.Error("not done after both KEXINIT messages")
	}
	in := a.st.Info
	if in == nil {
		t.Fatal("no metadata")
	}
	if in.SSH.ServerBanner != "SSH-2.0-OpenSSH_6.1" || in.SSH.ClientBanner != "SSH-1.99-OpenSSH_4.3" {
		t.Errorf("banners %q / %q", in.SSH.ClientBanner, in.SSH.ServerBanner)
	}
	if in.SSH.HASSHClient != "D6593B3202A30B2AA9793A00F8647A0A" || in.SSH.HASSHServer != "500033A73A293E7C36743693D0D4596B" {
		t.Errorf("HASSH %s / %s", in.SSH.HASSHClient, in.SSH.HASSHServer)
	}
	a.wantRisk(RiskSSHObsoleteClient)
	a.wantRisk(RiskSSHObsoleteServer)
}

func TestSSHBannerWithKexInit(t *testing.T) {
	// A modern client sends its KEXINIT in the same segment as its
	// identification string; neither version nor ciphers are obsolete.
	a := newAppConv(t, 6, 50000, 2222)
	a.c2s(appCat([]byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"),
		sshTestKexInit("curve25519-sha256", "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com", "hmac-sha2-256-etm@openssh.com", "none")))
	a.wantDPI("SSH")
	if a.st.Info.SSH.HASSHClient == "" {
		t.Error("no client HASSH")
	}
	if a.st.Risks.Has(RiskSSHObsoleteClient) {
		t.Error("OpenSSH 9.6 flagged as obsolete")
	}
}

func TestSSHNearMisses(t *testing.T) {
	for _, p := range []string{
		"SSH-",              // too short
		"SSH-3.0-Foo\r\n",   // no such protocol version
		"SSH 2.0-Foo\r\n",   // no hyphen
		"\x00SSH-2.0-x\r\n", // not at the start
	} {
		a := newAppConv(t, 6, 50000, 22)
		a.c2s([]byte(p))
		if got := a.dpiLabel(); got != "" {
			t.Errorf("%q: labelled %q", p, got)
		}
	}
	// A malformed KEXINIT gives no fingerprint.
	a := newAppConv(t, 6, 50000, 22)
	a.s2c([]byte("SSH-2.0-dropbear_2022.83\r\n"))
	k := sshTestKexInit("kex", "aes128-ctr", "hmac-sha1", "none")
	a.s2c(k[:40])
	if a.st.Info.SSH.HASSHServer != "" {
		t.Error("fingerprint from a cut KEXINIT")
	}
}

func TestSSHObsoleteSoftware(t *testing.T) {
	for banner, want := range map[string]bool{
		"SSH-2.0-OpenSSH_6.6.1p1":      true,
		"SSH-2.0-OpenSSH_7.4p1 Debian": false,
		"SSH-2.0-dropbear_2019.78":     true,
		"SSH-2.0-dropbear_2022.83":     false,
		"SSH-2.0-paramiko_2.4.0":       false,
		"SSH-2.0-paramiko_2.3.9":       true,
		"SSH-1.5-1.2.26":               false, // unknown software
		"SSH-2.0-OpenSSH_":             false,
	} {
		if got := sshObsoleteSoftware([]byte(banner)); got != want {
			t.Errorf("%s: obsolete %v, want %v", banner, got, want)
		}
	}
	if !sshObsoleteCipher([]byte("aes128-ctr,3des-cbc")) || sshObsoleteCipher([]byte("aes128-ctr,arcfour-x")) {
		t.Error("sshObsoleteCipher")
	}
}
