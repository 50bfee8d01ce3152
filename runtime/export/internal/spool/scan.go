package spool

import (
	"bytes"
)

// segmentScan is what reading one segment file back found.
type segmentScan struct {
	identity Identity
	known    bool      // the header is intact: identity is what the file says
	start    int64     // offset of the first record
	recs     []recMeta // intact records, in file order
	// lost are records the index lists whose bytes are damaged or missing:
	// their spans are known to be lost.
	lost []recMeta
	// damaged counts damaged stretches the index does not cover (a torn
	// write at a crash, or a damaged index): their spans are unknown.
	damaged int
	// work counts the bytes examined: the scan is linear in the input.
	work int
}

// resyncBudget bounds, beyond the size of the region being searched, the
// payload bytes checksummed for candidate records that turn out damaged.
// A real file almost never offers such candidates (a random header has a
// 2^-32 chance of a valid checksum); a crafted one may offer one every 32
// bytes, each claiming the rest of the file, and must not make the scan
// quadratic.
const resyncBudget = 1 << 20

// scanSegment reads a segment and its index, trusting neither: records the
// index lists are verified where it says they are; stretches the index
// does not cover are parsed record by record, resynchronising after damage
// at the next intact record header. It runs in time linear in
// len(data)+len(idx) on any input.
func scanSegment(data, idx []byte) segmentScan {
	var s segmentScan
	if id, n, ok := parseSegmentHeader(data); ok {
		s.identity, s.known, s.start = id, true, int64(n)
	}
	s.work += int(s.start)
	pos := s.start
	for _, e := range indexEntries(idx, s.start, &s.work) {
		if e.off < pos {
			continue // overlaps what is already accounted for: a damaged entry
		}
		if gap := min(e.off, int64(len(data))); gap > pos {
			s.recover(data, pos, gap)
		}
		if m, ok := verifyRecord(data, e, &s.work); ok {
			s.recs = append(s.recs, m)
		} else {
			s.lost = append(s.lost, e)
		}
		pos = e.end()
	}
	if pos < int64(len(data)) {
		s.recover(data, pos, int64(len(data)))
	}
	return s
}

// indexEntries returns the intact index entries in increasing, non
// overlapping order of offset; anything else in the index is ignored.
func indexEntries(idx []byte, start int64, work *int) []recMeta {
	var out []recMeta
	end := start
	for i := 0; i+idxEntrySize <= len(idx); i += idxEntrySize {
		*work += idxEntrySize
		e, ok := parseIndexEntry(idx[i:])
		if !ok || e.off < end {
			continue
		}
		out = append(out, e)
		end = e.end()
	}
	return out
}

// verifyRecord checks that the record the index entry e describes is
// intact in data.
func verifyRecord(data []byte, e recMeta, work *int) (recMeta, bool) {
	if e.end() > int64(len(data)) {
		return recMeta{}, false
	}
	rec := data[e.off:e.end()]
	*work += len(rec)
	m, ok := parseRecordHeader(rec)
	if !ok || m.size != e.size || m.spans != e.spans || m.crc != e.crc || crc(rec[recordHeaderSize:]) != m.crc {
		return recMeta{}, false
	}
	m.off = e.off
	return m, true
}

// recover parses data[from:to], a stretch no intact index entry covers.
func (s *segmentScan) recover(data []byte, from, to int64) {
	region := data[from:to]
	budget := len(region) + resyncBudget
	inDamage := false
	for off := 0; off < len(region); {
		m, ok := parseRecordHeader(region[off:])
		s.work += min(recordHeaderSize, len(region)-off)
		if ok && int64(off)+recordHeaderSize+int64(m.size) <= int64(len(region)) && budget >= int(m.size) {
			payload := region[off+recordHeaderSize : off+recordHeaderSize+int(m.size)]
			s.work += len(payload)
			if crc(payload) == m.crc {
				m.off = from + int64(off)
				s.recs = append(s.recs, m)
				off += recordHeaderSize + int(m.size)
				inDamage = false
				continue
			}
			budget -= len(payload)
		}
		if !inDamage {
			s.damaged++
			inDamage = true
		}
		next := bytes.Index(region[off+1:], []byte(recordMagic))
		if next < 0 {
			s.work += len(region) - off - 1
			return
		}
		s.work += next + len(recordMagic)
		off += 1 + next
	}
}
