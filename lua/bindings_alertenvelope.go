package lua

import (
	"sort"

	glua "github.com/yuin/gopher-lua"

	"github.com/ntopng-go/ntopng/rest/rc"
)

// Extended answers: envelopes with top-level members next to rc, rc_str,
// rc_str_hr and rsp, as ntopng's rest_utils.extended_answer writes them
// (the DataTables members recordsFiltered, recordsTotal and draw of the
// alert lists). Any script may use it.

// envelopeMembers are the members an extension may not replace.
var envelopeMembers = map[string]bool{"rc": true, "rc_str": true, "rc_str_hr": true, "rsp": true}

// EnvelopeMember is an extra top-level member: its name and JSON text.
type EnvelopeMember struct {
	Name string
	JSON []byte
}

// EnvelopeWith is Envelope with extra members, written between rc_str_hr
// and rsp in the order given.
func EnvelopeWith(code rc.Code, rsp []byte, extra []EnvelopeMember) []byte {
	env := Envelope(code, nil) // {"rc":…,"rc_str":…,"rc_str_hr":…,"rsp":}
	head := env[:len(env)-len(`,"rsp":}`)]
	out := make([]byte, 0, len(env)+len(rsp)+64*len(extra))
	out = append(out, head...)
	for _, m := range extra {
		out = append(out, ',')
		out, _ = EncodeJSON(out, glua.LString(m.Name))
		out = append(out, ':')
		out = append(out, m.JSON...)
	}
	out = append(out, `,"rsp":`...)
	out = append(out, rsp...)
	return append(out, '}')
}

// sendExtendedRestAnswer(rc_str, payload, extra) is sendRestAnswer with the
// members of the table extra (string keys) added to the envelope, in key
// order.
func (b *binder) sendExtendedRestAnswer(L *glua.LState) int {
	code, ok := rc.ByStr(L.CheckString(1))
	if !ok {
		L.ArgError(1, "unknown return code")
	}
	payload := L.Get(2)
	if payload == glua.LNil {
		payload = L.NewTable()
	}
	rsp, err := EncodeJSON(make([]byte, 0, 4096), payload)
	if err != nil {
		L.RaiseError("cannot encode answer: %v", err)
	}
	var extra []EnvelopeMember
	if t := L.OptTable(3, nil); t != nil {
		t.ForEach(func(k, v glua.LValue) {
			name, isStr := k.(glua.LString)
			if !isStr || envelopeMembers[string(name)] {
				L.ArgError(3, "extra envelope members need string names other than rc, rc_str, rc_str_hr, rsp")
			}
			text, err := EncodeJSON(nil, v)
			if err != nil {
				L.RaiseError("cannot encode answer member %s: %v", name, err)
			}
			extra = append(extra, EnvelopeMember{string(name), text})
		})
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Name < extra[j].Name })
	r := b.req()
	r.Answered = true
	r.Status = code.HTTP
	b.vm.Out = b.vm.Out[:0]
	r.Body = EnvelopeWith(code, rsp, extra)
	return 0
}
