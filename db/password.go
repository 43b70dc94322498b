package db

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// argonParams are the argon2id parameters of a password hash.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32 // passes
	threads uint8
}

// hashParams are used for new hashes: moderate (OWASP's minimum
// recommendation for argon2id) so that logins and tests stay fast; the
// authentication cache avoids paying them on every REST request. Stored
// hashes carry their own parameters, so these can be raised later.
var hashParams = argonParams{memory: 19456, time: 2, threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Bounds accepted when parsing a stored hash, so that a tampered database
// cannot make a login allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB = 256 * 1024
	maxTime      = 16
	maxThreads   = 16
)

var b64 = base64.RawStdEncoding

// defaultAdminHash is hashPassword(DefaultAdminPassword) with the current
// hashParams, computed once (TestDefaultAdminHash checks it).
const defaultAdminHash = "$argon2id$v=19$m=19456,t=2,p=1$j30iVNks5tZHK8jpztJmPw$3pyxs5Eftfe74Jlq9UJu8vavV5rFfSv2Pm0CjrJrud4"

// hashPassword returns the PHC string
// "$argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<hash>"
// (unpadded standard base64) of password with a random salt.
func hashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("generating salt: %w", err)
	}
	p := hashParams
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("malformed argon2id hash")

// parseHash decodes a hash produced by hashPassword.
func parseHash(encoded string) (p argonParams, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", errBadHash, parts[2])
	}
	var m, t, th uint64
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); n != 3 || err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, th) {
		return p, nil, nil, fmt.Errorf("%w: bad parameters %q", errBadHash, parts[3])
	}
	if t < 1 || t > maxTime || th < 1 || th > maxThreads || m < 8*th || m > maxMemoryKiB {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range %q", errBadHash, parts[3])
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("%w: bad salt or key", errBadHash)
	}
	return argonParams{memory: uint32(m), time: uint32(t), threads: uint8(th)}, salt, key, nil
}

// checkPassword reports whether password matches the encoded hash, with a
// constant-time comparison.
func checkPassword(encoded, password string) (bool, error) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// dummyHash is checked against when the user does not exist, so that an
// unknown user costs the same KDF work as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := hashPassword("no such user")
	if err != nil {
		panic(err) // crypto/rand failing is fatal anyway
	}
	return h
})
