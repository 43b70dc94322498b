package dpi

// Voice, video and conferencing: STUN/TURN, RTP/RTCP, SIP and the
// conferencing services recognised from their own framing.
var voipDissectors = []dissector{}
