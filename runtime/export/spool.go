package export

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Spool file format. A segment file is a sequence of records:
//
//	magic "GTS1" | payload length u32 | spans u32 | unix nanoseconds u64 | CRC-32C u32 | payload
//
// all little-endian; the CRC covers the length, spans, time and payload. A
// torn write after a crash, or any damaged byte, fails the CRC: the record is
// skipped (and counted), and reading resynchronises at the next magic.
const (
	spoolMagic       = "GTS1"
	recordHeaderSize = 24
	segmentSuffix    = ".seg"
	cursorFile       = "cursor"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ErrSpoolBusy is returned by OpenSpool when another process holds the
// spool directory.
var ErrSpoolBusy = errors.New("spool: directory in use by another process")

// ErrRecordTooLarge is returned by Append for a record larger than the
// spool's whole budget.
var ErrRecordTooLarge = errors.New("spool: record larger than the spool's size cap")

// SpoolOptions configure a Spool. Zero fields take defaults.
type SpoolOptions struct {
	// MaxBytes caps the spool's files; past it the oldest segments are
	// deleted and their spans counted as dropped. Default 256 MiB.
	MaxBytes int64
	// SegmentBytes is the size at which a new segment file starts. Default
	// 8 MiB, or MaxBytes/4 when that is smaller.
	SegmentBytes int64
	// Sync fsyncs after every append. Without it, data is synced when a
	// segment is closed and at Close; a process crash (kill -9) loses
	// nothing either way, only a machine crash can.
	Sync   bool
	Logger *slog.Logger
}

// Record is one batch read back from the spool.
type Record struct {
	Data  []byte
	Spans int
	Time  time.Time
	seg   *segment
	index int
}

type recState uint8

const (
	recPending recState = iota
	recInFlight
	recDone
)

type recMeta struct {
	off   int64
	size  int32
	spans int32
	time  int64
	state recState
}

type segment struct {
	id      uint64
	path    string
	size    int64
	recs    []recMeta
	reader  *os.File
	dropped bool
}

// SpoolStats is a snapshot of a spool.
type SpoolStats struct {
	Bytes          int64     `json:"bytes"`
	Segments       int       `json:"segments"`
	PendingRecords int       `json:"pending_records"`
	PendingSpans   int64     `json:"pending_spans"`
	OldestPending  time.Time `json:"oldest_pending,omitzero"`
	// DroppedSpans counts spans deleted with their segment past the cap.
	DroppedSpans int64 `json:"dropped_spans"`
	// CorruptRecords counts damaged or torn records that were skipped.
	CorruptRecords int64 `json:"corrupt_records"`
}

// Spool is an append-only, crash-safe store of encoded batches for one
// destination, read back oldest first. It is safe for concurrent use.
type Spool struct {
	dir  string
	opts SpoolOptions
	log  *slog.Logger

	mu        sync.Mutex
	segs      []*segment
	writer    *os.File
	wseg      *segment
	nextID    uint64
	readSeg   int // index into segs of the next record to read
	readRec   int
	cursor    [2]int64 // segment id and offset of the first record not done
	bytes     int64
	dropped   int64
	corrupt   int64
	scratch   []byte
	closed    bool
	dirSynced bool
	lock      *os.File
}

// OpenSpool opens (creating if needed) the spool in dir: a directory of mode
// 0700 with files of mode 0600, because batches may hold prompts. Records a
// previous process spooled and did not deliver are read back first.
func OpenSpool(dir string, opts SpoolOptions) (*Spool, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 256 << 20
	}
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = min(8<<20, max(opts.MaxBytes/4, 64<<10))
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	lock, err := lockDir(filepath.Join(dir, "lock"))
	if err != nil {
		return nil, err
	}
	s := &Spool{dir: dir, opts: opts, log: opts.Logger, nextID: 1, lock: lock}
	if err := s.load(); err != nil {
		_ = lock.Close()
		return nil, err
	}
	return s, nil
}

func (s *Spool) load() error {
	s.readCursor()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		id, err := strconv.ParseUint(strings.TrimSuffix(name, segmentSuffix), 10, 64)
		if err != nil || !strings.HasSuffix(name, segmentSuffix) || e.IsDir() {
			continue
		}
		seg := &segment{id: id, path: filepath.Join(s.dir, name)}
		if err := s.scan(seg); err != nil {
			return err
		}
		s.segs = append(s.segs, seg)
		s.nextID = max(s.nextID, id+1)
	}
	slices.SortFunc(s.segs, func(a, b *segment) int { return cmpUint(a.id, b.id) })
	for _, seg := range s.segs {
		s.bytes += seg.size
		for i := range seg.recs {
			r := &seg.recs[i]
			if int64(seg.id) < s.cursor[0] || (int64(seg.id) == s.cursor[0] && r.off < s.cursor[1]) {
				r.state = recDone
			}
		}
	}
	s.collect()
	return nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// scan indexes a segment written earlier, verifying every record.
func (s *Spool) scan(seg *segment) error {
	data, err := os.ReadFile(seg.path)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	seg.size = int64(len(data))
	for off := 0; off < len(data); {
		meta, ok := parseRecord(data[off:])
		if ok {
			meta.off = int64(off)
			seg.recs = append(seg.recs, meta)
			off += recordHeaderSize + int(meta.size)
			continue
		}
		s.corrupt++
		s.log.Warn("genaitrace: spool: skipping damaged or torn record", "file", seg.path, "offset", off)
		next := bytes.Index(data[off+1:], []byte(spoolMagic))
		if next < 0 {
			break
		}
		off += 1 + next
	}
	return nil
}

// parseRecord validates the record at the start of b.
func parseRecord(b []byte) (recMeta, bool) {
	if len(b) < recordHeaderSize || string(b[:4]) != spoolMagic {
		return recMeta{}, false
	}
	size := binary.LittleEndian.Uint32(b[4:])
	if uint64(size) > uint64(len(b)-recordHeaderSize) {
		return recMeta{}, false
	}
	crc := crc32.Update(crc32.Checksum(b[4:20], crcTable), crcTable, b[recordHeaderSize:recordHeaderSize+int(size)])
	if crc != binary.LittleEndian.Uint32(b[20:]) {
		return recMeta{}, false
	}
	return recMeta{
		size:  int32(size),
		spans: int32(binary.LittleEndian.Uint32(b[8:])),
		time:  int64(binary.LittleEndian.Uint64(b[12:])),
	}, true
}

// Append stores one batch. It never blocks on anything but the disk.
func (s *Spool) Append(data []byte, spans int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("spool: closed")
	}
	n := int64(recordHeaderSize + len(data))
	if n > s.opts.MaxBytes {
		return ErrRecordTooLarge
	}
	if s.wseg == nil || s.wseg.size+n > s.opts.SegmentBytes {
		if err := s.rotate(); err != nil {
			return err
		}
	}
	for s.bytes+n > s.opts.MaxBytes && len(s.segs) > 1 && s.segs[0] != s.wseg {
		s.dropOldest()
	}
	now := time.Now().UnixNano()
	b := append(s.scratch[:0], spoolMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint32(b, uint32(spans))
	b = binary.LittleEndian.AppendUint64(b, uint64(now))
	crc := crc32.Update(crc32.Checksum(b[4:20], crcTable), crcTable, data)
	b = binary.LittleEndian.AppendUint32(b, crc)
	b = append(b, data...)
	s.scratch = b[:0]
	if _, err := s.writer.Write(b); err != nil {
		// A partial write leaves a torn record the next scan skips; start
		// a fresh segment so later records are not appended after it.
		s.closeWriter()
		return fmt.Errorf("spool: %w", err)
	}
	if s.opts.Sync {
		if err := s.writer.Sync(); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
	}
	s.wseg.recs = append(s.wseg.recs, recMeta{off: s.wseg.size, size: int32(len(data)), spans: int32(spans), time: now})
	s.wseg.size += n
	s.bytes += n
	return nil
}

func (s *Spool) rotate() error {
	s.closeWriter()
	id := s.nextID
	s.nextID++
	path := filepath.Join(s.dir, fmt.Sprintf("%020d%s", id, segmentSuffix))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.writer = f
	s.wseg = &segment{id: id, path: path}
	s.segs = append(s.segs, s.wseg)
	if !s.dirSynced {
		// Make the new file's directory entry durable once.
		if d, err := os.Open(s.dir); err == nil {
			_ = d.Sync()
			_ = d.Close()
		}
		s.dirSynced = true
	}
	return nil
}

func (s *Spool) closeWriter() {
	if s.writer != nil {
		_ = s.writer.Sync()
		_ = s.writer.Close()
		s.writer, s.wseg = nil, nil
	}
}

// dropOldest deletes the oldest segment to respect the cap, counting the
// spans not yet delivered from it.
func (s *Spool) dropOldest() {
	seg := s.segs[0]
	var lost int64
	for _, r := range seg.recs {
		if r.state == recPending {
			lost += int64(r.spans)
		}
	}
	s.dropped += lost
	s.log.Warn("genaitrace: spool full, dropped oldest segment", "file", seg.path, "spans", lost)
	s.removeSegment(0)
}

func (s *Spool) removeSegment(i int) {
	seg := s.segs[i]
	seg.dropped = true
	if seg.reader != nil {
		_ = seg.reader.Close()
	}
	_ = os.Remove(seg.path)
	s.bytes -= seg.size
	s.segs = slices.Delete(s.segs, i, i+1)
	if s.readSeg > i {
		s.readSeg--
	} else if s.readSeg == i {
		s.readRec = 0
	}
}

// Next returns the oldest record not yet delivered nor in flight, marking it
// in flight. ok is false when there is none.
func (s *Spool) Next() (rec Record, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.readSeg < len(s.segs) {
		seg := s.segs[s.readSeg]
		for ; s.readRec < len(seg.recs); s.readRec++ {
			m := &seg.recs[s.readRec]
			if m.state != recPending {
				continue
			}
			data, err := s.read(seg, m)
			if err != nil {
				s.corrupt++
				s.log.Warn("genaitrace: spool: skipping unreadable record", "file", seg.path, "offset", m.off, "error", err)
				m.state = recDone
				continue
			}
			m.state = recInFlight
			rec = Record{Data: data, Spans: int(m.spans), Time: time.Unix(0, m.time), seg: seg, index: s.readRec}
			s.readRec++
			return rec, true
		}
		s.readSeg++
		s.readRec = 0
	}
	return Record{}, false
}

func (s *Spool) read(seg *segment, m *recMeta) ([]byte, error) {
	if seg.reader == nil {
		f, err := os.Open(seg.path)
		if err != nil {
			return nil, err
		}
		seg.reader = f
	}
	buf := make([]byte, recordHeaderSize+int(m.size))
	if _, err := seg.reader.ReadAt(buf, m.off); err != nil {
		return nil, err
	}
	if _, ok := parseRecord(buf); !ok {
		return nil, errors.New("checksum mismatch")
	}
	return buf[recordHeaderSize:], nil
}

// Ack marks a record delivered. Segments whose records are all delivered are
// deleted, and the read cursor is persisted so a restart does not send them
// again.
func (s *Spool) Ack(r Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.seg == nil || r.seg.dropped {
		return
	}
	r.seg.recs[r.index].state = recDone
	s.collect()
}

// Nack returns a record to the spool: it will be read again.
// It reports false when the record's segment was dropped past the cap in
// the meantime; its spans are then counted as dropped.
func (s *Spool) Nack(r Record) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.seg == nil {
		return false
	}
	if r.seg.dropped {
		s.dropped += int64(r.Spans)
		return false
	}
	r.seg.recs[r.index].state = recPending
	for i, seg := range s.segs {
		if seg == r.seg && (i < s.readSeg || (i == s.readSeg && r.index < s.readRec)) {
			s.readSeg, s.readRec = i, r.index
		}
	}
	return true
}

// collect deletes fully delivered segments (never the one being written)
// and persists the cursor.
func (s *Spool) collect() {
	for len(s.segs) > 0 && s.segs[0] != s.wseg && allDone(s.segs[0]) {
		s.removeSegment(0)
	}
	cur := [2]int64{int64(s.nextID), 0}
	for _, seg := range s.segs {
		if i := slices.IndexFunc(seg.recs, func(m recMeta) bool { return m.state != recDone }); i >= 0 {
			cur = [2]int64{int64(seg.id), seg.recs[i].off}
			break
		}
		if seg == s.wseg {
			cur = [2]int64{int64(seg.id), seg.size}
			break
		}
	}
	if cur != s.cursor {
		s.cursor = cur
		s.writeCursor()
	}
}

func allDone(seg *segment) bool {
	for _, r := range seg.recs {
		if r.state != recDone {
			return false
		}
	}
	return true
}

func (s *Spool) readCursor() {
	b, err := os.ReadFile(filepath.Join(s.dir, cursorFile))
	if err != nil {
		return
	}
	var seg, off int64
	if _, err := fmt.Sscanf(string(b), "%d %d", &seg, &off); err == nil && seg >= 0 && off >= 0 {
		s.cursor = [2]int64{seg, off}
	}
}

func (s *Spool) writeCursor() {
	tmp := filepath.Join(s.dir, cursorFile+".tmp")
	data := fmt.Appendf(nil, "%d %d\n", s.cursor[0], s.cursor[1])
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		s.log.Warn("genaitrace: spool: cannot persist read position", "error", err)
		return
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, cursorFile)); err != nil {
		s.log.Warn("genaitrace: spool: cannot persist read position", "error", err)
	}
}

// Stats returns a snapshot.
func (s *Spool) Stats() SpoolStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := SpoolStats{Bytes: s.bytes, Segments: len(s.segs), DroppedSpans: s.dropped, CorruptRecords: s.corrupt}
	for _, seg := range s.segs {
		for _, r := range seg.recs {
			if r.state == recDone {
				continue
			}
			st.PendingRecords++
			st.PendingSpans += int64(r.spans)
			if st.OldestPending.IsZero() {
				st.OldestPending = time.Unix(0, r.time)
			}
		}
	}
	return st
}

// Close syncs and closes the spool's files. Undelivered records stay on disk
// for the next process.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.closeWriter()
	defer s.lock.Close()
	for _, seg := range s.segs {
		if seg.reader != nil {
			_ = seg.reader.Close()
			seg.reader = nil
		}
	}
	return nil
}
