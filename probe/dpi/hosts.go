package dpi

import "strings"

// Server-name classification: a small table of the largest services, with
// patterns written the way nDPI writes its host patterns. A pattern
// "example.com" matches the name itself and any sub-domain
// ("www.example.com"); a pattern ending in '.' or '-' ("google.") matches
// when it starts the name or follows a '.' ("www.google.it"). The longest
// matching pattern wins.

// hostGroups lists, per protocol, the server-name patterns of the largest
// services (after nDPI's host tables).
var hostGroups = []struct {
	id    ProtoID
	hosts []string
}{
	{119, []string{"facebook.com", "facebook.net", "fbcdn.net", "fbsbx.com", "fb.com", "fb.gg", "fbcdn-"}}, // Facebook
	{211, []string{"instagram.com", "cdninstagram.com"}},                                                   // Instagram
	{142, []string{"whatsapp.net", "whatsapp.com"}},                                                        // WhatsApp
	{157, []string{"messenger.com"}},                                                                       // FacebookMessenger
	{413, []string{"threads.net"}},                                                                         // Threads
	{126, []string{"google.", "google.com", "gstatic.com", "googleusercontent.com", "ggpht.com", "1e100.net", "gvt1.com", "gvt2.com", "doubleclick.net", "googlesyndication.com", "google-analytics.com", "googleadservices.com", "app-measurement.com"}}, // Google
	{239, []string{"googleapis.com", "googletagmanager.com", "googletagservices.com", "mtalk.google.com"}},                                                                                                                                                // GoogleServices
	{124, []string{"youtube.com", "youtube.", "youtu.be", "googlevideo.com", "ytimg.com", "youtube-nocookie.com", "youtubei.googleapis.com"}},                                                                                                             // YouTube
	{136, []string{"upload.youtube.com"}},                                                                               // YouTubeUpload
	{122, []string{"gmail.com", "mail.google.com", "inbox.google.com"}},                                                 // GMail
	{123, []string{"maps.google.com", "maps.gstatic.com"}},                                                              // GoogleMaps
	{217, []string{"drive.google.com"}},                                                                                 // GoogleDrive
	{241, []string{"docs.google.com"}},                                                                                  // GoogleDocs
	{201, []string{"meet.google.com"}},                                                                                  // GoogleMeet
	{382, []string{"chat.google.com"}},                                                                                  // GoogleChat
	{281, []string{"classroom.google.com"}},                                                                             // GoogleClassroom
	{228, []string{"play.google.com", "android.clients.google.com", "play.googleapis.com"}},                             // PlayStore
	{196, []string{"dns.google", "dns.google.com", "cloudflare-dns.com"}},                                               // DoH_DoT
	{178, []string{"amazon.", "amazon.com", "images-amazon.com", "media-amazon.com"}},                                   // Amazon
	{265, []string{"amazonaws.com", "aws.a2z.com"}},                                                                     // AmazonAWS
	{240, []string{"primevideo.com", "aiv-cdn.net", "aiv-delivery.net", "amazonvideo.com"}},                             // AmazonVideo
	{110, []string{"alexa.amazon.com", "amazonalexa.com"}},                                                              // AmazonAlexa
	{212, []string{"microsoft.com", "msn.com", "msedge.net", "msocdn.com", "onmicrosoft.com", "msftconnecttest.com"}},   // Microsoft
	{147, []string{"windowsupdate.com", "update.microsoft.com", "delivery.mp.microsoft.com"}},                           // WindowsUpdate
	{219, []string{"office.com", "office.net", "office365.com", "bing.com"}},                                            // Microsoft365
	{21, []string{"outlook.com", "hotmail.com", "outlook.office365.com"}},                                               // Outlook
	{276, []string{"azure.com", "azureedge.net", "azure.net", "windows.net"}},                                           // Azure
	{250, []string{"teams.microsoft.com", "teams.live.com"}},                                                            // Teams
	{125, []string{"skype.com"}},                                                                                        // Skype_Teams
	{221, []string{"onedrive.com", "onedrive.live.com", "sharepoint.com"}},                                              // MS_OneDrive
	{47, []string{"xbox.com", "xboxlive.com"}},                                                                          // Xbox
	{140, []string{"apple.com", "mzstatic.com", "apple-dns.net", "cdn-apple.com", "aaplimg.com", "apple-cloudkit.com"}}, // Apple
	{143, []string{"icloud.com", "me.com", "icloud-content.com"}},                                                       // AppleiCloud
	{238, []string{"push.apple.com"}},                                                                                   // ApplePush
	{145, []string{"itunes.apple.com"}},                                                                                 // AppleiTunes
	{220, []string{"cloudflare.com"}},                                                                                   // Cloudflare
	{300, []string{"cloudflareclient.com"}},                                                                             // CloudflareWarp
	{26, []string{"ntop.org"}},                                                                                          // ntop
	{63, []string{"ocsp.", "ocsp2."}},                                                                                   // OCSP
	{203, []string{"github.com", "githubusercontent.com", "githubassets.com", "github.io"}},                             // Github
	{262, []string{"gitlab.com"}},                                                                                       // GitLab
	{121, []string{"dropbox.com", "dropboxapi.com", "dropboxusercontent.com", "dropboxstatic.com"}},                     // Dropbox
	{266, []string{"salesforce.com", "force.com"}},                                                                      // Salesforce
	{133, []string{"netflix.com", "nflxvideo.net", "nflximg.net", "nflximg.com", "nflxext.com", "nflxso.net"}},          // NetFlix
	{120, []string{"twitter.com", "twitter.", "twimg.com", "t.co", "x.com"}},                                            // Twitter
	{233, []string{"linkedin.com", "licdn.com"}},                                                                        // LinkedIn
	{49, []string{"tiktok.com", "tiktokcdn.com", "tiktokv.com", "byteoversea.com"}},                                     // TikTok
	{156, []string{"spotify.com", "scdn.co", "spotifycdn.com", "spotifycdn.net"}},                                       // Spotify
	{176, []string{"wikipedia.", "wikimedia.", "wikipedia.org", "wikimedia.org"}},                                       // Wikipedia
	{70, []string{"yahoo.com", "yimg.com"}},                                                                             // Yahoo
	{195, []string{"twitch.tv", "ttvnw.net", "jtvnw.net"}},                                                              // Twitch
	{189, []string{"zoom.us"}},                                                                                          // Zoom
	{118, []string{"slack.com", "slack-edge.com"}},                                                                      // Slack
	{58, []string{"discord.com", "discordapp.com", "discordapp.net", "discord.gg"}},                                     // Discord
	{185, []string{"telegram.org", "t.me"}},                                                                             // Telegram
	{39, []string{"signal.org"}},                                                                                        // Signal
	{74, []string{"steampowered.com", "steamcommunity.com", "steamstatic.com", "steamcontent.com"}},                     // Steam
	{231, []string{"playstation.net", "playstation.com"}},                                                               // Playstation
	{179, []string{"ebay.com", "ebay."}},                                                                                // eBay
	{205, []string{"reddit.com", "redd.it", "redditmedia.com", "redditstatic.com"}},                                     // Reddit
	{183, []string{"pinterest.com", "pinimg.com"}},                                                                      // Pinterest
	{199, []string{"snapchat.com", "sc-cdn.net"}},                                                                       // Snapchat
	{267, []string{"vimeo.com", "vimeocdn.com"}},                                                                        // Vimeo
	{234, []string{"soundcloud.com", "sndcdn.com"}},                                                                     // SoundCloud
	{71, []string{"disneyplus.com", "bamgrid.com"}},                                                                     // DisneyPlus
	{137, []string{"hulu.com"}},                                                                                         // Hulu
	{141, []string{"webex.com"}},                                                                                        // Webex
	{148, []string{"teamviewer.com"}},                                                                                   // TeamViewer
	{252, []string{"anydesk.com"}},                                                                                      // AnyDesk
	{22, []string{"vk.com"}},                                                                                            // VK
	{25, []string{"yandex."}},                                                                                           // Yandex
	{48, []string{"qq.com"}},                                                                                            // QQ
	{197, []string{"wechat.com"}},                                                                                       // WeChat
	{274, []string{"alibaba.com", "alicdn.com"}},                                                                        // Alibaba
	{287, []string{"xiaomi.com"}},                                                                                       // Xiaomi
	{232, []string{"pastebin.com"}},                                                                                     // Pastebin
	{163, []string{"torproject.org"}},                                                                                   // Tor
}

// hostTable is hostGroups indexed by pattern.
var hostTable = func() map[string]ProtoID {
	m := make(map[string]ProtoID)
	for _, g := range hostGroups {
		for _, h := range g.hosts {
			m[h] = g.id
		}
	}
	return m
}()

// hostTableMaxLen bounds the names looked up (the DNS maximum).
const hostTableMaxLen = 253

// prefixPatternMax is the length of the longest prefix pattern (one ending
// in '.' or '-'), which bounds the prefix scan.
var prefixPatternMax = func() int {
	n := 0
	for k := range hostTable {
		if c := k[len(k)-1]; (c == '.' || c == '-') && len(k) > n {
			n = len(k)
		}
	}
	return n
}()

// matchHostTable classifies a lower-case server name with hostTable.
func matchHostTable(name string) (ProtoID, CategoryID) {
	id, _ := matchHostPatterns(name)
	return id, 0
}

func matchHostPatterns(name string) (ProtoID, bool) {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > hostTableMaxLen {
		return ProtoUnknown, false
	}
	best, bestLen := ProtoUnknown, 0
	// Suffix patterns: the whole name, then after each '.'.
	for i := 0; i <= len(name); {
		s := name[i:]
		if len(s) > bestLen {
			if id, ok := hostTable[s]; ok {
				best, bestLen = id, len(s)
			}
		}
		j := strings.IndexByte(s, '.')
		if j < 0 {
			break
		}
		i += j + 1
	}
	// Prefix patterns ending in '.' or '-', starting the name or a label.
	for start := 0; start < len(name); {
		rest := name[start:]
		for k := 0; k < len(rest) && k < prefixPatternMax; k++ {
			if c := rest[k]; c == '.' || c == '-' {
				if k+1 > bestLen {
					if id, ok := hostTable[rest[:k+1]]; ok {
						best, bestLen = id, k+1
					}
				}
			}
		}
		j := strings.IndexByte(rest, '.')
		if j < 0 {
			break
		}
		start += j + 1
	}
	return best, bestLen > 0
}
