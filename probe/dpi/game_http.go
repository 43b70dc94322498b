package dpi

// Game clients recognised from an HTTP request: their updaters fetch
// patches with a telling path, User-Agent and Host. nDPI reports these
// flows as the game alone (not HTTP.<game>), so the HTTP dissector asks
// gameHTTPApp before naming the service from the Host.

// gameHTTPApp names the game an HTTP request comes from, or Unknown. The
// arguments are the request's method, target, User-Agent and Host header
// as sent.
func gameHTTPApp(method string, target, ua, host []byte) ProtoID {
	if method != "GET" {
		return ProtoUnknown
	}
	switch {
	case gameHasPrefix(target, "/maple/patch"):
		// The MapleStory patcher: "GET /maple/patch...", User-Agent
		// "Patcher", Host "patch.<domain>".
		if string(ua) == "Patcher" && len(host) > len("patch.") && gameHasPrefix(host, "patch.") {
			return protoMapleStory
		}
	case gameHasPrefix(target, "/maplestory/"):
		// The MapleStory launcher's web requests.
		if string(ua) == "AspINet" {
			return protoMapleStory
		}
	case len(target) > 0 && target[0] == '/':
		// The World of Warcraft downloader.
		const wowHost = "worldofwarcraft.com"
		if len(ua) > len("Blizzard Downloader") && gameHasPrefix(ua, "Blizzard Downloader") &&
			len(host) > len(wowHost) && string(host[len(host)-len(wowHost):]) == wowHost {
			return protoWorldOfWarcraft
		}
	}
	return ProtoUnknown
}
