package rest

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzBuildParams feeds arbitrary query strings and bodies to the
// parameter layer: it must never panic, and whatever it accepts must be
// known, purified names.
func FuzzBuildParams(f *testing.F) {
	f.Add("ifid=0&perPage=10", `{"ifid": 0, "host": "192.168.1.1"}`, "application/json")
	f.Add("host=a%27b", "ifid=0&custom_name=x", "application/x-www-form-urlencoded")
	f.Add("a=%zz", `{"ifid": [1, {"x": null}], "verbose": true}`, "application/json")
	f.Add("", `[1,2,3]`, "application/json")
	f.Add("&&=&", `{"sortColumn": "<script>"}`, "application/json; charset=utf-8")
	s := New(Config{DisableLogin: true})
	f.Fuzz(func(t *testing.T, query, body, ctype string) {
		r, err := http.NewRequest("POST", "http://localhost/lua/rest/v1/x.lua?"+query, strings.NewReader(body))
		if err != nil {
			return // not a request target the HTTP server would accept
		}
		r.Header.Set("Content-Type", ctype)
		get, post, _, code, _ := s.buildParams(r)
		if code != nil {
			return
		}
		for _, m := range []map[string]string{get, post} {
			for k, v := range m {
				if _, known := validators[k]; !known && !strings.HasPrefix(k, "p_") {
					t.Fatalf("unknown name %q accepted", k)
				}
				if strings.ContainsAny(v, "<>\"") {
					t.Fatalf("value %q of %q not purified", v, k)
				}
			}
		}
	})
}
