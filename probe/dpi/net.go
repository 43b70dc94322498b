package dpi

// Network services: name resolution, discovery, time, management, logging,
// directory and authentication.
var netDissectors = []dissector{}
