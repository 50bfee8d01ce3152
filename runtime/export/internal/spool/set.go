package spool

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Set is one destination's share of the disk: the directory this
// process writes, and the directories of processes that are gone, which it
// adopts and replays. No directory is ever stranded: every process of a
// service looks for directories no live process holds, at start and
// periodically after, so whatever a crashed, killed or replaced process
// left (a rolling deploy, a crash loop, replicas that shared a volume) is
// sent by whichever process is still running.
//
// Under the destination's directory (<spool dir>/<destination>):
//
//	p-<start time>-<pid>/   one per process: lock, cursor, segments, indexes
//	rejected/p-<...>/       batches the destination rejected, kept for inspection
//
// A process creates its directory under a temporary name, locks it and
// only then gives it its name, so no other process ever sees it unlocked.
// Locks are flock(2) locks: the kernel releases them when the process dies,
// however it dies. The byte budget covers every directory a process holds;
// past it the oldest segment of any of them is deleted first.
type Set struct {
	root string
	name string // of this process's directory
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	own      *diskSpool
	adopted  []*diskSpool
	retired  spoolCounts // of adopted spools drained and removed
	rejected *diskSpool  // created on first use
	closed   bool
	warned   map[string]bool
}

const (
	processDirPrefix = "p-"
	rejectedDir      = "rejected"
	// rejectedMaxBytes bounds one process's rejected batches, and four
	// times that all processes' together.
	rejectedMaxBytes = 16 << 20
)

// Open creates this process's directory under root. It reads no
// segment: what earlier processes left is adopted later, in the
// background (adopt), so that starting is as fast with a full spool as
// with an empty one.
func Open(root string, opts Options) (*Set, error) {
	opts = opts.withDefaults()
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	name, lock, err := createProcessDir(root)
	if err != nil {
		return nil, err
	}
	own := newSpool(filepath.Join(root, name), lock, opts)
	return &Set{root: root, name: name, opts: opts, log: opts.Logger, own: own, warned: map[string]bool{}}, nil
}

// createProcessDir makes and locks a directory of this process's own.
func createProcessDir(root string) (string, *os.File, error) {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(root, "."+processDirPrefix+hex.EncodeToString(rnd[:]))
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return "", nil, fmt.Errorf("spool: %w", err)
	}
	lock, err := lockDir(filepath.Join(tmp, "lock"))
	if err != nil {
		_ = os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("spool: %w", err)
	}
	name := fmt.Sprintf("%s%s-%d-%s", processDirPrefix, time.Now().UTC().Format("20060102T150405.000000000Z"), os.Getpid(), hex.EncodeToString(rnd[:2]))
	if err := os.Rename(tmp, filepath.Join(root, name)); err != nil {
		_ = lock.Close()
		_ = os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("spool: %w", err)
	}
	syncDir(root)
	return name, lock, nil
}

// Adopt takes every directory under root that no live process holds,
// reads it back and queues its records for replay. It returns the pending
// spans it found. It may take long on a large spool: call it off the
// caller's path.
func (ss *Set) Adopt() int64 {
	if !canLock {
		return 0 // without flock a live process's directory cannot be told apart
	}
	entries, err := os.ReadDir(ss.root)
	if err != nil {
		return 0
	}
	var found int64
	for _, e := range entries {
		name := e.Name()
		switch {
		case !e.IsDir():
			if strings.HasSuffix(name, segmentSuffix) {
				ss.warnOnce(name, "genaitrace: spool: segments of genaitrace 0.1 are not read by this version; delete them once they are no longer needed", "dir", ss.root)
			}
		case strings.HasPrefix(name, "."+processDirPrefix):
			removeStale(filepath.Join(ss.root, name))
		case strings.HasPrefix(name, processDirPrefix) && !ss.holds(name):
			found += ss.adoptDir(name)
		}
	}
	ss.pruneRejected()
	return found
}

func (ss *Set) holds(name string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed || name == ss.name {
		return true
	}
	return slices.ContainsFunc(ss.adopted, func(sp *diskSpool) bool { return filepath.Base(sp.dir) == name })
}

func (ss *Set) adoptDir(name string) int64 {
	dir := filepath.Join(ss.root, name)
	sp, err := openDiskSpool(dir, ss.opts)
	if errors.Is(err, errSpoolBusy) {
		return 0 // a live process's
	}
	if err != nil {
		ss.warnOnce(name, "genaitrace: spool: cannot adopt a directory left by an earlier process", "dir", dir, "error", err)
		return 0
	}
	st := sp.Stats()
	if sp.empty() {
		_ = sp.Close() // removes it
		return 0
	}
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		_ = sp.Close()
		return 0
	}
	ss.adopted = append(ss.adopted, sp)
	ss.mu.Unlock()
	setAside := int64(0)
	for _, g := range st.SetAside {
		setAside += g.Spans
	}
	ss.log.Info("genaitrace: spool: adopted the spool of an earlier process", "dir", dir,
		"pending_spans", st.PendingSpans-setAside, "set_aside_spans", setAside)
	return st.PendingSpans
}

// removeStale deletes a directory a process died creating.
func removeStale(dir string) {
	if info, err := os.Stat(dir); err != nil || time.Since(info.ModTime()) < time.Minute {
		return
	}
	if lock, err := lockDir(filepath.Join(dir, "lock")); err == nil {
		_ = os.RemoveAll(dir)
		_ = lock.Close()
	}
}

func (ss *Set) warnOnce(key, msg string, args ...any) {
	ss.mu.Lock()
	seen := ss.warned[key]
	ss.warned[key] = true
	ss.mu.Unlock()
	if !seen {
		ss.log.Warn(msg, args...)
	}
}

// spools returns every spool held, oldest directory first.
func (ss *Set) spools() []*diskSpool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return append(slices.Clone(ss.adopted), ss.own)
}

// Append stores a batch in this process's directory, first deleting the
// oldest segments of any directory held if the budget requires it.
func (ss *Set) Append(data []byte, spans int, mode AppendMode) (Record, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	need := int64(recordHeaderSize + len(data))
	for ss.bytesLocked()+need > ss.opts.MaxBytes {
		sp := ss.oldestLocked()
		if sp == nil || !sp.dropOldestSegment() {
			break
		}
	}
	return ss.own.Append(data, spans, mode)
}

func (ss *Set) bytesLocked() int64 {
	n := ss.own.size()
	for _, sp := range ss.adopted {
		n += sp.size()
	}
	return n
}

// oldestLocked returns the spool whose oldest deletable segment is the
// oldest of all.
func (ss *Set) oldestLocked() *diskSpool {
	var best *diskSpool
	var bestTime time.Time
	for _, sp := range append(slices.Clone(ss.adopted), ss.own) {
		if t, ok := sp.oldest(); ok && (best == nil || t.Before(bestTime)) {
			best, bestTime = sp, t
		}
	}
	return best
}

// Next returns the oldest pending record of all the directories held.
func (ss *Set) Next() (Record, bool) {
	var best *diskSpool
	var bestTime int64
	for _, sp := range ss.spools() {
		if t, ok := sp.peek(); ok && (best == nil || t < bestTime) {
			best, bestTime = sp, t
		}
	}
	if best == nil {
		return Record{}, false
	}
	return best.Next()
}

// NextOwn returns the oldest pending record of this process's own
// directory: what it spooled itself, not what it adopted.
func (ss *Set) NextOwn() (Record, bool) {
	ss.mu.Lock()
	own := ss.own
	ss.mu.Unlock()
	if _, ok := own.peek(); !ok {
		return Record{}, false
	}
	return own.Next()
}

// Ack marks a record delivered; an adopted directory left with nothing is
// removed.
func (ss *Set) Ack(r Record) {
	if r.sp == nil {
		return
	}
	r.sp.Ack(r)
	if r.sp != ss.own {
		ss.reap(r.sp)
	}
}

// Nack returns a record for a later attempt.
func (ss *Set) Nack(r Record) {
	if r.sp != nil {
		r.sp.Nack(r)
	}
}

// reap closes and removes an adopted spool that holds nothing any more.
func (ss *Set) reap(sp *diskSpool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	i := slices.Index(ss.adopted, sp)
	if i < 0 || !sp.isEmpty() {
		return
	}
	ss.adopted = slices.Delete(ss.adopted, i, i+1)
	sp.mu.Lock()
	ss.retired.add(sp.n)
	sp.mu.Unlock()
	_ = sp.Close()
}

// ReplaySetAside sends the set-aside batches of every directory held to
// this destination after all; it returns their spans.
func (ss *Set) ReplaySetAside() int64 {
	var n int64
	for _, sp := range ss.spools() {
		n += sp.replaySetAside()
	}
	return n
}

// DiscardSetAside deletes the set-aside batches of every directory held;
// it returns their spans.
func (ss *Set) DiscardSetAside() int64 {
	var n int64
	for _, sp := range ss.spools() {
		n += sp.discardSetAside()
		if sp != ss.own {
			ss.reap(sp)
		}
	}
	return n
}

// SetAside keeps a batch the destination rejected, for inspection; it is
// never replayed.
func (ss *Set) SetAside(data []byte, spans int) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return
	}
	if ss.rejected == nil {
		sp, err := openDiskSpool(filepath.Join(ss.root, rejectedDir, ss.name), Options{MaxBytes: rejectedMaxBytes, Identity: ss.opts.Identity, Logger: ss.log})
		if err != nil {
			ss.log.Warn("genaitrace: cannot keep a rejected batch", "error", err)
			return
		}
		ss.rejected = sp
	}
	_, _ = ss.rejected.Append(data, spans, 0)
}

// pruneRejected deletes the oldest rejected batches of processes that are
// gone, past four times one process's budget.
func (ss *Set) pruneRejected() {
	dir := filepath.Join(ss.root, rejectedDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	total := int64(0)
	sizes := make([]int64, len(entries))
	for i, e := range entries {
		sizes[i] = dirSize(filepath.Join(dir, e.Name()))
		total += sizes[i]
	}
	for i, e := range entries { // names start with the process's start time: oldest first
		if total <= 4*rejectedMaxBytes {
			return
		}
		if e.Name() == ss.name {
			continue
		}
		if lock, err := lockDir(filepath.Join(dir, e.Name(), "lock")); err == nil {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
			_ = lock.Close()
			total -= sizes[i]
		}
	}
}

func dirSize(dir string) int64 {
	entries, _ := os.ReadDir(dir)
	var n int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			n += info.Size()
		}
	}
	return n
}

// Stats sums the spools held, and those drained and removed before.
func (ss *Set) Stats() Stats {
	var st Stats
	// Under the set's lock: a spool reaped in the middle would be counted
	// twice, once held and once retired.
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, sp := range append(slices.Clone(ss.adopted), ss.own) {
		s := sp.Stats()
		st.Bytes += s.Bytes
		st.Segments += s.Segments
		st.PendingRecords += s.PendingRecords
		st.PendingSpans += s.PendingSpans
		if !s.OldestPending.IsZero() && (st.OldestPending.IsZero() || s.OldestPending.Before(st.OldestPending)) {
			st.OldestPending = s.OldestPending
		}
		for _, g := range s.SetAside {
			st.addSetAside(g.Identity, g.Known, g.Records, g.Spans)
		}
		st.DroppedSpans += s.DroppedSpans
		st.DamagedSpans += s.DamagedSpans
		st.DamagedStretches += s.DamagedStretches
		st.DiscardedSpans += s.DiscardedSpans
		st.FoundSpans += s.FoundSpans
		st.Directories++
	}
	st.DroppedSpans += ss.retired.dropped
	st.DamagedSpans += ss.retired.damaged
	st.DamagedStretches += ss.retired.regions
	st.DiscardedSpans += ss.retired.discarded
	st.FoundSpans += ss.retired.found
	return st
}

// Close closes every spool held. Directories with undelivered records stay
// for the next process; empty ones are removed.
func (ss *Set) Close() error {
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return nil
	}
	ss.closed = true
	spools := append(slices.Clone(ss.adopted), ss.own)
	if ss.rejected != nil {
		spools = append(spools, ss.rejected)
	}
	ss.mu.Unlock()
	var errs []error
	for _, sp := range spools {
		errs = append(errs, sp.Close())
	}
	return errors.Join(errs...)
}

func (c *spoolCounts) add(o spoolCounts) {
	c.dropped += o.dropped
	c.damaged += o.damaged
	c.regions += o.regions
	c.discarded += o.discarded
	c.found += o.found
}

// MaxBytes is the byte cap the set runs with.
func (ss *Set) MaxBytes() int64 { return ss.opts.MaxBytes }
