package genai

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// StringOf, Int64Of, Float64Of and BoolOf read a value an SDK keeps in a
// map[string]any (generation info, metadata) as the attribute's type, by
// type switch, without reflection. A value of another type reads as the
// zero value. Generated wrappers call them for paths such as
// result.Info["PromptTokens"].

// StringOf returns v if it is a string, []byte or has a String method.
func StringOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case interface{ String() string }:
		return v.String()
	}
	return ""
}

// TextOf returns v as text content (tool arguments or results an SDK
// keeps as any): a string, []byte or value with a String method as it is,
// anything else (a map of arguments, a struct) as its JSON, "" for nil.
// Generated wrappers call it only when content capture is on: a value
// that is not text is marshalled with encoding/json, so by reflection.
func TextOf(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	case interface{ String() string }:
		return v.String()
	}
	return JSONText(v)
}

// Int64Of returns v if it is a number (a float is truncated; NaN and
// infinities are 0).
func Int64Of(v any) int64 {
	switch v := v.(type) {
	case int:
		return int64(v)
	case int8:
		return int64(v)
	case int16:
		return int64(v)
	case int32:
		return int64(v)
	case int64:
		return v
	case uint:
		return int64(min(uint64(v), math.MaxInt64))
	case uint8:
		return int64(v)
	case uint16:
		return int64(v)
	case uint32:
		return int64(v)
	case uint64:
		return int64(min(v, math.MaxInt64))
	case float32:
		return floatToInt(float64(v))
	case float64:
		return floatToInt(v)
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return floatToInt(f)
	}
	return 0
}

func floatToInt(f float64) int64 {
	if math.IsNaN(f) || math.IsInf(f, 0) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return 0
	}
	return int64(f)
}

// Float64Of returns v if it is a number.
func Float64Of(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case float32:
		return FromFloat32(v)
	case json.Number:
		f, _ := v.Float64()
		return f
	}
	return float64(Int64Of(v))
}

// FromFloat32 returns the float64 nearest to f's shortest decimal form:
// a float32 0.7 is recorded as 0.7, not as 0.699999988079071, its exact
// value. Generated wrappers call it for float32 fields (an SDK's
// temperature or top_p). It does not allocate.
func FromFloat32(f float32) float64 {
	var buf [32]byte
	v, err := strconv.ParseFloat(string(strconv.AppendFloat(buf[:0], float64(f), 'g', -1, 32)), 64)
	if err != nil {
		return float64(f)
	}
	return v
}

// BoolOf returns v if it is a bool.
func BoolOf(v any) bool {
	b, _ := v.(bool)
	return b
}

// NonEmpty returns ss without its empty strings: generated code records a
// list attribute (finish reasons, stop sequences) only with the values
// that say something. It returns ss itself when it has none, so the
// common case does not allocate.
func NonEmpty(ss []string) []string {
	if !slices.Contains(ss, "") {
		return ss
	}
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
