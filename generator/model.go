package generator

import (
	"go/token"
	"go/types"

	"github.com/genaitrace/genaitrace/generator/mapping"
)

// The model sits between loading and emitting: everything the emitter
// needs, resolved and checked against go/types.

// unit is one output file: the wrappers generated into one package.
type unit struct {
	fset     *token.FileSet
	spec     *mapping.PackageSpec
	pkg      *types.Package // the output package
	dir      string         // its directory
	wrappers []*wrapper
	// usesDeprecated is set when the file must name what the SDK
	// deprecates outside a deprecated wrapper method: an emitted
	// interface's deprecated methods, a deprecated type in a signature, a
	// deprecated field a path reads.
	usesDeprecated bool
}

// wrapper is one traced wrapper.
type wrapper struct {
	spec *mapping.WrapperSpec
	// iface is the wrapped interface's name, as code in the output package
	// refers to it: the key, or a qualified name of another package.
	ifaceName string
	ifacePkg  *types.Package // package declaring the interface (nil: emitted here)
	typeName  string         // Traced<Key>
	ctorName  string         // NewTraced<Key>
	// emitIface is set for a concrete type: the generator declares the
	// interface of its exported method set under the key's name.
	emitIface    *types.Interface
	concrete     string // "*pkg.Type", for the emitted interface's comment
	concretePkg  *types.Package
	concreteName string
	typeParams   *types.TypeParamList
	methods      []*method
	// named is the wrapped interface type, non-generic; nil otherwise.
	named types.Type
}

// method is one wrapped method.
type method struct {
	name     string
	sig      *types.Signature
	params   []*variable
	results  []*variable
	ctx      int // index of the context.Context parameter, or -1
	err      int // index of the error result, or -1
	errType  string
	skip     bool
	op       string
	provider string
	kind     string
	spanName string // literal span name, or "" to build it from op and nameFrom
	nameFrom *attr  // the attribute completing the span name, if any
	before   []*attr
	after    []*attr
	stream   *streamInfo
	// deprecated is the wrapped method's "Deprecated:" paragraph, carried
	// to the wrapper's.
	deprecated string
	// readsDeprecated is set when a path reads a deprecated field or
	// method.
	readsDeprecated bool
	// failWhen, when set, is a bool read from the results that marks the
	// span failed with error type failType (a result reporting an error).
	failWhen *attr
	failType string
	// errAlts read error.type from the error (errors.As, then a path),
	// the first with a value winning, errConst being the fallback;
	// errSpec is the mapping they come from (one generated function per
	// mapping, which methods share).
	errAlts  []*errAlt
	errConst string
	errSpec  *mapping.ErrorTypeSpec
	// propagate, when set, carries the call's trace context in the
	// request's metadata map.
	propagate *propagation
	// rewrap holds, per result, the wrapper of the unit whose interface
	// it is (eino's WithTools returns the model it was called on, with
	// tools): it is returned wrapped, so tracing goes on.
	rewrap map[int]*wrapper
}

// streamForm is how a result streams.
type streamForm int

const (
	streamSeq      streamForm = iota // iter.Seq[T] or a func type of its shape
	streamSeq2                       // iter.Seq2[T, U]
	streamChan                       // <-chan T or chan T
	streamSDK                        // an SDK stream type, read as sdkShape says
	streamCallback                   // a parameter of type func(T) error, called once per chunk
)

// sdkShape is how an SDK stream type is read: Next() bool, Current() T
// and Err() error, or Recv() (T, error) ended by io.EOF; and its Close,
// if it has one (Close() error or Close()).
type sdkShape struct {
	recv                      bool
	next, current, err, close string // the methods' names; recv's in next
	hasClose, closeErr        bool
}

// delivery is how a traced SDK stream reaches the caller.
type delivery int

const (
	// deliverTraced returns a generated stream type embedding the SDK's:
	// the traced method's result type changes (wrappers of concrete
	// types, which declare their own interface).
	deliverTraced delivery = iota
	// deliverSameType returns the generated stream type as the interface
	// type the method returns (a gRPC ServerStreamingClient[T]): the
	// signature stays.
	deliverSameType
	// deliverPipe copies the stream through the SDK's own pipe into a new
	// stream of the same concrete type (eino's schema.Pipe).
	deliverPipe
)

// pipeInfo is an SDK's pipe: a func([cap int]) (R, W) making a stream R
// of the method's result type and its writer W, with Send(T, error) and
// Close().
type pipeInfo struct {
	fn         *types.Func
	generic    bool // instantiated with the chunk type: schema.Pipe[T]
	capacity   bool // takes a capacity
	sendClosed bool // Send reports that the reader was closed
}

// streamInfo is a resolved stream: the result, its form, the chunk type
// and the attributes read from each chunk.
type streamInfo struct {
	result   int // index in method.results
	param    int // index in method.params of the callback
	form     streamForm
	chunk    *variable  // the chunk, as chunk paths refer to it
	second   types.Type // Seq2's second type
	errPairs bool       // Seq2[T, error]: the second value is an error
	attrs    []*attr
	chunkErr *attr // the error a chunk carries, if mapped
	spec     *mapping.StreamSpec
	// SDK stream types: how they are read and delivered, the generated
	// wrapper type and what it embeds.
	shape       sdkShape
	deliver     delivery
	pipe        *pipeInfo
	wrapperName string
	sdkType     types.Type
}

// changesType reports a stream whose traced form is another type than
// the wrapped method's result.
func (si *streamInfo) changesType() bool {
	return si != nil && si.form == streamSDK && si.deliver == deliverTraced
}

// tracedType reports a stream the generator declares a traced type for.
func (si *streamInfo) tracedType() bool {
	return si != nil && si.form == streamSDK && si.deliver != deliverPipe
}

// variable is a parameter or result with the name the wrapper gives it.
type variable struct {
	name     string // in the wrapper; user names are kept
	mapName  string // as the mapping refers to it
	typ      types.Type
	variadic bool
}

// attr is one attribute to record.
type attr struct {
	field  mapping.Field
	value  *mapping.Value
	konst  string
	root   *variable // nil for constants
	chain  []hop
	leaf   types.Type // type at the end of chain
	conv   conversion
	each   int // index in chain of the [*] hop, or -1
	length bool
	// messages: per-element parts
	role, content, finish *attr
	calls                 *toolCalls
	// when, if set, is a bool the attribute is recorded under.
	when *attr
	// sum, if set, holds the parts whose values are added.
	sum []*attr
	// first, if set, holds alternatives: the first present is recorded.
	first []*attr
}

// propagation is the request's metadata map the trace context goes in:
// the parameter, whose struct (through its pointer, if it is one) is
// copied before its map is replaced, and the fields down to the map.
type propagation struct {
	root    *variable
	ptr     bool       // root is a pointer to the struct
	structT types.Type // the struct type
	fields  []string
	strings bool // map[string]string, not map[string]any
}

// errAlt reads error.type from an error of type target: attr, rooted at
// the target value; or, with no attr, is constant for an error of type
// target, or one errors.Is finds to be sentinel when that is set.
type errAlt struct {
	target   types.Type
	attr     *attr
	sentinel *types.Var
	constant string
}

// toolCalls are the tool calls of each message: the hops from the
// message to each call, and the call's parts.
type toolCalls struct {
	chain          []hop
	id, name, args *attr
}

// hop is one resolved step of a path.
type hop struct {
	kind hopKind
	name string // field or method
	idx  int    // index
	// guard is set when the value before this hop must be checked: a nil
	// pointer, map or interface, or a too-short slice.
	guard guardKind
	// omitEmpty marks a field tagged omitempty or omitzero: its zero
	// value was not sent, and is not recorded.
	omitEmpty bool
	// target is the struct functional options set (hopApply), or what
	// the SDK's getter of struct options returns.
	target types.Type
	getter *types.Func
}

// nested calls fn for a and every attribute it is made of.
func (a *attr) nested(fn func(*attr)) {
	if a == nil {
		return
	}
	fn(a)
	for _, b := range append(append([]*attr{a.when, a.role, a.content, a.finish}, a.sum...), a.first...) {
		b.nested(fn)
	}
}

type hopKind int

const (
	hopField hopKind = iota
	hopMethod
	hopIndex
	hopEach
	hopDeref // explicit dereference of a pointer leaf
	hopKey   // a map's value under name, when present
	hopApply // functional options applied to a zero target (name: the parameter)
)

type guardKind int

const (
	guardNone guardKind = iota
	guardNil
	guardLen
)

// conversion turns the leaf into the attribute's value type.
type conversion int

const (
	convNone      conversion = iota
	convString               // string(x)
	convStringer             // x.String()
	convInt                  // int64(x)
	convFloat                // float64(x)
	convBool                 // bool(x)
	convStrings              // []string as is
	convStringsEl            // []T with T a string kind: converted element-wise
	convOneString            // a single string kind: []string{string(x)}
	convBytes                // []byte: string(x)
	convAny                  // an interface value: genai.StringOf(x), Int64Of, Float64Of or BoolOf
	convItoa                 // an integer as its decimal text (an HTTP status as error.type)
)
