package alertdb

import (
	"context"
	"fmt"
)

// SeriesSlots is the number of points of every series (spec §3.4).
const SeriesSlots = 32

// SeverityCounts is the series of one stored severity.
type SeverityCounts struct {
	Severity int
	Counts   [SeriesSlots]int
}

// Series is the answer of Store.Series: slot i starts at First+i·Width
// (epoch seconds; the REST layer multiplies by 1000).
type Series struct {
	First, Width int64
	// Severities holds one entry per stored severity present, by
	// severity id descending; empty when no alert matched (the REST
	// layer then answers the "No alerts" series).
	Severities []SeverityCounts
}

// SlotTime returns the start of slot i, in epoch seconds.
func (s Series) SlotTime(i int) int64 { return s.First + int64(i)*s.Width }

// SeriesWindow returns the first slot and the slot width for the range
// begin..end: width = floor((end−begin)/31), at least 1; first = begin
// rounded down to a multiple of width.
func SeriesWindow(begin, end int64) (first, width int64) {
	width = max((end-begin)/(SeriesSlots-1), 1)
	first = begin - begin%width
	if begin%width < 0 {
		first -= width
	}
	return first, width
}

// Series counts the alerts of family fam matching f per stored severity
// and per slot of the range begin..end (spec §3.4). The time filter is
// begin ≤ tstamp ≤ end (f.EpochBegin/EpochEnd are ignored); alerts after
// the last of the 32 slots (possible when the width was rounded down)
// are not counted.
func (s *Store) Series(ctx context.Context, fam Family, f Filter, begin, end int64) (Series, error) {
	fi, err := lookup(fam)
	if err != nil {
		return Series{}, err
	}
	if end < begin {
		return Series{}, fmt.Errorf("%w: epoch_end %d is before epoch_begin %d", ErrInvalidFilter, end, begin)
	}
	first, width := SeriesWindow(begin, end)
	out := Series{First: first, Width: width, Severities: []SeverityCounts{}}
	last := first + SeriesSlots*width - 1 // last second of the last slot
	w, err := fi.where(&f, s.opts.ProtoByName, &[2]int64{begin, min(end, last)})
	if err != nil {
		return Series{}, err
	}
	args := append([]any{first, width}, w.args...)
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT "severity", ("tstamp" - ?) / ? AS slot, COUNT(*) FROM `+
		quote(fi.table)+w.String()+` GROUP BY "severity", slot ORDER BY "severity" DESC`, args...)
	if err != nil {
		return Series{}, fmt.Errorf("alertdb: %s alert series: %w", fam, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sev, n int
		var slot int64
		if err := rows.Scan(&sev, &slot, &n); err != nil {
			return Series{}, fmt.Errorf("alertdb: %s alert series: %w", fam, err)
		}
		if slot < 0 || slot >= SeriesSlots {
			continue // cannot happen with the time filter above
		}
		if k := len(out.Severities); k == 0 || out.Severities[k-1].Severity != sev {
			out.Severities = append(out.Severities, SeverityCounts{Severity: sev})
		}
		out.Severities[len(out.Severities)-1].Counts[slot] += n
	}
	if err := rows.Err(); err != nil {
		return Series{}, fmt.Errorf("alertdb: %s alert series: %w", fam, err)
	}
	return out, nil
}
