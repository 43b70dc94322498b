package decode

import "errors"

// Errors returned by Decoder.Decode. They are sentinel values (compare with
// errors.Is or ==); Decode never wraps them per packet so that the error path
// allocates nothing either. Decoder.ErrorLayer tells which layer failed.
//
// Whatever the error, the Packet holds every field that could be decoded:
// Timestamp, WireLen and Len are always set; L2 fields are set as soon as the
// link header was read; IP fields as soon as the IP header was read
// (IPVersion != 0); transport fields when HasTransport is true.
var (
	// ErrTruncated: the frame ended (snap length or capture cut) before a
	// header was complete, e.g. an Ethernet frame shorter than 14 bytes, an
	// IPv4 header cut in the middle, a TCP header cut by the snap length.
	// The frame still counts (WireLen/Len are valid).
	ErrTruncated = errors.New("decode: truncated packet")

	// ErrMalformed: a header is inconsistent with itself or with the
	// enclosing header although the bytes are there, e.g. IPv4 IHL < 5, an
	// IP version nibble that does not match the ethertype, a TCP data offset
	// < 5 or pointing past the IP payload, an UDP length < 8, too many
	// nested layers. Also used for the (unexpected) panics recovered by
	// gopacket's parser.
	ErrMalformed = errors.New("decode: malformed packet")

	// ErrUnsupported: the frame is well formed but carries something this
	// decoder does not dissect: a non-IP/non-ARP ethertype (LLDP, STP/LLC,
	// IPX, PPPoE discovery, ...), a PPP control protocol, an MPLS payload
	// that is neither IPv4 nor IPv6, a loopback family other than IP, or a
	// link type without a decoder. This is NOT an error for counting
	// purposes: interface totals count such frames normally; they simply
	// have no IP fields (IPVersion == 0).
	ErrUnsupported = errors.New("decode: unsupported protocol")
)
