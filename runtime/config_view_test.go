package runtime

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// notViewed are the configuration fields /config does not show, with the
// reason.
var notViewed = map[string]string{
	"Logger":                   "a logger is not a setting",
	"Instana.endpointFrom":     "which variable set the endpoint: for error messages",
	"Langfuse.endpointFrom":    "which variable set the endpoint: for error messages",
	"OTLP.endpointFrom":        "which variable set the endpoint: for error messages",
	"Langfuse.scoresPaceSet":   "whether LANGFUSE_SCORES_PER_MINUTE was given: its effect, scores_per_minute, is shown",
	"unknownNames":             "options' mistakes, refused by Configure",
	"Langfuse.replayChecksSet": "tells an explicit 0 from unset before defaults are resolved: ReplayChecks shows the result",
}

// TestEveryConfigFieldHasAView sets each field of a resolved
// configuration, one at a time, to a value it does not have, and fails
// when the view does not change: a setting added to the configuration
// without a view would be invisible in /config and Manager.Config.
func TestEveryConfigFieldHasAView(t *testing.T) {
	clearEnv(t)
	base := defaultConfig()
	base.resolve()
	before := viewJSON(t, &base)
	seen := 0
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.Kind() == reflect.Struct && !isLeaf(v.Type()) {
			for i := range v.NumField() {
				walk(strings.TrimPrefix(path+"."+v.Type().Field(i).Name, "."), settable(v.Field(i)))
			}
			return
		}
		seen++
		if _, ok := notViewed[path]; ok {
			return
		}
		c := base
		field := settable(fieldByPath(reflect.ValueOf(&c).Elem(), path))
		field.Set(otherValue(t, path, field))
		if viewJSON(t, &c) == before {
			t.Errorf("config field %s has no view: changing it changes nothing in /config", path)
		}
	}
	walk("", reflect.ValueOf(&base).Elem())
	if seen < 50 {
		t.Fatalf("walked %d fields: the walk is broken", seen)
	}
}

func viewJSON(t *testing.T, c *config) string {
	b, err := json.Marshal(c.view())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// isLeaf tells the struct types that are one setting.
func isLeaf(t reflect.Type) bool { return t == reflect.TypeOf(secret{}) }

// settable makes an unexported field settable too.
func settable(v reflect.Value) reflect.Value {
	if v.CanSet() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

func fieldByPath(v reflect.Value, path string) reflect.Value {
	for _, name := range strings.Split(path, ".") {
		v = settable(v).FieldByName(name)
	}
	return v
}

// otherValue returns a value of v's type that differs from v.
func otherValue(t *testing.T, path string, v reflect.Value) reflect.Value {
	switch x := v.Interface().(type) {
	case string:
		return reflect.ValueOf(x + "-changed")
	case bool:
		return reflect.ValueOf(!x)
	case float64:
		return reflect.ValueOf(x/2 + 0.125)
	case int, int64, uint32, time.Duration:
		n := reflect.New(v.Type()).Elem()
		if v.CanInt() {
			n.SetInt(v.Int() + 1000)
		} else {
			n.SetUint(v.Uint() + 1000)
		}
		return n
	case *bool:
		b := x == nil || !*x
		return reflect.ValueOf(&b)
	case secret:
		return reflect.ValueOf(newSecret(x.Value() + "-changed"))
	case []attribute.KeyValue:
		return reflect.ValueOf(append(x, attribute.String("changed", "yes")))
	case []attribute.Key:
		return reflect.ValueOf(append(x, attribute.Key("changed")))
	case []string:
		return reflect.ValueOf(append(slices.Clone(x), "changed"))
	case map[string]secret:
		return reflect.ValueOf(map[string]secret{"changed": newSecret("x")})
	case map[string]pricing.Price:
		return reflect.ValueOf(map[string]pricing.Price{"changed": {}})
	case []SampleKeep:
		return reflect.ValueOf(append(slices.Clone(x), KeepSlowerThan(time.Minute)))
	case Mask:
		return reflect.ValueOf(Mask(func(_ string, _ attribute.Key, v string) string { return v }))
	}
	switch v.Kind() {
	case reflect.Int: // the settings' own int types (ConsoleMode, Durability, LangfuseExport, LangfuseCost)
		n := reflect.New(v.Type()).Elem()
		n.SetInt(v.Int() + 1)
		return n
	case reflect.Interface: // ConsoleWriter
		return reflect.ValueOf(&bytes.Buffer{})
	}
	t.Fatalf("%s: no other value for %s", path, v.Type())
	return v
}

// TestSnapshotsWriteMilliseconds: every snapshot the API hands out writes
// its durations in milliseconds, in _ms fields; none in nanoseconds.
func TestSnapshotsWriteMilliseconds(t *testing.T) {
	clearEnv(t)
	r := otlptest.New(t)
	m, _ := configure(t, WithInstana(r.URL(), ""), WithLangfuse(r.URL(), "pk-lf-x", "sk-lf-x"))
	var keys []string
	var collect func(v any)
	collect = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys = append(keys, k)
				collect(x)
			}
		case []any:
			for _, x := range v {
				collect(x)
			}
		}
	}
	for _, snapshot := range []any{m.Destinations(), m.PipelineStats(), m.Config()} {
		b, err := json.Marshal(snapshot)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		collect(v)
	}
	ms := 0
	for _, k := range keys {
		if strings.HasSuffix(k, "_ns") {
			t.Errorf("%s: a duration in nanoseconds", k)
		}
		if strings.HasSuffix(k, "_ms") {
			ms++
		}
	}
	if ms < 20 {
		t.Errorf("only %d _ms fields: the snapshots were not walked", ms)
	}
}
