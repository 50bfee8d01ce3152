package export

// prepareSpans does to spans what the pipeline does before a destination
// sees them: facts derived, content classified.
func prepareSpans(spans []*Span) {
	facts := make([]Facts, len(spans))
	for i, s := range spans {
		s.classify()
		deriveFacts(s, &facts[i], nil)
	}
}
