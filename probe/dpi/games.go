package dpi

// Online games and game platforms. Game protocols are mostly proprietary
// UDP with short, weak signatures, so each recogniser follows nDPI's
// conditions closely (lengths, magic words, ports, packet order) rather
// than guessing: a loose rule here would label random traffic. The family
// comes last in priority order, after every protocol with a strict
// signature. Game services recognised only by address (Roblox, Tencent)
// or by server name (TLS.Steam, TLS.Dota2, HTTP.WorldOfWarcraft) belong to
// the address and name tables, not here.
var gameDissectors = []dissector{
	{name: "GameSignatures", l4: onBoth, run: dissectGameSignatures},
	{name: "Valve", l4: onUDP, run: dissectValve},
	{name: "EpicGames", l4: onUDP, run: dissectEpicGames},
	{name: "Activision", l4: onUDP, run: dissectActivision},
	{name: "CoD_Mobile", l4: onUDP, run: dissectCoDMobile},
	{name: "Starcraft", l4: onBoth, run: dissectStarcraft},
	{name: "WorldOfWarcraft", l4: onTCP, run: dissectWorldOfWarcraft},
	{name: "RakNet", l4: onUDP, run: dissectRakNet},
}

// Game protocol ids (protocols.tsv).
const (
	protoAmongUs            ProtoID = 69  // AmongUs
	protoSteam              ProtoID = 74  // Steam
	protoHalfLife2          ProtoID = 75  // HalfLife2
	protoWorldOfWarcraft    ProtoID = 76  // WorldOfWarcraft
	protoMapleStory         ProtoID = 113 // MapleStory
	protoCoDMobile          ProtoID = 186 // CoD_Mobile
	protoStarcraft          ProtoID = 213 // Starcraft
	protoSteamDatagramRelay ProtoID = 235 // SteamDatagramRelay
	protoActivision         ProtoID = 258 // Activision
	protoRakNet             ProtoID = 286 // RakNet
	protoRiotGames          ProtoID = 302 // RiotGames
	protoEpicGames          ProtoID = 340 // EpicGames
	protoTencentGames       ProtoID = 395 // TencentGames
	protoGaijin             ProtoID = 396 // GaijinEntertainment
	protoNetEaseGames       ProtoID = 402 // NetEaseGames
)

// gamePeek reads the running dissector's scratch word without allocating
// it: most flows are rejected before they need any state.
func gamePeek(c *ctx) uint64 {
	for i := range c.st.scratch {
		if c.st.scratch[i].idx == c.idx {
			return c.st.scratch[i].v
		}
	}
	return 0
}

// gameNDPIDir is nDPI's packet direction, which a few game signatures
// depend on (rather than on who opened the flow): 1 when the packet's
// source port is below its destination port, 0 when above; with equal
// ports, 1 when the source address sorts first.
func gameNDPIDir(c *ctx) int {
	sp, dp := c.p.SrcPort, c.p.DstPort
	switch {
	case sp < dp:
		return 1
	case sp > dp:
		return 0
	case c.p.Src.Less(c.p.Dst):
		return 1
	}
	return 0
}
