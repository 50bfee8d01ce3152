package export

import (
	"bytes"
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

func openTestSpool(t *testing.T, dir string, opts SpoolOptions) *Spool {
	t.Helper()
	s, err := OpenSpool(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSpoolRoundTripOldestFirst(t *testing.T) {
	s := openTestSpool(t, t.TempDir(), SpoolOptions{SegmentBytes: 512})
	defer s.Close()
	for i := range 20 {
		if err := s.Append(payload(i), i+1); err != nil {
			t.Fatal(err)
		}
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
	s := openTestSpool(t, dir, SpoolOptions{})
	defer s.Close()
	if err := s.Append(payload(1), 1); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(dir)
	if info.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", info.Mode().Perm())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"+segmentSuffix))
	for _, f := range files {
		if info, _ := os.Stat(f); info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", f, info.Mode().Perm())
		}
	}
	if len(files) != 1 {
		t.Errorf("segments %v", files)
	}
}

func TestSpoolNackRereadsWithoutDuplicates(t *testing.T) {
	s := openTestSpool(t, t.TempDir(), SpoolOptions{})
	defer s.Close()
	for i := range 3 {
		_ = s.Append(payload(i), 1)
	}
	a, _ := s.Next()
	b, _ := s.Next()
	s.Ack(b) // out of order
	s.Nack(a)
	var got []string
	for r, ok := s.Next(); ok; r, ok = s.Next() {
		got = append(got, string(r.Data[:10]))
		s.Ack(r)
	}
	if want := []string{"batch-0000", "batch-0002"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after nack: %v, want %v", got, want)
	}
}

func TestSpoolSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, SpoolOptions{SegmentBytes: 400})
	for i := range 10 {
		_ = s.Append(payload(i), 2)
	}
	for range 4 {
		r, _ := s.Next()
		s.Ack(r)
	}
	s.Next() // taken, never acknowledged: must come back
	// No Close, as after kill -9: the kernel only releases the lock.
	s.lock.Close()
	s3 := openTestSpool(t, dir, SpoolOptions{SegmentBytes: 400})
	defer s3.Close()
	if st := s3.Stats(); st.PendingRecords != 6 || st.PendingSpans != 12 {
		t.Fatalf("after restart %+v, want 6 pending records", st)
	}
	for i := 4; i < 10; i++ {
		r, ok := s3.Next()
		if !ok || !bytes.Equal(r.Data, payload(i)) {
			t.Fatalf("record %d after restart: %q", i, r.Data)
		}
		s3.Ack(r)
	}
}

func TestSpoolBusyDirectory(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, SpoolOptions{})
	defer s.Close()
	if _, err := OpenSpool(dir, SpoolOptions{}); err != ErrSpoolBusy {
		t.Fatalf("second open: %v, want ErrSpoolBusy", err)
	}
}

func TestSpoolCapDropsOldestAndCounts(t *testing.T) {
	var logs bytes.Buffer
	rec := int64(recordHeaderSize + len(payload(0)))
	s := openTestSpool(t, t.TempDir(), SpoolOptions{MaxBytes: 10 * rec, SegmentBytes: 2 * rec, Logger: quietLogger(&logs)})
	defer s.Close()
	for i := range 25 {
		if err := s.Append(payload(i), 3); err != nil {
			t.Fatal(err)
		}
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
	if err := s.Append(make([]byte, 11*rec), 1); err != ErrRecordTooLarge {
		t.Errorf("oversized record: %v", err)
	}
}

func TestSpoolSkipsCorruptAndTornRecords(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, SpoolOptions{})
	for i := range 5 {
		_ = s.Append(payload(i), 1)
	}
	s.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*"+segmentSuffix))
	data, _ := os.ReadFile(files[0])
	rec := recordHeaderSize + len(payload(0))
	data[rec+recordHeaderSize+3] ^= 0xff               // flip a payload byte of record 1
	data = append(data, data[:recordHeaderSize+10]...) // a torn tail write
	if err := os.WriteFile(files[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s2 := openTestSpool(t, dir, SpoolOptions{Logger: quietLogger(&logs)})
	defer s2.Close()
	var got []string
	for r, ok := s2.Next(); ok; r, ok = s2.Next() {
		got = append(got, string(r.Data[:10]))
		s2.Ack(r)
	}
	if want := "[batch-0000 batch-0002 batch-0003 batch-0004]"; fmt.Sprint(got) != want {
		t.Errorf("read %v, want %s", got, want)
	}
	if st := s2.Stats(); st.CorruptRecords != 2 {
		t.Errorf("corrupt records %d, want 2 (the flipped one and the torn tail)", st.CorruptRecords)
	}
	if !strings.Contains(logs.String(), "damaged or torn") {
		t.Error("no warning logged")
	}
}

func FuzzSpoolScan(f *testing.F) {
	dir := f.TempDir()
	s, _ := OpenSpool(dir, SpoolOptions{})
	_ = s.Append(payload(1), 1)
	_ = s.Append(payload(2), 2)
	s.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*"+segmentSuffix))
	good, _ := os.ReadFile(files[0])
	f.Add(good)
	f.Add([]byte(spoolMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, "00000000000000000001"+segmentSuffix), data, 0o600); err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		s, err := OpenSpool(d, SpoolOptions{Logger: quietLogger(&logs)})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for r, ok := s.Next(); ok; r, ok = s.Next() {
			if len(r.Data) > len(data) {
				t.Fatalf("record longer than the file")
			}
			s.Ack(r)
		}
	})
}
