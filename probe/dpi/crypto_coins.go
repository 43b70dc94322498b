package dpi

import (
	"bytes"
	"encoding/binary"
)

// Cryptocurrencies: the Ethereum and Bitcoin peer-to-peer protocols, and
// pool mining (Stratum and its Ethereum and CryptoNote variants).

// dissectEthereum recognises devp2p. Over UDP, the node discovery (v4)
// packets: a 32-byte hash, a 65-byte signature, then the packet type (1
// ping, 2 pong, 3 find node, 4 neighbours). Over TCP, the RLPx handshake
// (EIP-8): a 2-byte size, then the ECIES message, which starts with the
// 0x04 of an uncompressed ephemeral public key. Both are otherwise
// encrypted or random-looking, so, like nDPI, the default ports are
// required: 30303 for discovery, 30300-30305 on the server side for RLPx.
func dissectEthereum(c *ctx) verdict {
	b := c.payload
	if c.l4 == 17 {
		if len(b) > 98 && len(b) < 1280 && c.hasPort(30303) && b[97] >= 1 && b[97] <= 4 &&
			!ethGroupAddr(c) {
			c.set(protoEthereum)
			return matched
		}
		return notMine
	}
	if c.srvPort >= 30300 && c.srvPort <= 30305 && len(b) > 300 && len(b) < 600 &&
		b[2] == 0x04 && int(binary.BigEndian.Uint16(b)) == len(b)-2 {
		c.set(protoEthereum)
		return matched
	}
	return notMine
}

// ethGroupAddr reports whether the packet goes to a broadcast or multicast
// address: discovery is unicast, so those are something else.
func ethGroupAddr(c *ctx) bool {
	d := c.p.Dst
	return d.IsMulticast() || (d.Is4() && d.As4()[0] == 255)
}

// Network magics that open every Bitcoin message: mainnet, the old
// testnet and regtest, testnet3, signet and Namecoin.
var bitcoinMagics = [...]uint32{0xf9beb4d9, 0xfabfb5da, 0x0b110907, 0x0a03cf40, 0xf9beb4fe}

// dissectBitcoin recognises the message header: the network magic, then
// a 12-byte command name padded with zeros. nDPI wants port 8333 with the
// magic; a well-formed command name is as good a second proof, so a node
// on another port is recognised too.
func dissectBitcoin(c *ctx) verdict {
	b := c.payload
	if len(b) < 4 {
		return notMine
	}
	m := binary.BigEndian.Uint32(b)
	for _, magic := range bitcoinMagics {
		if m == magic {
			if c.hasPort(8333) || bitcoinCommand(b[4:]) {
				c.set(protoBitcoin)
				return matched
			}
			break
		}
	}
	return notMine
}

// bitcoinCommand reports whether b starts with a command field: lower-case
// ASCII letters, then zeros up to 12 bytes.
func bitcoinCommand(b []byte) bool {
	if len(b) < 12 || b[0] < 'a' || b[0] > 'z' {
		return false
	}
	i := 0
	for i < 12 && b[i] >= 'a' && b[i] <= 'z' {
		i++
	}
	for ; i < 12; i++ {
		if b[i] != 0 {
			return false
		}
	}
	return true
}

var (
	jsonMethod = []byte(`"method"`)
	jsonAgent  = []byte(`"agent"`)
)

// miningMethods are the methods of the pool protocols:
// Stratum ("mining.subscribe", "mining.authorize", ...) and its Ethereum
// variant (eth-proxy).
var miningMethods = [...]string{
	"mining.", "eth_submitLogin", "eth_getWork", "eth_submitWork", "eth_submitHashrate",
}

// dissectMining recognises a miner's call to a pool. A flow whose first
// payload is not a JSON object is ruled out at once.
func dissectMining(c *ctx) verdict {
	b := c.payload
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	if i == len(b) || b[i] != '{' {
		return notMine
	}
	if miningCall(b[i:]) {
		return miningFound(c)
	}
	// The pool may speak first, or the first call be another one.
	if c.pkts() < 4 {
		return needMore
	}
	return notMine
}

// miningCall reports whether the JSON object b is a pool-protocol call:
// a method of miningMethods, or the CryptoNote (Monero) "login", whose
// common name needs the miner's "agent" parameter too. Pool protocols are
// JSON-RPC: a JSON-RPC dissector should leave these calls to Mining, as
// nDPI does.
func miningCall(b []byte) bool {
	m := jsonStringAfter(b, jsonMethod)
	if m == nil {
		return false
	}
	for _, name := range miningMethods {
		if len(m) >= len(name) && string(m[:len(name)]) == name {
			return true
		}
	}
	return string(m) == "login" && bytes.Contains(b, jsonAgent)
}

func miningFound(c *ctx) verdict {
	c.set(protoMining)
	c.risk(RiskUnsafeProtocol)
	return matched
}

// jsonStringAfter returns the string value of the first key in b (key
// includes its quotes), or nil: `"key" : "value"` gives value.
func jsonStringAfter(b, key []byte) []byte {
	i := bytes.Index(b, key)
	if i < 0 {
		return nil
	}
	b = b[i+len(key):]
	i = 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i == len(b) || b[i] != ':' {
		return nil
	}
	i++
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i == len(b) || b[i] != '"' {
		return nil
	}
	b = b[i+1:]
	if j := bytes.IndexByte(b, '"'); j >= 0 {
		return b[:j]
	}
	return nil
}
