package spool

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errSpoolBusy is returned by OpenSpool when another process holds the
// spool directory.
var errSpoolBusy = errors.New("spool: directory in use by another process")

// ErrRecordTooLarge is returned by Append for a record larger than the
// spool's whole budget.
var ErrRecordTooLarge = errors.New("spool: record larger than the spool's size cap")

// DefaultMaxBytes is the cap of a destination's spool when the
// configuration gives none.
const DefaultMaxBytes = 256 << 20

// Options configure a Spool. MaxBytes must be set (runtime resolves
// it); SegmentBytes and Logger take defaults derived from it.
type Options struct {
	// MaxBytes caps the spool's files; past it the oldest segments are
	// deleted and their spans counted as dropped.
	MaxBytes int64
	// SegmentBytes is the size at which a new segment file starts. Default
	// 8 MiB, or MaxBytes/4 when that is smaller.
	SegmentBytes int64
	// Sync fsyncs after every append. Without it, data is synced when a
	// segment is closed and at Close; a process crash (kill -9) loses
	// nothing either way, only a machine crash can.
	Sync bool
	// Identity is the destination the batches are encoded for. New
	// segments carry it; segments that carry another are set aside: their
	// records are never read back unless replaySetAside is called.
	Identity Identity
	Logger   *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = min(8<<20, max(o.MaxBytes/4, 64<<10))
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Record is one batch read back from the spool, or appended to it and held
// in memory.
type Record struct {
	Data  []byte
	Spans int
	Time  time.Time
	// Copies counts the requests that may already have delivered this
	// batch (see flagMaybeSent): each is a possible duplicate once it is
	// delivered. SentAt is when the last such request ended, as far as the
	// spool knows (the record's time when it was appended maybe-sent,
	// which is after that request).
	Copies int
	SentAt time.Time
	sp     *diskSpool
	seg    *segment
	index  int
}

// AppendMode says how Append stores a batch.
type AppendMode uint32

// Append modes, combined with |.
const (
	// AppendHeld keeps the record in flight: the caller holds the batch in
	// memory and will Ack or Nack the record.
	AppendHeld AppendMode = 1 << iota
)

// AppendMaybeSent marks a batch that n requests may already have delivered
// (n > 0; capped at 255).
func AppendMaybeSent(n int) AppendMode { return AppendMode(min(max(n, 0), maxCopies)) << copiesShift }

func (m AppendMode) copies() int { return int(m >> copiesShift) }

type recState uint8

const (
	recPending  recState = iota
	recInFlight          // read back, or held in memory since it was appended
	recDone
)

type segment struct {
	id       uint64
	size     int64
	recs     []recMeta
	identity Identity
	// foreign is set when the segment was written for another destination
	// identity, or its header is damaged: its records are set aside.
	foreign bool
	reader  *os.File
	dropped bool
}

func (seg *segment) pending() (records int, spans int64) {
	for _, r := range seg.recs {
		if r.state != recDone {
			records++
			spans += int64(r.spans)
		}
	}
	return records, spans
}

// diskSpool is an append-only, crash-safe store of encoded batches in one
// directory, read back oldest first. It is safe for concurrent use. The
// directory is locked while the spool is open, so two processes never
// share one; see spoolSet for how a destination's directories are shared
// out among the processes of a service.
type diskSpool struct {
	dir  string
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	segs      []*segment
	writer    *os.File
	index     *os.File
	wseg      *segment
	nextID    uint64
	readSeg   int // index into segs of the next record to read
	readRec   int
	cursor    position // the first record not yet delivered, as persisted
	bytes     int64
	scratch   []byte
	closed    bool
	dirSynced bool
	lock      *os.File
	acks      *os.File // delivered records past the cursor; nil until the first
	ackCount  int      // entries in acks
	n         spoolCounts
	// pendingLoss holds, while loading, the damaged records the index
	// lists; applyCursor counts those not delivered before.
	pendingLoss []lostRecord
}

// spoolCounts are the spans a spool lost or handed back, by reason.
type spoolCounts struct {
	dropped   int64 // deleted with the oldest segment past the cap
	damaged   int64 // lost to disk damage, as the index tells
	regions   int64 // damaged stretches whose spans no index tells
	discarded int64 // set-aside spans an operator discarded
	found     int64 // pending spans found when the spool was opened
}

// openDiskSpool opens (creating if needed) the spool in dir: a directory of mode
// 0700 with files of mode 0600, because batches may hold prompts. Records a
// previous process spooled and did not deliver are read back first.
func openDiskSpool(dir string, opts Options) (*diskSpool, error) {
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
	s := newSpool(dir, lock, opts)
	if err := s.load(); err != nil {
		_ = lock.Close()
		return nil, err
	}
	return s, nil
}

func newSpool(dir string, lock *os.File, opts Options) *diskSpool {
	opts = opts.withDefaults()
	return &diskSpool{dir: dir, opts: opts, log: opts.Logger, nextID: 1, lock: lock}
}

func (s *diskSpool) segPath(id uint64, suffix string) string {
	return filepath.Join(s.dir, fmt.Sprintf("%020d%s", id, suffix))
}

// load indexes the segments a previous process left, verifying every
// record, and applies the persisted cursor if it fits them.
func (s *diskSpool) load() error {
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
		seg, err := s.loadSegment(id)
		if err != nil {
			return err
		}
		s.segs = append(s.segs, seg)
		s.nextID = max(s.nextID, id+1)
	}
	slices.SortFunc(s.segs, func(a, b *segment) int { return cmp.Compare(a.id, b.id) })
	s.applyCursor()
	s.applyAcks()
	for _, seg := range s.segs {
		s.bytes += seg.size
		_, spans := seg.pending()
		s.n.found += spans
	}
	s.collect()
	return nil
}

// lost records wait here between loadSegment and applyCursor: a record the
// cursor says was delivered is no loss.
type lostRecord struct {
	seg uint64
	recMeta
}

func (s *diskSpool) loadSegment(id uint64) (*segment, error) {
	data, err := os.ReadFile(s.segPath(id, segmentSuffix))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	idx, _ := os.ReadFile(s.segPath(id, indexSuffix)) // missing or unreadable: scan without it
	sc := scanSegment(data, idx)
	seg := &segment{id: id, size: int64(len(data)), recs: sc.recs, identity: sc.identity}
	seg.foreign = !sc.known || sc.identity.Key != s.opts.Identity.Key
	s.pendingLoss = append(s.pendingLoss, lossOf(id, sc)...)
	s.n.regions += int64(sc.damaged)
	if len(sc.lost) > 0 || sc.damaged > 0 || !sc.known {
		s.log.Warn("genaitrace: spool: damaged segment; intact records are kept",
			"file", s.segPath(id, segmentSuffix), "intact_records", len(sc.recs),
			"damaged_records", len(sc.lost), "damaged_stretches", sc.damaged, "header_intact", sc.known)
	}
	return seg, nil
}

func lossOf(id uint64, sc segmentScan) []lostRecord {
	out := make([]lostRecord, len(sc.lost))
	for i, m := range sc.lost {
		out[i] = lostRecord{seg: id, recMeta: m}
	}
	return out
}

// applyCursor marks what the persisted cursor says was delivered. A cursor
// that is damaged or does not fit the segments is distrusted: every intact
// record is sent again, since a duplicate is better than a loss.
func (s *diskSpool) applyCursor() {
	data, err := os.ReadFile(filepath.Join(s.dir, cursorFile))
	lost := s.pendingLoss
	s.pendingLoss = nil
	cur, ok := parseCursor(data)
	switch {
	case err != nil && len(s.segs) > 0:
		// No cursor: nothing was acknowledged yet, or it was lost.
	case err != nil:
	case !ok || !s.fits(cur, lost):
		s.log.Warn("genaitrace: spool: read position damaged or inconsistent with the segments; replaying every intact record (duplicates are possible, losses are not)",
			"dir", s.dir)
	default:
		s.cursor = cur
	}
	for _, seg := range s.segs {
		for i := range seg.recs {
			if (position{seg.id, seg.recs[i].off}).before(s.cursor) {
				seg.recs[i].state = recDone
			}
		}
	}
	for _, l := range lost {
		if !(position{l.seg, l.off}).before(s.cursor) {
			s.n.damaged += int64(l.spans)
		}
	}
}

// applyAcks marks the records delivered past the cursor as done. A damaged
// entry is ignored: its record is sent again.
func (s *diskSpool) applyAcks() {
	data, err := os.ReadFile(filepath.Join(s.dir, acksFile))
	if err != nil {
		return
	}
	acked := parseAcks(data)
	s.ackCount = len(acked)
	for _, p := range acked {
		i := slices.IndexFunc(s.segs, func(seg *segment) bool { return seg.id == p.seg })
		if i < 0 {
			continue
		}
		recs := s.segs[i].recs
		if j, found := slices.BinarySearchFunc(recs, p.off, func(m recMeta, off int64) int { return cmp.Compare(m.off, off) }); found {
			recs[j].state = recDone
		}
	}
}

// fits reports whether a cursor can have been written for these segments:
// it names a segment already deleted (before the first), or a record
// boundary in one that exists.
func (s *diskSpool) fits(cur position, lost []lostRecord) bool {
	if len(s.segs) == 0 || cur.seg < s.segs[0].id {
		return true
	}
	i := slices.IndexFunc(s.segs, func(seg *segment) bool { return seg.id == cur.seg })
	if i < 0 {
		return false
	}
	seg := s.segs[i]
	if cur.off == 0 || cur.off == seg.size {
		return true // before its first record, or after its last
	}
	for _, r := range seg.recs {
		if cur.off == r.off || cur.off == r.end() {
			return true
		}
	}
	for _, l := range lost {
		if l.seg == cur.seg && (cur.off == l.off || cur.off == l.end()) {
			return true
		}
	}
	// A segment with no record yet: the cursor sits after its header.
	return len(seg.recs) == 0 && cur.off <= seg.size
}

// Append stores one batch and returns its record: pending, to be read back
// by Next, or held (see appendHeld). Append never blocks on anything but the
// disk.
func (s *diskSpool) Append(data []byte, spans int, mode AppendMode) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Record{}, errors.New("spool: closed")
	}
	n := int64(recordHeaderSize + len(data))
	if n > s.opts.MaxBytes {
		return Record{}, ErrRecordTooLarge
	}
	if s.wseg == nil || s.wseg.size+n > s.opts.SegmentBytes {
		if err := s.rotate(); err != nil {
			return Record{}, err
		}
	}
	for s.bytes+n > s.opts.MaxBytes && s.dropOldest() {
	}
	m := recMeta{off: s.wseg.size, size: int32(len(data)), spans: int32(spans), time: time.Now().UnixNano(), crc: crc(data)}
	m.setCopies(mode.copies())
	b := appendRecord(s.scratch[:0], data, spans, m.flags, m.time)
	s.scratch = b[:0]
	if _, err := s.writer.Write(b); err != nil {
		// A partial write leaves a torn record the next scan skips; start
		// a fresh segment so later records are not appended after it.
		s.closeWriter()
		return Record{}, fmt.Errorf("spool: %w", err)
	}
	// The index entry follows its record: after a crash between the two,
	// the record is found by parsing, and its spans are known from its
	// own header.
	_, _ = s.index.Write(appendIndexEntry(s.scratch[:0], m))
	if s.opts.Sync {
		if err := s.writer.Sync(); err != nil {
			return Record{}, fmt.Errorf("spool: %w", err)
		}
	}
	if mode&AppendHeld != 0 {
		m.state = recInFlight
	}
	s.wseg.recs = append(s.wseg.recs, m)
	s.wseg.size += n
	s.bytes += n
	return Record{Data: data, Spans: spans, Time: time.Unix(0, m.time), Copies: m.copies(), SentAt: m.sentTime(), sp: s, seg: s.wseg, index: len(s.wseg.recs) - 1}, nil
}

// rotate starts a new segment, with its header, and its index.
func (s *diskSpool) rotate() error {
	s.closeWriter()
	id := s.nextID
	s.nextID++
	f, err := os.OpenFile(s.segPath(id, segmentSuffix), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	idx, err := os.OpenFile(s.segPath(id, indexSuffix), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("spool: %w", err)
	}
	hdr := appendSegmentHeader(nil, s.opts.Identity)
	if _, err := f.Write(hdr); err != nil {
		_ = f.Close()
		_ = idx.Close()
		return fmt.Errorf("spool: %w", err)
	}
	s.writer, s.index = f, idx
	s.wseg = &segment{id: id, size: int64(len(hdr)), identity: s.opts.Identity}
	s.segs = append(s.segs, s.wseg)
	s.bytes += int64(len(hdr))
	if !s.dirSynced {
		// Make the new files' directory entries durable once.
		syncDir(s.dir)
		s.dirSynced = true
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

func (s *diskSpool) closeWriter() {
	if s.writer != nil {
		_ = s.writer.Sync()
		_ = s.writer.Close()
		_ = s.index.Close()
		s.writer, s.index, s.wseg = nil, nil, nil
	}
}

// dropOldest deletes the oldest segment other than the one being written,
// to respect the cap, counting the spans not yet delivered from it. It
// reports false when there is none.
func (s *diskSpool) dropOldest() bool {
	i := slices.IndexFunc(s.segs, func(seg *segment) bool { return seg != s.wseg })
	if i < 0 {
		return false
	}
	seg := s.segs[i]
	var lost int64
	for _, r := range seg.recs {
		if r.state == recPending {
			lost += int64(r.spans)
		}
	}
	s.n.dropped += lost
	s.log.Warn("genaitrace: spool full, dropped oldest segment", "file", s.segPath(seg.id, segmentSuffix), "spans", lost)
	s.removeSegment(i)
	return true
}

// oldest returns when the oldest segment that dropOldest would delete was
// written, for a choice among several spools.
func (s *diskSpool) oldest() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, seg := range s.segs {
		if seg == s.wseg {
			continue
		}
		if len(seg.recs) == 0 {
			return time.Time{}, true
		}
		return time.Unix(0, seg.recs[0].time), true
	}
	return time.Time{}, false
}

// dropOldestSegment deletes the oldest segment (never the one being written),
// counting its undelivered spans as dropped. It reports false when there
// is nothing to delete.
func (s *diskSpool) dropOldestSegment() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropOldest()
}

func (s *diskSpool) removeSegment(i int) {
	seg := s.segs[i]
	seg.dropped = true
	if seg.reader != nil {
		_ = seg.reader.Close()
	}
	if seg == s.wseg {
		s.closeWriter()
	}
	_ = os.Remove(s.segPath(seg.id, segmentSuffix))
	_ = os.Remove(s.segPath(seg.id, indexSuffix))
	s.bytes -= seg.size
	s.segs = slices.Delete(s.segs, i, i+1)
	if s.readSeg > i {
		s.readSeg--
	} else if s.readSeg == i {
		s.readRec = 0
	}
}

// Next returns the oldest record not yet delivered nor in flight, marking it
// in flight. Set-aside segments are skipped. ok is false when there is none.
func (s *diskSpool) Next() (rec Record, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ok := s.readSeg < len(s.segs); ok; ok = s.nextSegment() {
		seg := s.segs[s.readSeg]
		for ; !seg.foreign && s.readRec < len(seg.recs); s.readRec++ {
			m := &seg.recs[s.readRec]
			if m.state != recPending {
				continue
			}
			data, err := s.read(seg, m)
			if err != nil {
				// Damaged after it was scanned: its spans are lost.
				s.n.damaged += int64(m.spans)
				s.log.Warn("genaitrace: spool: record damaged since it was written; its spans are lost",
					"file", s.segPath(seg.id, segmentSuffix), "offset", m.off, "spans", m.spans, "error", err)
				m.state = recDone
				continue
			}
			m.state = recInFlight
			rec = Record{Data: data, Spans: int(m.spans), Time: time.Unix(0, m.time), Copies: m.copies(), SentAt: m.sentTime(), sp: s, seg: seg, index: s.readRec}
			s.readRec++
			return rec, true
		}
	}
	return Record{}, false
}

// nextSegment moves the read position to the start of the next segment.
// It stays at the end of the last one, which may still grow: records
// appended there later must be found.
func (s *diskSpool) nextSegment() bool {
	if s.readSeg+1 >= len(s.segs) {
		return false
	}
	s.readSeg, s.readRec = s.readSeg+1, 0
	return true
}

func (s *diskSpool) read(seg *segment, m *recMeta) ([]byte, error) {
	if seg.reader == nil {
		f, err := os.Open(s.segPath(seg.id, segmentSuffix))
		if err != nil {
			return nil, err
		}
		seg.reader = f
	}
	buf := make([]byte, recordHeaderSize+int(m.size))
	if _, err := seg.reader.ReadAt(buf, m.off); err != nil {
		return nil, err
	}
	h, ok := parseRecordHeader(buf)
	if !ok || h.crc != m.crc || crc(buf[recordHeaderSize:]) != m.crc {
		return nil, errors.New("checksum mismatch")
	}
	return buf[recordHeaderSize:], nil
}

// Ack marks a record delivered (or given up for good). Segments whose
// records are all delivered are deleted, after the read position is
// persisted so a restart does not send them again.
func (s *diskSpool) Ack(r Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.seg == nil || r.seg.dropped {
		return
	}
	m := &r.seg.recs[r.index]
	m.state = recDone
	s.collect()
	if !r.seg.dropped && !(position{r.seg.id, m.off}).before(s.cursor) {
		s.recordAck(position{r.seg.id, m.off}) // delivered ahead of the cursor
	}
}

// recordAck lists a record delivered past the cursor.
func (s *diskSpool) recordAck(p position) {
	if s.acks == nil {
		f, err := os.OpenFile(filepath.Join(s.dir, acksFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return // it is sent again after a restart: a duplicate, not a loss
		}
		s.acks = f
	}
	if _, err := s.acks.Write(appendAck(nil, p)); err == nil {
		s.ackCount++
	}
}

// Nack returns a record to the spool: it will be read again, with its
// Copies and SentAt as the record says now (kept in memory: the file is
// not rewritten). It reports false when the record's segment was dropped past
// the cap in the meantime; its spans are then counted as dropped.
func (s *diskSpool) Nack(r Record) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.seg == nil {
		return false
	}
	if r.seg.dropped {
		s.n.dropped += int64(r.Spans)
		return false
	}
	m := &r.seg.recs[r.index]
	m.state = recPending
	m.setCopies(r.Copies)
	if !r.SentAt.IsZero() {
		m.sentAt = r.SentAt.UnixNano()
	}
	for i, seg := range s.segs {
		if seg == r.seg && (i < s.readSeg || (i == s.readSeg && r.index < s.readRec)) {
			s.readSeg, s.readRec = i, r.index
		}
	}
	return true
}

// collect persists the read position, then deletes the segments whose
// records are all delivered (never the one being written). In this order a
// crash between the two leaves a position the next scan accepts.
func (s *diskSpool) collect() {
	cur := position{s.nextID, 0}
	if s.wseg != nil {
		cur = position{s.wseg.id, s.wseg.size}
	}
	for _, seg := range s.segs {
		if i := slices.IndexFunc(seg.recs, func(m recMeta) bool { return m.state != recDone }); i >= 0 {
			cur = position{seg.id, seg.recs[i].off}
			break
		}
		if seg.foreign || seg == s.wseg {
			cur = position{seg.id, seg.size}
			break
		}
	}
	if cur != s.cursor {
		s.cursor = cur
		s.writeCursor()
		if s.ackCount > 0 && !s.doneAfterCursor() {
			s.truncateAcks() // the cursor caught up with every out-of-order delivery
		}
	}
	for i := len(s.segs) - 1; i >= 0; i-- {
		if seg := s.segs[i]; seg != s.wseg && !seg.foreign && allDone(seg) {
			s.removeSegment(i)
		}
	}
}

// doneAfterCursor reports whether any record past the cursor is delivered.
func (s *diskSpool) doneAfterCursor() bool {
	for _, seg := range s.segs {
		for _, m := range seg.recs {
			if m.state == recDone && !(position{seg.id, m.off}).before(s.cursor) {
				return true
			}
		}
	}
	return false
}

func (s *diskSpool) truncateAcks() {
	var err error
	if s.acks != nil {
		err = s.acks.Truncate(0)
	} else {
		err = os.Truncate(filepath.Join(s.dir, acksFile), 0)
	}
	if err == nil {
		s.ackCount = 0
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

func (s *diskSpool) writeCursor() {
	tmp := filepath.Join(s.dir, cursorFile+".tmp")
	if err := os.WriteFile(tmp, encodeCursor(s.cursor), 0o600); err != nil {
		s.log.Warn("genaitrace: spool: cannot persist read position", "error", err)
		return
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, cursorFile)); err != nil {
		s.log.Warn("genaitrace: spool: cannot persist read position", "error", err)
	}
}

// replaySetAside makes the set-aside segments readable: their batches go
// to this spool's destination after all. The choice lasts while the spool
// is open.
func (s *diskSpool) replaySetAside() (spans int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, seg := range s.segs {
		if seg.foreign {
			_, n := seg.pending()
			spans += n
			seg.foreign = false
		}
	}
	s.readSeg, s.readRec = 0, 0
	return spans
}

// discardSetAside deletes the set-aside segments, counting their spans as
// discarded.
func (s *diskSpool) discardSetAside() (spans int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.segs) - 1; i >= 0; i-- {
		if seg := s.segs[i]; seg.foreign {
			_, n := seg.pending()
			spans += n
			s.removeSegment(i)
		}
	}
	s.n.discarded += spans
	s.collect()
	return spans
}

// size returns the size of the spool's files.
func (s *diskSpool) size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// peek returns the time of the record Next would return, moving the read
// position past records that are not pending.
func (s *diskSpool) peek() (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ok := s.readSeg < len(s.segs); ok; ok = s.nextSegment() {
		seg := s.segs[s.readSeg]
		for ; !seg.foreign && s.readRec < len(seg.recs); s.readRec++ {
			if m := seg.recs[s.readRec]; m.state == recPending {
				return m.time, true
			}
		}
	}
	return 0, false
}

// isEmpty is empty under the spool's lock.
func (s *diskSpool) isEmpty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.empty()
}

// empty reports whether the spool holds nothing to deliver or set aside.
func (s *diskSpool) empty() bool {
	for _, seg := range s.segs {
		if recs, _ := seg.pending(); recs > 0 {
			return false
		}
	}
	return true
}

// Close syncs and closes the spool's files. Undelivered records stay on disk
// for the next process; a spool that holds nothing is removed with its
// directory, so that restarts do not leave empty directories behind.
func (s *diskSpool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.closeWriter()
	if s.acks != nil {
		_ = s.acks.Close()
	}
	for _, seg := range s.segs {
		if seg.reader != nil {
			_ = seg.reader.Close()
			seg.reader = nil
		}
	}
	if s.empty() {
		_ = os.RemoveAll(s.dir) // under the lock: no other process can be adopting it
	}
	return s.lock.Close()
}
