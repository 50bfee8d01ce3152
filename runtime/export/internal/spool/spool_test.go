package spool

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func quietLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, nil))
}

func payload(i int) []byte { return []byte(fmt.Sprintf("batch-%04d-%s", i, strings.Repeat("p", 100))) }

var testIdentity = Identity{Destination: "instana", Endpoint: "http://127.0.0.1:4318/v1/traces", Credentials: "c0ffee000001", Key: "instana-1"}

func openTestSpool(t *testing.T, dir string, opts Options) *diskSpool {
	t.Helper()
	if opts.Identity.Key == "" {
		opts.Identity = testIdentity
	}
	s, err := openDiskSpool(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAppend(t *testing.T, s *diskSpool, data []byte, spans int) {
	t.Helper()
	if _, err := s.Append(data, spans, 0); err != nil {
		t.Fatal(err)
	}
}

// crash leaves a spool as kill -9 does: files as written, lock released.
func crash(s *diskSpool) { _ = s.lock.Close() }

// drain reads every record back, acknowledging each.
func drain(s interface {
	Next() (Record, bool)
	Ack(Record)
}) []string {
	var got []string
	for r, ok := s.Next(); ok; r, ok = s.Next() {
		got = append(got, string(r.Data[:10]))
		s.Ack(r)
	}
	return got
}

func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"+segmentSuffix))
	return files
}

func TestSpoolRoundTripOldestFirst(t *testing.T) {
	s := openTestSpool(t, t.TempDir(), Options{SegmentBytes: 512})
	defer s.Close()
	for i := range 20 {
		mustAppend(t, s, payload(i), i+1)
	}
	if st := s.Stats(); st.PendingRecords != 20 || st.PendingSpans != 210 || st.Segments < 4 {
		t.Fatalf("stats %+v", st)
	}
	for i := range 20 {
		r, ok := s.Next()
		if !ok || !bytes.Equal(r.Data, payload(i)) || r.Spans != i+1 {
			t.Fatalf("record %d: ok=%v spans=%d data=%q", i, ok, r.Spans, r.Data)
		}
		s.Ack(r)
	}
	if _, ok := s.Next(); ok {
		t.Fatal("records after the last")
	}
	if st := s.Stats(); st.PendingRecords != 0 || st.Segments > 1 {
		t.Fatalf("delivered segments not deleted: %+v", st)
	}
}

func TestSpoolFilePermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s := openTestSpool(t, dir, Options{})
	defer s.Close()
	mustAppend(t, s, payload(1), 1)
	info, _ := os.Stat(dir)
	if info.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", info.Mode().Perm())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if info, _ := os.Stat(f); info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", f, info.Mode().Perm())
		}
	}
	if n := len(segmentFiles(t, dir)); n != 1 {
		t.Errorf("%d segments", n)
	}
}

func TestSpoolNackRereadsWithoutDuplicates(t *testing.T) {
	s := openTestSpool(t, t.TempDir(), Options{})
	defer s.Close()
	for i := range 3 {
		mustAppend(t, s, payload(i), 1)
	}
	a, _ := s.Next()
	b, _ := s.Next()
	s.Ack(b) // out of order
	s.Nack(a)
	if got, want := drain(s), []string{"batch-0000", "batch-0002"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after nack: %v, want %v", got, want)
	}
}

func TestSpoolHeldRecordsAreNotReadBack(t *testing.T) {
	s := openTestSpool(t, t.TempDir(), Options{})
	defer s.Close()
	held, err := s.Append(payload(0), 1, AppendHeld)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, payload(1), 1)
	if got := drain(s); fmt.Sprint(got) != "[batch-0001]" {
		t.Fatalf("read %v: a held record was read back", got)
	}
	s.Nack(held) // its memory copy is gone: it is read from disk now
	if got := drain(s); fmt.Sprint(got) != "[batch-0000]" {
		t.Fatalf("after release: %v", got)
	}
}

func TestSpoolSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, Options{SegmentBytes: 400})
	for i := range 10 {
		mustAppend(t, s, payload(i), 2)
	}
	for range 4 {
		r, _ := s.Next()
		s.Ack(r)
	}
	s.Next() // taken, never acknowledged: must come back
	crash(s)
	s2 := openTestSpool(t, dir, Options{SegmentBytes: 400})
	defer s2.Close()
	if st := s2.Stats(); st.PendingRecords != 6 || st.PendingSpans != 12 || st.FoundSpans != 12 {
		t.Fatalf("after restart %+v, want 6 pending records", st)
	}
	for i := 4; i < 10; i++ {
		r, ok := s2.Next()
		if !ok || !bytes.Equal(r.Data, payload(i)) {
			t.Fatalf("record %d after restart: %q", i, r.Data)
		}
		s2.Ack(r)
	}
}

func TestSpoolBusyDirectory(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, Options{})
	defer s.Close()
	if _, err := openDiskSpool(dir, Options{}); err != errSpoolBusy {
		t.Fatalf("second open: %v, want ErrSpoolBusy", err)
	}
}

func TestSpoolCapDropsOldestAndCounts(t *testing.T) {
	var logs bytes.Buffer
	rec := int64(recordHeaderSize + len(payload(0)))
	hdr := int64(len(appendSegmentHeader(nil, testIdentity)))
	s := openTestSpool(t, t.TempDir(), Options{MaxBytes: 10 * rec, SegmentBytes: 2*rec + hdr, Logger: quietLogger(&logs)})
	defer s.Close()
	for i := range 25 {
		mustAppend(t, s, payload(i), 3)
	}
	st := s.Stats()
	if st.Bytes > 10*rec {
		t.Errorf("spool holds %d bytes, cap %d", st.Bytes, 10*rec)
	}
	if st.DroppedSpans+st.PendingSpans != 75 || st.DroppedSpans%6 != 0 || st.DroppedSpans == 0 {
		t.Errorf("dropped %d + pending %d spans, want 75 in all, whole segments dropped", st.DroppedSpans, st.PendingSpans)
	}
	first, _ := s.Next()
	if want := payload(int(st.DroppedSpans / 3)); !bytes.Equal(first.Data, want) {
		t.Errorf("oldest kept %q, want %q", first.Data[:10], want[:10])
	}
	if !strings.Contains(logs.String(), "spool full") {
		t.Error("no warning for the dropped segment")
	}
	if _, err := s.Append(make([]byte, 11*rec), 1, 0); err != ErrRecordTooLarge {
		t.Errorf("oversized record: %v", err)
	}
}

// writeSpool leaves, as a killed process would, n records of spans spans
// each in one segment of a new spool, and returns the segment's path.
func writeSpool(t *testing.T, dir string, n, spans int) string {
	t.Helper()
	s := openTestSpool(t, dir, Options{})
	for i := range n {
		mustAppend(t, s, payload(i), spans)
	}
	s.mu.Lock()
	s.closeWriter()
	s.mu.Unlock()
	crash(s)
	return segmentFiles(t, dir)[0]
}

func TestSpoolCountsDamageInSpans(t *testing.T) {
	dir := t.TempDir()
	seg := writeSpool(t, dir, 5, 7)
	data, _ := os.ReadFile(seg)
	hdr := len(appendSegmentHeader(nil, testIdentity))
	rec := recordHeaderSize + len(payload(0))
	data[hdr+rec+recordHeaderSize+3] ^= 0xff                                             // a payload byte of record 1
	data = append(data, appendRecord(nil, payload(9), 3, 0, 1)[:recordHeaderSize+10]...) // a torn tail write, no index entry
	if err := os.WriteFile(seg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := openTestSpool(t, dir, Options{Logger: quietLogger(&logs)})
	defer s.Close()
	if got, want := drain(s), "[batch-0000 batch-0002 batch-0003 batch-0004]"; fmt.Sprint(got) != want {
		t.Errorf("read %v, want %s", got, want)
	}
	if st := s.Stats(); st.DamagedSpans != 7 || st.DamagedStretches != 1 {
		t.Errorf("damaged spans %d, stretches %d; want 7 (record 1, known from the index) and 1 (the torn tail)", st.DamagedSpans, st.DamagedStretches)
	}
	if !strings.Contains(logs.String(), "damaged segment") {
		t.Error("no warning logged")
	}
}

func TestSpoolSegmentOverwrittenWithGarbage(t *testing.T) {
	dir := t.TempDir()
	seg := writeSpool(t, dir, 24, 342)
	info, _ := os.Stat(seg)
	garbage := bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, int(info.Size())/4+1)[:info.Size()]
	if err := os.WriteFile(seg, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	s := openTestSpool(t, dir, Options{Logger: quietLogger(&bytes.Buffer{})})
	defer s.Close()
	if got := drain(s); len(got) != 0 {
		t.Errorf("read %d records from garbage", len(got))
	}
	if st := s.Stats(); st.DamagedSpans != 24*342 {
		t.Errorf("damaged spans %d, want %d: every span of the segment, from its index", st.DamagedSpans, 24*342)
	}
}

func TestSpoolDistrustsADamagedCursor(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"one byte changed": func(b []byte) []byte {
			i := bytes.IndexByte(b, ' ') + 1
			b[i] = '9'
			return b
		},
		"checksummed but past the last segment": func([]byte) []byte { return encodeCursor(position{seg: 9}) },
		"checksummed but between records":       func([]byte) []byte { return encodeCursor(position{seg: 1, off: 100}) },
		"empty":                                 func([]byte) []byte { return nil },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := openTestSpool(t, dir, Options{})
			for i := range 6 {
				mustAppend(t, s, payload(i), 1)
			}
			for range 2 {
				r, _ := s.Next()
				s.Ack(r)
			}
			crash(s)
			path := filepath.Join(dir, cursorFile)
			b, _ := os.ReadFile(path)
			if err := os.WriteFile(path, damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			s2 := openTestSpool(t, dir, Options{Logger: quietLogger(&logs)})
			defer s2.Close()
			// Every intact record is sent again: two duplicates, no loss.
			if got := drain(s2); len(got) != 6 {
				t.Errorf("read %v, want all 6 records", got)
			}
			if n := strings.Count(logs.String(), "read position damaged"); n != 1 {
				t.Errorf("%d warnings, want 1:\n%s", n, logs.String())
			}
		})
	}
}

func TestSpoolSetsAsideOtherIdentities(t *testing.T) {
	dir := t.TempDir()
	writeSpool(t, dir, 3, 5)
	other := Identity{Destination: "instana", Endpoint: "http://127.0.0.1:4318/v1/traces", Credentials: "c0ffee000002", Key: "instana-2"}
	s := openTestSpool(t, dir, Options{Identity: other})
	defer s.Close()
	if got := drain(s); len(got) != 0 {
		t.Fatalf("sent %v to a destination with other credentials", got)
	}
	st := s.Stats()
	if len(st.SetAside) != 1 || st.SetAside[0].Spans != 15 || st.SetAside[0].Identity != testIdentity || st.PendingSpans != 15 {
		t.Fatalf("set aside %+v, pending %d", st.SetAside, st.PendingSpans)
	}
	if testIdentity.Credentials == other.Credentials || strings.Contains(fmt.Sprint(st), "key-1") {
		t.Fatalf("identity %+v: credentials not told apart, or shown", st.SetAside[0].Identity)
	}
	if n := s.replaySetAside(); n != 15 {
		t.Errorf("replay: %d spans", n)
	}
	if got := drain(s); len(got) != 3 {
		t.Errorf("after replay: %v", got)
	}
}

func TestSpoolDiscardsSetAside(t *testing.T) {
	dir := t.TempDir()
	writeSpool(t, dir, 3, 5)
	other := Identity{Destination: "instana", Endpoint: "http://other:4318/v1/traces", Key: "instana-other"}
	s := openTestSpool(t, dir, Options{Identity: other})
	if n := s.discardSetAside(); n != 15 {
		t.Errorf("discard: %d spans", n)
	}
	if st := s.Stats(); st.DiscardedSpans != 15 || st.PendingSpans != 0 || st.Segments != 0 {
		t.Errorf("after discard: %+v", st)
	}
	s.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("an empty spool's directory stays after Close: %v", err)
	}
}

// TestSpoolScanIsLinearOnCraftedInput: a record header every 32 bytes,
// each with a valid header checksum and claiming the rest of the file.
func TestSpoolScanIsLinearOnCraftedInput(t *testing.T) {
	const size = 4 << 20
	data := make([]byte, 0, size)
	for len(data)+recordHeaderSize <= size {
		h := appendRecord(nil, nil, 1, 0, 0)[:recordHeaderSize]
		binary.LittleEndian.PutUint32(h[4:], uint32(size-len(data)-recordHeaderSize))
		binary.LittleEndian.PutUint32(h[24:], 0xdeadbeef) // no payload matches
		binary.LittleEndian.PutUint32(h[28:], crc(h[:28]))
		data = append(data, h...)
	}
	sc := scanSegment(data, nil)
	if sc.work > 8*len(data)+resyncBudget {
		t.Errorf("scan examined %d bytes of a %d-byte file", sc.work, len(data))
	}
	if len(sc.recs) != 0 || sc.damaged == 0 {
		t.Errorf("crafted file: %d records, %d damaged stretches", len(sc.recs), sc.damaged)
	}
}

func FuzzSpoolScan(f *testing.F) {
	dir := f.TempDir()
	s, _ := openDiskSpool(dir, Options{Identity: testIdentity})
	_, _ = s.Append(payload(1), 1, 0)
	_, _ = s.Append(payload(2), 2, 0)
	s.mu.Lock()
	s.closeWriter()
	s.mu.Unlock()
	seg := segmentFiles(f, dir)[0]
	good, _ := os.ReadFile(seg)
	idx, _ := os.ReadFile(strings.TrimSuffix(seg, segmentSuffix) + indexSuffix)
	s.Close()
	f.Add(good, idx)
	f.Add(good, []byte(nil))
	f.Add([]byte(recordMagic), idx)
	f.Fuzz(func(t *testing.T, data, idx []byte) {
		sc := scanSegment(data, idx)
		// The bound on time per input, counted in bytes examined rather
		// than measured: linear in the input whatever it holds.
		if limit := 8*(len(data)+len(idx)) + resyncBudget; sc.work > limit {
			t.Fatalf("examined %d bytes of %d+%d", sc.work, len(data), len(idx))
		}
		end := sc.start
		for _, r := range sc.recs {
			if r.off < end || r.end() > int64(len(data)) {
				t.Fatalf("record at %d..%d overlaps or exceeds the file (%d)", r.off, r.end(), len(data))
			}
			end = r.end()
		}
	})
}

// TestSpoolFindsRecordsAppendedAfterTheReaderCaughtUp: the reader reached
// the end of the segment being written; what is appended there next must
// still be read back (a record parked behind the read position was once
// invisible until a restart).
func TestSpoolFindsRecordsAppendedAfterTheReaderCaughtUp(t *testing.T) {
	s := openTestSpool(t, t.TempDir(), Options{})
	defer s.Close()
	mustAppend(t, s, payload(0), 1)
	drain(s)
	if _, ok := s.Next(); ok {
		t.Fatal("a record after the last")
	}
	mustAppend(t, s, payload(1), 1)
	if got := drain(s); fmt.Sprint(got) != "[batch-0001]" {
		t.Fatalf("read %v after the reader had caught up", got)
	}
}

// TestSpoolRemembersOutOfOrderDeliveries: records delivered past the
// cursor (a slow sender holds the first) are not sent again after a crash.
func TestSpoolRemembersOutOfOrderDeliveries(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, Options{})
	for i := range 4 {
		mustAppend(t, s, payload(i), 1)
	}
	var recs []Record
	for range 4 {
		r, _ := s.Next()
		recs = append(recs, r)
	}
	for _, r := range recs[1:] {
		s.Ack(r) // the first is still on its way
	}
	crash(s)
	s2 := openTestSpool(t, dir, Options{})
	if got := drain(s2); fmt.Sprint(got) != "[batch-0000]" {
		t.Fatalf("after a crash: %v, want only the record not delivered", got)
	}
	if info, err := os.Stat(filepath.Join(dir, acksFile)); err != nil || info.Size() != 0 {
		t.Errorf("acks not emptied once the cursor caught up: %v, %v", info, err)
	}
	s2.Close()
}

// TestSpoolCountsTheRequestsThatMayHaveDeliveredARecord: each request whose
// answer was lost may have stored a copy, so the count survives a restart
// and a Nack; a file from before the count (the flag alone) reads as one.
func TestSpoolCountsTheRequestsThatMayHaveDeliveredARecord(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, Options{})
	for i, copies := range []int{0, 1, 3, 300} {
		if _, err := s.Append(payload(i), 1, AppendMaybeSent(copies)); err != nil {
			t.Fatal(err)
		}
	}
	crash(s)
	s = openTestSpool(t, dir, Options{})
	defer s.Close()
	var got []int
	for r, ok := s.Next(); ok; r, ok = s.Next() {
		got = append(got, r.Copies)
		if r.Copies == 1 {
			r.Copies = 2 // a second request lost its answer
			s.Nack(r)
			continue
		}
		s.Ack(r)
	}
	if want := []int{0, 1, 2, 3, 255}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("copies read back %v, want %v", got, want)
	}
	old := recMeta{flags: flagMaybeSent}
	if old.copies() != 1 {
		t.Errorf("a record with the flag alone reads as %d copies, want 1", old.copies())
	}
}
