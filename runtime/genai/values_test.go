package genai

import (
	"math"
	"testing"
)

func TestTextOf(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{nil, ""}, {"a", "a"}, {[]byte("b"), "b"}, {map[string]any{"city": "Paris", "n": 2}, `{"city":"Paris","n":2}`},
		{[]int{1, 2}, "[1,2]"}, {struct{ A string }{"x"}, `{"A":"x"}`}, {func() {}, ""},
	} {
		if got := TextOf(tc.in); got != tc.want {
			t.Errorf("TextOf(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFromFloat32IsTheShortestDecimal(t *testing.T) {
	for _, tc := range []struct {
		in   float32
		want float64
	}{
		{0.7, 0.7}, {0.1, 0.1}, {1, 1}, {0, 0}, {-0.3, -0.3}, {1e-8, 1e-8}, {3.4028235e38, 3.4028235e38},
		{float32(math.Inf(1)), math.Inf(1)},
	} {
		if got := FromFloat32(tc.in); got != tc.want {
			t.Errorf("FromFloat32(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := FromFloat32(float32(math.NaN())); !math.IsNaN(got) {
		t.Errorf("FromFloat32(NaN) = %v", got)
	}
	if got := Float64Of(float32(0.7)); got != 0.7 {
		t.Errorf("Float64Of(float32(0.7)) = %v", got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = FromFloat32(0.7) }); n != 0 {
		t.Errorf("FromFloat32 allocates %v times", n)
	}
}
