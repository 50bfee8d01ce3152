package runtime

// dialectDefect is one value a destination must receive for a peer's
// span: what issue 22 found wrong, fixed.
type dialectDefect struct {
	defect        int // the numbered defect
	fixture, span string
	langfuse      bool // else Instana
	key           string
	want          any // struct{}{}: absent
	why           string
}

var dialectDefects = []dialectDefect{}
