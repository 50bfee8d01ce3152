package spool

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"time"
)

// The spool's files, all little-endian, every part checksummed with
// CRC-32C so that a torn write or a damaged byte is detected, never
// trusted:
//
// A segment file (<id>.seg) starts with a header naming the destination
// identity its batches were encoded for, then holds records:
//
//	header  "GTSG" | version u16 | identity length u16 | identity JSON | CRC u32 (of all before it)
//	record  "GTR2" | payload length u32 | spans u32 | flags u32 | unix ns i64 | payload CRC u32 | header CRC u32 | payload
//
// Flag 1 marks a batch a request may already have delivered (it was
// written in full, and the answer was lost): delivering it again may make
// duplicates, which are counted.
//
// Beside it, <id>.idx lists the records appended to the segment, one
// 24-byte entry each, written after the record:
//
//	entry   offset u64 | payload length u32 | spans u32 | payload CRC u32 | entry CRC u32
//
// The index is what lets a scan count, in spans, what disk damage
// destroyed, and find records without trusting lengths read from damaged
// bytes. The cursor file says where the first record not yet delivered is:
//
//	cursor  "GTC2 <segment id> <offset> <CRC of the two numbers, hex>\n"
//
// Records delivered out of order, past the cursor (several senders, one of
// them slow), are listed in the acks file, so that a restart does not send
// them again; it is emptied whenever the cursor catches up:
//
//	ack     segment id u64 | offset u64 | CRC u32
const (
	segmentMagic     = "GTSG"
	segmentVersion   = 2
	recordMagic      = "GTR2"
	recordHeaderSize = 32
	idxEntrySize     = 24
	segmentSuffix    = ".seg"
	indexSuffix      = ".idx"
	cursorFile       = "cursor"
	cursorMagic      = "GTC2"
	acksFile         = "acks"
	ackEntrySize     = 20
	maxIdentityBytes = 4 << 10
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func crc(b []byte) uint32 { return crc32.Checksum(b, crcTable) }

// recMeta is what the spool keeps in memory about one record.
type recMeta struct {
	off   int64
	size  int32
	spans int32
	flags uint32
	time  int64
	crc   uint32
	state recState
	// sentAt, in memory only, is when a request that may have delivered
	// the record last ended, for a record returned with Nack (0: its time,
	// which for a record appended maybe-sent is after that request).
	sentAt int64
}

// flagMaybeSent marks a record a request may already have delivered; the
// flags' second byte counts such requests (a file written before the count
// was kept has the bit alone: one request).
const flagMaybeSent uint32 = 1

const (
	copiesShift = 8
	maxCopies   = 0xff
)

// copies is how many requests may already have delivered the record.
func (m recMeta) copies() int {
	if m.flags&flagMaybeSent == 0 {
		return 0
	}
	return max(int(m.flags>>copiesShift&maxCopies), 1)
}

// setCopies records that n requests may already have delivered the record
// (capped at 255); n == 0 leaves the flags as they are.
func (m *recMeta) setCopies(n int) {
	if n <= 0 {
		return
	}
	m.flags = m.flags&^(maxCopies<<copiesShift) | flagMaybeSent | uint32(min(n, maxCopies))<<copiesShift
}

func (m recMeta) end() int64 { return m.off + recordHeaderSize + int64(m.size) }

// sentTime is when a request that may have delivered the record last
// ended, as far as the spool knows: sentAt, else the record's time.
func (m recMeta) sentTime() time.Time {
	if m.sentAt != 0 {
		return time.Unix(0, m.sentAt)
	}
	return time.Unix(0, m.time)
}

// appendSegmentHeader encodes a segment's header.
func appendSegmentHeader(b []byte, id Identity) []byte {
	js, _ := json.Marshal(id)
	if len(js) > maxIdentityBytes {
		js = js[:maxIdentityBytes] // cannot happen with real names and URLs; never trusted if it did
	}
	start := len(b)
	b = append(b, segmentMagic...)
	b = binary.LittleEndian.AppendUint16(b, segmentVersion)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(js)))
	b = append(b, js...)
	return binary.LittleEndian.AppendUint32(b, crc(b[start:]))
}

// parseSegmentHeader reads a segment's header: the identity and the
// header's length. ok is false when the header is missing or damaged.
func parseSegmentHeader(b []byte) (id Identity, n int, ok bool) {
	if len(b) < 12 || string(b[:4]) != segmentMagic || binary.LittleEndian.Uint16(b[4:]) != segmentVersion {
		return id, 0, false
	}
	l := int(binary.LittleEndian.Uint16(b[6:]))
	n = 8 + l + 4
	if l > maxIdentityBytes || len(b) < n || crc(b[:n-4]) != binary.LittleEndian.Uint32(b[n-4:]) {
		return id, 0, false
	}
	if json.Unmarshal(b[8:8+l], &id) != nil || id.Key == "" {
		return Identity{}, 0, false
	}
	return id, n, true
}

// appendRecord encodes one record.
func appendRecord(b, payload []byte, spans int, flags uint32, unixNano int64) []byte {
	start := len(b)
	b = append(b, recordMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.LittleEndian.AppendUint32(b, uint32(spans))
	b = binary.LittleEndian.AppendUint32(b, flags)
	b = binary.LittleEndian.AppendUint64(b, uint64(unixNano))
	b = binary.LittleEndian.AppendUint32(b, crc(payload))
	b = binary.LittleEndian.AppendUint32(b, crc(b[start:]))
	return append(b, payload...)
}

// parseRecordHeader validates the 32 bytes of a record's header, not its
// payload: cheap enough to try at any offset.
func parseRecordHeader(b []byte) (recMeta, bool) {
	if len(b) < recordHeaderSize || string(b[:4]) != recordMagic {
		return recMeta{}, false
	}
	if crc(b[:28]) != binary.LittleEndian.Uint32(b[28:]) {
		return recMeta{}, false
	}
	size := binary.LittleEndian.Uint32(b[4:])
	spans := binary.LittleEndian.Uint32(b[8:])
	if size > 1<<30 || spans > 1<<30 {
		return recMeta{}, false
	}
	return recMeta{
		size:  int32(size),
		spans: int32(spans),
		flags: binary.LittleEndian.Uint32(b[12:]),
		time:  int64(binary.LittleEndian.Uint64(b[16:])),
		crc:   binary.LittleEndian.Uint32(b[24:]),
	}, true
}

// appendIndexEntry encodes the index entry of a record.
func appendIndexEntry(b []byte, m recMeta) []byte {
	start := len(b)
	b = binary.LittleEndian.AppendUint64(b, uint64(m.off))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.size))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.spans))
	b = binary.LittleEndian.AppendUint32(b, m.crc)
	return binary.LittleEndian.AppendUint32(b, crc(b[start:]))
}

// parseIndexEntry validates one index entry.
func parseIndexEntry(b []byte) (recMeta, bool) {
	if len(b) < idxEntrySize || crc(b[:20]) != binary.LittleEndian.Uint32(b[20:]) {
		return recMeta{}, false
	}
	off := binary.LittleEndian.Uint64(b)
	size := binary.LittleEndian.Uint32(b[8:])
	spans := binary.LittleEndian.Uint32(b[12:])
	if off > 1<<40 || size > 1<<30 || spans > 1<<30 {
		return recMeta{}, false
	}
	return recMeta{off: int64(off), size: int32(size), spans: int32(spans), crc: binary.LittleEndian.Uint32(b[16:])}, true
}

// position is a place in a spool: a segment and an offset in it.
type position struct {
	seg uint64
	off int64
}

func (p position) before(q position) bool {
	return p.seg < q.seg || (p.seg == q.seg && p.off < q.off)
}

func encodeCursor(p position) []byte {
	nums := fmt.Sprintf("%d %d", p.seg, p.off)
	return fmt.Appendf(nil, "%s %s %08x\n", cursorMagic, nums, crc([]byte(nums)))
}

// parseCursor reads a cursor file; ok is false unless it is intact.
func parseCursor(b []byte) (position, bool) {
	f := strings.Fields(string(b))
	if len(f) != 4 || f[0] != cursorMagic {
		return position{}, false
	}
	seg, err1 := strconv.ParseUint(f[1], 10, 64)
	off, err2 := strconv.ParseInt(f[2], 10, 64)
	sum, err3 := strconv.ParseUint(f[3], 16, 32)
	if err1 != nil || err2 != nil || err3 != nil || off < 0 || uint32(sum) != crc([]byte(f[1]+" "+f[2])) {
		return position{}, false
	}
	return position{seg: seg, off: off}, true
}

func appendAck(b []byte, p position) []byte {
	start := len(b)
	b = binary.LittleEndian.AppendUint64(b, p.seg)
	b = binary.LittleEndian.AppendUint64(b, uint64(p.off))
	return binary.LittleEndian.AppendUint32(b, crc(b[start:]))
}

// parseAcks returns the intact entries of an acks file.
func parseAcks(b []byte) []position {
	var out []position
	for i := 0; i+ackEntrySize <= len(b); i += ackEntrySize {
		e := b[i : i+ackEntrySize]
		if crc(e[:16]) == binary.LittleEndian.Uint32(e[16:]) {
			out = append(out, position{seg: binary.LittleEndian.Uint64(e), off: int64(binary.LittleEndian.Uint64(e[8:]))})
		}
	}
	return out
}
