package dpi

// Voice, video and conferencing: STUN/TURN (and what it carries: DTLS,
// RTP/SRTP), RTP/RTCP, SIP, RTSP, IAX, Megaco, MGCP, H.323, and the
// conferencing and messaging services recognised from their own framing
// (Discord, Zoom, Agora SD-RTN, WhatsApp, Telegram, Threema, Viber, IMO).
//
// The order is the priority order: the strict signatures first, the
// heuristics that need several packets (IMO, RTP) last.
var voipDissectors = []dissector{
	{name: "STUN", l4: onBoth, tcpPorts: []uint16{3478}, udpPorts: []uint16{3478, 19302}, run: stunRun},
	{name: "Discord", l4: onUDP, udpPorts: []uint16{50001, 50002, 50003, 50004}, run: discordRun},
	{name: "Zoom", l4: onUDP, udpPorts: []uint16{8801, 8802, 8803, 8804, 8805, 8806, 8807, 8808, 8809, 8810}, run: zoomRun},
	{name: "SD-RTN", l4: onUDP, udpPorts: []uint16{8130}, run: sdrtnRun},
	{name: "WhatsApp", l4: onTCP, tcpPorts: []uint16{5222}, run: whatsappRun},
	{name: "Telegram", l4: onBoth, run: telegramRun},
	{name: "Threema", l4: onTCP, tcpPorts: []uint16{5222}, run: threemaRun},
	{name: "Viber", l4: onBoth, tcpPorts: []uint16{4244, 5242}, udpPorts: []uint16{7985, 7987}, run: viberRun},
	{name: "SIP", l4: onBoth, tcpPorts: []uint16{5060, 5061}, udpPorts: []uint16{5060, 5061}, run: sipRun},
	{name: "RTSP", l4: onBoth, tcpPorts: []uint16{554, 8554}, udpPorts: []uint16{554}, run: rtspRun},
	{name: "IAX", l4: onUDP, udpPorts: []uint16{4569}, run: iaxRun},
	{name: "Megaco", l4: onUDP, udpPorts: []uint16{2944}, run: megacoRun},
	{name: "MGCP", l4: onUDP, udpPorts: []uint16{2427, 2727}, run: mgcpRun},
	{name: "H323", l4: onBoth, tcpPorts: []uint16{1720}, udpPorts: []uint16{1719}, run: h323Run},
	{name: "IMO", l4: onUDP, run: imoRun},
	{name: "RTP", l4: onBoth, run: rtpRun},
}

// nDPI protocol ids of this family (protocols.tsv).
const (
	voipDTLS           ProtoID = 30  // DTLS
	voipSkypeTeamsCall ProtoID = 38  // Skype_TeamsCall
	voipWhatsAppCall   ProtoID = 45  // WhatsAppCall
	voipRTSP           ProtoID = 50  // RTSP
	voipDiscord        ProtoID = 58  // Discord
	voipSTUN           ProtoID = 78  // STUN
	voipRTP            ProtoID = 87  // RTP
	voipMGCP           ProtoID = 94  // MGCP
	voipIAX            ProtoID = 95  // IAX
	voipSIP            ProtoID = 100 // SIP
	voipAdultContent   ProtoID = 108 // AdultContent
	voipWhatsApp       ProtoID = 142 // WhatsApp
	voipViber          ProtoID = 144 // Viber
	voipH323           ProtoID = 158 // H323
	voipRTCP           ProtoID = 165 // RTCP
	voipSDRTN          ProtoID = 171 // SD-RTN
	voipMegaco         ProtoID = 181 // Megaco
	voipTelegram       ProtoID = 185 // Telegram
	voipZoom           ProtoID = 189 // Zoom
	voipIMO            ProtoID = 216 // IMO
	voipFacebookVoip   ProtoID = 268 // FacebookVoip
	voipSignalVoip     ProtoID = 269 // SignalVoip
	voipThreema        ProtoID = 305 // Threema
	voipSRTP           ProtoID = 338 // SRTP
	voipTelegramVoip   ProtoID = 355 // TelegramVoip
	voipGoogleCall     ProtoID = 404 // GoogleCall
	voipViberVoip      ProtoID = 414 // ViberVoip
)

// voipPeek returns the running dissector's scratch word if the flow
// already has one, without allocating it: the reject path of a dissector
// must not allocate, and most flows are not ours.
func voipPeek(c *ctx) *uint64 {
	for i := range c.st.scratch {
		if c.st.scratch[i].idx == c.idx {
			return &c.st.scratch[i].v
		}
	}
	return nil
}
