package langfuse

import (
	"encoding/json"
	"time"

	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// score is the body of POST /api/public/scores (CreateScoreRequest in
// Langfuse's OpenAPI spec; validated by PostScoresBody,
// packages/shared/src/features/scores/interfaces/api/shared.ts, at
// langfuse/langfuse 62751446149b702b419a9292ddfc2280cdf74b8c). The data
// type is always explicit: BOOLEAN takes 0 or 1, CATEGORICAL a string.
type score struct {
	ID            string            `json:"id"`
	TraceID       string            `json:"traceId"`
	ObservationID string            `json:"observationId,omitempty"`
	Name          string            `json:"name"`
	Value         any               `json:"value"`
	DataType      string            `json:"dataType"`
	Comment       string            `json:"comment,omitempty"`
	Environment   string            `json:"environment,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
}

// Score is the scores API's body for sc, with the comment as the
// destination may receive it, filed under environment. Langfuse stamps a
// score with the time of the request (it takes no timestamp): the time it
// was made travels in its metadata, for a score delivered late, from the
// spool.
func Score(sc *scores.Score, comment, environment string) []byte {
	body := score{ID: sc.ID, TraceID: sc.TraceID.String(), Name: sc.Name, Comment: comment,
		Environment: environment, Metadata: map[string]string{"scored_at": sc.Time.UTC().Format(time.RFC3339Nano)}}
	if sc.SpanID.IsValid() {
		body.ObservationID = sc.SpanID.String()
	}
	switch sc.Kind {
	case scores.Categorical:
		body.Value, body.DataType = sc.Label, "CATEGORICAL"
	case scores.Boolean:
		body.Value, body.DataType = sc.Number, "BOOLEAN"
	default:
		body.Value, body.DataType = sc.Number, "NUMERIC"
	}
	b, _ := json.Marshal(body) // strings and finite numbers: it cannot fail
	return b
}
