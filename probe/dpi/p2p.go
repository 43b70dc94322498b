package dpi

// Peer-to-peer file sharing, cryptocurrencies and anonymity networks.
var p2pDissectors = []dissector{}
