package otlptest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ScoresPath is where Langfuse's public API takes scores.
const ScoresPath = "/api/public/scores"

// Score is one score Langfuse's scores API took: CreateScoreRequest in
// Langfuse's OpenAPI spec (web/public/generated/api/openapi.yml).
type Score struct {
	ID            string         `json:"id"`
	TraceID       string         `json:"traceId"`
	ObservationID string         `json:"observationId"`
	SessionID     string         `json:"sessionId"`
	Name          string         `json:"name"`
	Value         any            `json:"value"`
	DataType      string         `json:"dataType"`
	Comment       string         `json:"comment"`
	Environment   string         `json:"environment"`
	Metadata      map[string]any `json:"metadata"`
	// Received is when it arrived: Langfuse stamps a score with the time
	// of its request.
	Received time.Time `json:"-"`
}

// Scores is Langfuse's scores API on loopback, POST /api/public/scores
// (install it with Receiver.Handle(ScoresPath, s.Handler)). It checks a
// request as Langfuse's server does, from its source at
// langfuse/langfuse 62751446149b702b419a9292ddfc2280cdf74b8c:
// Basic auth with the project's keys (401 otherwise); a JSON body (the
// route does not decompress: a gzip'd body is not JSON, 400); the schema
// of PostScoresBody (packages/shared/src/features/scores/interfaces/api/
// shared.ts): a non-empty name, an id of at most 800 characters, a trace
// (or session) to attach to and an observation only with a trace
// (packages/shared/src/utils/scores.ts), NUMERIC and BOOLEAN values
// numbers (BOOLEAN 0 or 1), CATEGORICAL a string; it answers 200 {"id"}.
// The trace need not exist (the worker never looks it up:
// worker/src/services/IngestionService/index.ts, processScoreEventList).
type Scores struct {
	auth string
	mu   sync.Mutex
	all  []Score
}

// NewScores returns the scores API of the project with these keys.
func NewScores(publicKey, secretKey string) *Scores {
	return &Scores{auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(publicKey+":"+secretKey))}
}

// Handler is the Handler of POST /api/public/scores.
func (s *Scores) Handler(req *http.Request, body []byte, _ http.Header) (int, []byte, int, func()) {
	fail := func(status int, format string, args ...any) (int, []byte, int, func()) {
		b, _ := json.Marshal(map[string]string{"message": fmt.Sprintf(format, args...)})
		return status, b, 0, nil
	}
	switch {
	case req.Method != http.MethodPost:
		return fail(http.StatusMethodNotAllowed, "method %s not allowed", req.Method)
	case req.Header.Get("Authorization") != s.auth:
		return fail(http.StatusUnauthorized, "Invalid credentials")
	case !strings.HasPrefix(req.Header.Get("Content-Type"), "application/json"):
		return fail(http.StatusBadRequest, "content type %q, want application/json", req.Header.Get("Content-Type"))
	}
	var sc Score
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&sc); err != nil {
		return fail(http.StatusBadRequest, "invalid JSON: %v", err)
	}
	if msg := checkScore(&sc); msg != "" {
		return fail(http.StatusBadRequest, "%s", msg)
	}
	sc.Received = time.Now()
	answer, _ := json.Marshal(map[string]string{"id": sc.ID})
	return http.StatusOK, answer, 1, func() {
		s.mu.Lock()
		s.all = append(s.all, sc)
		s.mu.Unlock()
	}
}

// checkScore says what Langfuse's schema finds wrong with sc, "" when
// nothing.
func checkScore(sc *Score) string {
	switch {
	case strings.TrimSpace(sc.Name) == "":
		return "name: must not be empty"
	case len(sc.ID) > 800:
		return "id: at most 800 characters"
	case sc.TraceID == "" && sc.SessionID == "":
		return "one of traceId, sessionId or datasetRunId is required"
	case sc.ObservationID != "" && sc.TraceID == "":
		return "observationId requires traceId"
	}
	switch sc.DataType {
	case "NUMERIC":
		if _, ok := sc.Value.(float64); !ok {
			return "value: a number is required for NUMERIC"
		}
	case "BOOLEAN":
		if v, ok := sc.Value.(float64); !ok || (v != 0 && v != 1) {
			return "Value must be a number equal to either 0 or 1 for data type BOOLEAN"
		}
	case "CATEGORICAL":
		if _, ok := sc.Value.(string); !ok {
			return "value: a string is required for CATEGORICAL"
		}
	default:
		return fmt.Sprintf("dataType: %q is not NUMERIC, BOOLEAN or CATEGORICAL", sc.DataType)
	}
	return ""
}

// All returns every score taken, in order, a score sent twice twice.
func (s *Scores) All() []Score {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Score(nil), s.all...)
}

// Newest returns the scores as Langfuse reads them: the newest per ID.
func (s *Scores) Newest() map[string]Score {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Score, len(s.all))
	for _, sc := range s.all {
		out[sc.ID] = sc
	}
	return out
}
