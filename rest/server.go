// Package rest serves ntopng's REST API: it maps /lua/** URLs to Lua
// scripts, authenticates, builds _GET/_POST per rest-conventions.md §3 and
// wraps every answer in the JSON envelope with the matching HTTP status.
package rest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/lua"
	"github.com/ntopng-go/ntopng/rest/rc"
)

// MaxBody is the largest request body accepted (ntopng's limit).
const MaxBody = 524288

// Config of the server.
type Config struct {
	Addr         string
	ScriptsDir   string // the folder holding lua/ (scripts/)
	DisableLogin bool
	Users        Authenticator
	// Interfaces reports whether an interface name exists (users pinned to
	// a missing interface are refused); nil accepts every name.
	Interfaces func(name string) bool
	Runtime    *lua.Runtime
	Version    string
	Logger     *log.Logger
}

// Server is the HTTP front end.
type Server struct {
	cfg   Config
	http  *http.Server
	ln    net.Listener
	locks lockout
	// rules is who may run which script (scriptAccess; tests serving
	// their own scripts replace it).
	rules map[string]access
}

// New creates a server; call Listen then Serve.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = log.New(os.Stderr, "", log.LstdFlags)
	}
	s := &Server{cfg: cfg, rules: scriptAccess}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return s
}

// Listen binds the address, so that callers know the server accepts
// connections before any capture starts.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	s.ln = ln
	return nil
}

// Addr is the bound address (after Listen).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve answers requests until Shutdown.
func (s *Server) Serve() error {
	err := s.http.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops the server gracefully.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

func (s *Server) commonHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "max-age=0, no-cache, no-store")
	h.Set("Server", "ntopng "+s.cfg.Version)
	h.Set("Pragma", "no-cache")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, HEAD")
	h.Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
}

// writeEnvelope answers with a code and an optional error message (carried
// in rsp so the client learns what was wrong; see docs/compatibility.md).
func (s *Server) writeEnvelope(w http.ResponseWriter, code rc.Code, msg string) {
	var rsp []byte
	if msg == "" {
		rsp = []byte("[]")
	} else {
		rsp = append([]byte(`{"error":`), jsonString(msg)...)
		rsp = append(rsp, '}')
	}
	s.writeRaw(w, code.HTTP, "application/json", lua.Envelope(code, rsp))
}

// writeStatus answers the envelope of code with another HTTP status (403
// for an authenticated caller that is not allowed, 429 for a lock-out).
func (s *Server) writeStatus(w http.ResponseWriter, status int, code rc.Code, msg string) {
	code.HTTP = status
	s.writeEnvelope(w, code, msg)
}

func (s *Server) writeRaw(w http.ResponseWriter, status int, ctype string, body []byte) {
	s.commonHeaders(w)
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func jsonString(s string) []byte {
	out, _ := lua.EncodeJSON(nil, glua.LString(s)) // strings always encode
	return out
}

// badURI reports the URI patterns ntopng refuses.
func badURI(u string) bool {
	return strings.Contains(u, "//") || strings.Contains(u, "&&") || strings.Contains(u, "??") ||
		strings.Contains(u, "..") || strings.ContainsAny(u, "\r\n")
}

// ServeHTTP handles one request. A panic anywhere answers INTERNAL_ERROR
// and the server keeps serving.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Logger.Printf("ERROR: panic serving %s: %v", r.URL.Path, p)
			s.writeEnvelope(w, rc.InternalError, "internal error")
		}
	}()
	if r.Method == http.MethodOptions {
		s.preflight(w, r)
		return
	}
	if badURI(r.RequestURI) {
		s.writeEnvelope(w, rc.BadFormat, "malformed request URI")
		return
	}
	path := r.URL.Path
	if !strings.HasPrefix(path, "/lua/") || !strings.HasSuffix(path, ".lua") {
		s.writeEnvelope(w, rc.NotFound, "no such endpoint: "+path)
		return
	}
	p, outcome, wait := s.authenticate(r)
	switch outcome {
	case authLocked:
		secs := int(wait/time.Second) + 1
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.writeStatus(w, http.StatusTooManyRequests, rc.NotGranted,
			"too many failed logins from this address: retry in "+strconv.Itoa(secs)+" s")
		return
	case authMissing, authRejected:
		w.Header().Set("WWW-Authenticate", `Basic realm="ntopng"`)
		msg := "authentication required"
		if outcome == authRejected {
			msg = "invalid credentials"
		}
		s.writeEnvelope(w, rc.NotGranted, msg)
		return
	}
	script, ok := s.resolve(path)
	if !ok {
		s.writeEnvelope(w, rc.NotFound, "no such endpoint: "+path)
		return
	}
	rel := filepath.ToSlash(strings.TrimPrefix(script, filepath.Clean(s.cfg.ScriptsDir)+string(filepath.Separator)))
	if ok, known := allowed(s.rules, rel, p); !ok {
		if !known {
			s.cfg.Logger.Printf("ERROR: %s has no access rule: refused", rel)
		}
		s.writeStatus(w, http.StatusForbidden, rc.NotGranted, "not allowed for user "+p.Name)
		return
	}
	if p.AllowedIfname != "" && !s.ifaceExists(p.AllowedIfname) {
		s.writeStatus(w, http.StatusForbidden, rc.NotGranted, "the interface of user "+p.Name+" does not exist")
		return
	}
	get, post, csrf, code, msg := s.buildParams(r)
	if code != nil {
		s.writeEnvelope(w, *code, msg)
		return
	}
	if p.Via == "session" && r.Method == http.MethodPost && !csrfExempt(r) && !csrfEqual(csrf, p.CSRF) {
		s.writeStatus(w, http.StatusForbidden, rc.NotGranted, "missing or wrong CSRF token")
		return
	}
	req := &lua.Request{User: p.Name, Admin: p.Admin, Path: path, AllowedNets: p.AllowedNets,
		AllowedIfname: p.AllowedIfname, Session: p.Session}
	out, err := s.cfg.Runtime.Run(r.Context(), script, req, func(L *glua.LState, env *glua.LTable) {
		env.RawSetString("_GET", stringTable(L, get))
		env.RawSetString("_POST", stringTable(L, post))
	})
	if err != nil {
		s.cfg.Logger.Printf("ERROR: %s: %v", path, err)
		s.writeEnvelope(w, rc.InternalError, "script error")
		return
	}
	if req.Answered {
		s.writeRaw(w, req.Status, "application/json", req.Body)
		return
	}
	// Non-REST pages print their output as is.
	ctype := req.ContentType
	if ctype == "" {
		ctype = "text/html"
	}
	if req.ContentDisposition != "" {
		w.Header().Set("Content-Disposition", req.ContentDisposition)
	}
	s.writeRaw(w, http.StatusOK, ctype, out)
}

func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = "*"
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", "GET")
	h.Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
	h.Set("Access-Control-Max-Age", "3600")
	w.WriteHeader(http.StatusOK)
}

// ifaceExists reports whether an interface of that name is monitored.
func (s *Server) ifaceExists(name string) bool {
	return s.cfg.Interfaces == nil || s.cfg.Interfaces(name)
}

// resolve maps a URL path to a script file: the exact file first, then the
// equivalent community v1 script for pro/ and v2 URLs.
func (s *Server) resolve(path string) (string, bool) {
	rel := strings.TrimPrefix(path, "/")
	candidates := []string{rel}
	alt := rel
	if strings.HasPrefix(alt, "lua/pro/rest/") {
		alt = "lua/rest/" + strings.TrimPrefix(alt, "lua/pro/rest/")
		candidates = append(candidates, alt)
	}
	if strings.HasPrefix(alt, "lua/rest/v2/") {
		candidates = append(candidates, "lua/rest/v1/"+strings.TrimPrefix(alt, "lua/rest/v2/"))
	}
	for _, c := range candidates {
		p := filepath.Join(s.cfg.ScriptsDir, filepath.FromSlash(c))
		if !strings.HasPrefix(p, filepath.Clean(s.cfg.ScriptsDir)+string(filepath.Separator)) {
			continue
		}
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// buildParams fills _GET and _POST (rest-conventions.md §3.1) and lints
// them. A non-nil code is an error answer.
// csrf is the CSRF token the body carried (JSON member or form field).
func (s *Server) buildParams(r *http.Request) (get, post map[string]string, csrf string, code *rc.Code, msg string) {
	get, post = map[string]string{}, map[string]string{}
	for _, pair := range strings.Split(r.URL.RawQuery, "&") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			continue
		}
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, nil, "", &rc.BadFormat, "malformed query string"
		}
		if st, err := os.Stat(v); err == nil && st.Mode().IsRegular() {
			continue // ntopng drops values naming existing files
		}
		get[k] = v
	}
	if r.Method == http.MethodPost && r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
		if err != nil {
			return nil, nil, "", &rc.BadContent, "cannot read request body"
		}
		if len(body) > MaxBody {
			return nil, nil, "", &rc.BadContent, "request body larger than " + strconv.Itoa(MaxBody) + " bytes"
		}
		ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch {
		case strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
			if len(strings.TrimSpace(string(body))) > 0 {
				members, err := jsonMembers(body)
				if err != nil {
					return nil, nil, "", &rc.BadFormat, "invalid JSON body: " + err.Error()
				}
				for k, v := range members {
					get[k] = v
					post[k] = v
				}
			}
		case ctype == "application/x-www-form-urlencoded":
			vals, err := url.ParseQuery(string(body))
			if err != nil {
				return nil, nil, "", &rc.BadFormat, "malformed form body"
			}
			for k, v := range vals {
				if len(v) > 0 {
					post[k] = v[len(v)-1]
				}
			}
		}
	}
	csrf = post["csrf"]
	if err := lint(get, true); err != nil {
		return nil, nil, "", &rc.InvalidArguments, err.Error()
	}
	if err := lint(post, true); err != nil {
		return nil, nil, "", &rc.InvalidArguments, err.Error()
	}
	return get, post, csrf, nil, ""
}

// jsonMembers decodes a JSON object body into string values, as ntopng
// sees them: numbers and booleans become their text, null members are
// absent, nested values keep their JSON text.
func jsonMembers(body []byte) (map[string]string, error) {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	if obj == nil {
		return nil, errors.New("the body must be a JSON object")
	}
	out := make(map[string]string, len(obj))
	for k, raw := range obj {
		var v any
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case nil:
		case string:
			out[k] = x
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = strconv.FormatBool(x)
		default:
			out[k] = string(raw)
		}
	}
	return out, nil
}

func stringTable(L *glua.LState, m map[string]string) *glua.LTable {
	t := L.CreateTable(0, len(m))
	for k, v := range m {
		t.RawSetString(k, glua.LString(v))
	}
	return t
}
