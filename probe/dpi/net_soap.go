package dpi

import "bytes"

// SOAP exchanged as bare XML over TCP (without an HTTP header naming a
// SOAPAction): nDPI labels a connection that opens with an XML
// declaration as SOAP once the next packet shows the exchange goes on.

const protoSOAP ProtoID = 253 // SOAP

var soapXMLDecl = []byte(`<?xml version="1.0"`)

// dissectSOAP keeps 1 in the scratch word once the first payload packet
// started with the XML declaration.
func dissectSOAP(c *ctx) verdict {
	if c.pkts() == 1 {
		if bytes.HasPrefix(c.payload, soapXMLDecl) {
			*c.scratch() = 1
			return needMore
		}
		return notMine
	}
	if *c.scratch() != 1 {
		return notMine
	}
	// As nDPI does, the service of the server's address, if any, is
	// reported with SOAP.
	c.setPair(protoSOAP, c.ipService())
	return matched
}
