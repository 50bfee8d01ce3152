package spool

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTestSet(t *testing.T, root string, opts Options) *Set {
	t.Helper()
	if opts.Identity.Key == "" {
		opts.Identity = testIdentity
	}
	if opts.Logger == nil {
		opts.Logger = quietLogger(&bytes.Buffer{})
	}
	ss, err := Open(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func appendSet(t *testing.T, ss *Set, from, n, spans int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if _, err := ss.Append(payload(i), spans, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// crashSet leaves a set as kill -9 does.
func crashSet(ss *Set) {
	for _, sp := range ss.spools() {
		sp.mu.Lock()
		sp.closeWriter()
		sp.mu.Unlock()
		crash(sp)
	}
}

func processDirs(t *testing.T, root string) []string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(root, processDirPrefix+"*"))
	return dirs
}

func TestSpoolSetOpensWithoutReading(t *testing.T) {
	root := t.TempDir()
	old := openTestSet(t, root, Options{})
	appendSet(t, old, 0, 5, 2)
	crashSet(old)
	ss := openTestSet(t, root, Options{})
	defer ss.Close()
	if st := ss.Stats(); st.PendingSpans != 0 || st.Directories != 1 {
		t.Fatalf("opening read what the earlier process left: %+v", st)
	}
	if n := ss.Adopt(); n != 10 {
		t.Fatalf("adopted %d spans, want 10", n)
	}
	if got := drain(ss); len(got) != 5 {
		t.Fatalf("replayed %v", got)
	}
	if dirs := processDirs(t, root); len(dirs) != 1 || filepath.Base(dirs[0]) != ss.name {
		t.Errorf("directories left: %v (the drained one must be removed)", dirs)
	}
}

func TestSpoolSetNeverAdoptsALiveProcess(t *testing.T) {
	root := t.TempDir()
	live := openTestSet(t, root, Options{})
	defer live.Close()
	appendSet(t, live, 0, 3, 1)
	ss := openTestSet(t, root, Options{})
	defer ss.Close()
	if n := ss.Adopt(); n != 0 {
		t.Fatalf("adopted %d spans of a live process", n)
	}
	if got := drain(live); len(got) != 3 {
		t.Fatalf("the live process lost its records: %v", got)
	}
}

func TestSpoolSetReplaysOldestFirstAcrossDirectories(t *testing.T) {
	root := t.TempDir()
	a := openTestSet(t, root, Options{})
	b := openTestSet(t, root, Options{})
	appendSet(t, a, 0, 2, 1) // 0, 1
	appendSet(t, b, 2, 2, 1) // 2, 3
	appendSet(t, a, 4, 2, 1) // 4, 5
	crashSet(a)
	crashSet(b)
	ss := openTestSet(t, root, Options{})
	defer ss.Close()
	appendSet(t, ss, 6, 1, 1)
	ss.Adopt()
	want := "[batch-0000 batch-0001 batch-0002 batch-0003 batch-0004 batch-0005 batch-0006]"
	if got := drain(ss); fmt.Sprint(got) != want {
		t.Fatalf("replayed %v, want %s", got, want)
	}
}

func TestSpoolSetBudgetCoversAdoptedDirectories(t *testing.T) {
	root := t.TempDir()
	rec := int64(recordHeaderSize + len(payload(0)))
	opts := Options{MaxBytes: 12 * rec, SegmentBytes: 3 * rec}
	old := openTestSet(t, root, opts)
	appendSet(t, old, 0, 5, 1)
	if st := old.Stats(); st.DroppedSpans != 0 {
		t.Fatalf("the earlier process dropped %d spans already", st.DroppedSpans)
	}
	crashSet(old)
	ss := openTestSet(t, root, opts)
	defer ss.Close()
	ss.Adopt()
	appendSet(t, ss, 100, 9, 1)
	st := ss.Stats()
	if st.Bytes > 12*rec {
		t.Errorf("%d bytes held, budget %d", st.Bytes, 12*rec)
	}
	if st.PendingSpans+st.DroppedSpans != 14 || st.DroppedSpans == 0 {
		t.Errorf("pending %d + dropped %d, want 14 with some dropped", st.PendingSpans, st.DroppedSpans)
	}
	got := drain(ss)
	if !strings.HasPrefix(got[len(got)-1], "batch-0108") || strings.HasPrefix(got[0], "batch-0000") {
		t.Errorf("kept %v: the oldest must go first", got)
	}
}

func TestSpoolSetRemovesEmptyDirectoriesAndStaleTemporaries(t *testing.T) {
	root := t.TempDir()
	ss := openTestSet(t, root, Options{})
	appendSet(t, ss, 0, 1, 1)
	drain(ss)
	if err := ss.Close(); err != nil {
		t.Fatal(err)
	}
	if dirs := processDirs(t, root); len(dirs) != 0 {
		t.Errorf("an empty process directory stays after Close: %v", dirs)
	}
	stale := filepath.Join(root, "."+processDirPrefix+"dead")
	if err := os.Mkdir(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	past := timeAgo(2)
	_ = os.Chtimes(stale, past, past)
	ss2 := openTestSet(t, root, Options{})
	defer ss2.Close()
	ss2.Adopt()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a directory a process died creating stays: %v", err)
	}
}

func TestSpoolSetKeepsRejectedBatchesApart(t *testing.T) {
	root := t.TempDir()
	ss := openTestSet(t, root, Options{})
	ss.SetAside(payload(1), 4)
	if got := drain(ss); len(got) != 0 {
		t.Fatalf("a rejected batch would be replayed: %v", got)
	}
	_ = ss.Close()
	if files, _ := filepath.Glob(filepath.Join(root, rejectedDir, "*", "*"+segmentSuffix)); len(files) != 1 {
		t.Errorf("rejected segments: %v", files)
	}
}

func timeAgo(minutes int) time.Time { return time.Now().Add(-time.Duration(minutes) * time.Minute) }
