package kv

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
	"github.com/expr-lang/expr/vm/runtime"
)

// ExprLimits bound what a Change expression may cost.
type ExprLimits struct {
	// MaxNodes bounds the size of the expression in syntax-tree nodes.
	MaxNodes uint
	// MemoryBudget bounds the collection elements (ranges, maps, filters)
	// the expression may build while running, as expr counts them.
	MemoryBudget uint
	// MaxValueSize bounds, in bytes, the strings it builds and its result.
	MaxValueSize int
	// Timeout bounds its running time. A runaway expression is abandoned
	// and fails; its evaluation stops on its own within MemoryBudget.
	Timeout time.Duration
}

// DefaultExprLimits are the limits New uses unless told otherwise.
var DefaultExprLimits = ExprLimits{MaxNodes: 200, MemoryBudget: 100_000, MaxValueSize: 1 << 20, Timeout: time.Second}

// unsafeBuiltins are expr's built-ins an expression may not call: the
// clock (a value would depend on when the round ran) and those that can
// multiply the size of their input (repeat, replace, join, concat,
// flatten, toJSON, and string applied to a collection).
var unsafeBuiltins = []string{"now", "date", "duration", "timezone",
	"repeat", "replace", "join", "concat", "flatten", "toJSON", "string"}

// exprEnv is everything an expression can see: x, the current value.
type exprEnv struct {
	X any `expr:"x"`
}

// Expr is a compiled Change expression, safe for concurrent use.
type Expr struct {
	src  string
	prog *vm.Program
	lim  ExprLimits
	// loops: the expression iterates (a predicate such as map or filter,
	// or a range), so its running time is not bounded by its size and it
	// runs under Timeout.
	loops bool
}

// CompileExpr compiles src, which computes a new value from x. Errors wrap
// ErrBadExpression and say what is wrong in expr's words, with a position.
func CompileExpr(src string, lim ExprLimits) (*Expr, error) {
	patch := &plusPatch{}
	opts := []expr.Option{
		expr.Env(exprEnv{}),
		expr.MaxNodes(lim.MaxNodes),
		expr.Patch(patch),
		expr.Function(plusFunc, plus(lim.MaxValueSize)),
		expr.Function("string", scalarString),
	}
	for _, name := range unsafeBuiltins {
		opts = append(opts, expr.DisableBuiltin(name))
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadExpression, err)
	}
	return &Expr{src: src, prog: prog, lim: lim, loops: patch.loops}, nil
}

// String returns the expression's source.
func (e *Expr) String() string { return e.src }

// Eval computes the new value from x (nil for no value). The result is
// normalized as Normalize does; nil means "delete". Errors wrap
// ErrExpressionFailed.
func (e *Expr) Eval(x any) (any, error) {
	out, err := e.run(x)
	if err != nil {
		return nil, err
	}
	if out.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrExpressionFailed, out.err)
	}
	if out.v == nil {
		return nil, nil
	}
	if err := checkSize(out.v, e.lim.MaxValueSize); err != nil {
		return nil, err
	}
	v, err := Normalize(out.v)
	if err != nil {
		return nil, fmt.Errorf("%w: its result %v", ErrExpressionFailed, err)
	}
	return v, nil
}

type outcome struct {
	v   any
	err error
}

// run runs the program on x: inline when it cannot loop, otherwise in a
// goroutine that is abandoned after Timeout.
func (e *Expr) run(x any) (outcome, error) {
	eval := func() outcome {
		machine := vm.VM{MemoryBudget: e.lim.MemoryBudget}
		v, err := machine.Run(e.prog, exprEnv{X: x})
		return outcome{v, err}
	}
	if !e.loops {
		return eval(), nil
	}
	done := make(chan outcome, 1)
	timer := time.NewTimer(e.lim.Timeout)
	defer timer.Stop()
	go func() { done <- eval() }()
	select {
	case out := <-done:
		return out, nil
	case <-timer.C:
		return outcome{}, fmt.Errorf("%w: it ran longer than %v", ErrExpressionFailed, e.lim.Timeout)
	}
}

// plusFunc is the function every + of an expression is rewritten to.
const plusFunc = "plus"

// plusPatch rewrites a + b into plus(a, b), so that string concatenation
// cannot double a string until memory runs out. It also notes whether the
// expression loops.
type plusPatch struct{ loops bool }

// Visit implements ast.Visitor.
func (p *plusPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		p.loops = true
	case *ast.BinaryNode:
		switch n.Operator {
		case "..":
			p.loops = true
		case "+":
			ast.Patch(node, &ast.CallNode{Callee: &ast.IdentifierNode{Value: plusFunc}, Arguments: []ast.Node{n.Left, n.Right}})
		}
	}
}

func plus(maxSize int) func(args ...any) (any, error) {
	return func(args ...any) (sum any, err error) {
		if len(args) != 2 {
			return nil, fmt.Errorf("plus takes two arguments")
		}
		a, b := args[0], args[1]
		if s, ok := a.(string); ok {
			if t, ok := b.(string); ok && len(s)+len(t) > maxSize {
				return nil, fmt.Errorf("the string would be longer than %d bytes", maxSize)
			}
		}
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		return runtime.Add(a, b), nil
	}
}

// scalarString replaces expr's string(): it converts numbers, booleans and
// strings, not collections, whose text can be far larger than they are.
func scalarString(args ...any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("string takes one argument")
	}
	switch v := args[0].(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case nil:
		return "nil", nil
	}
	return nil, fmt.Errorf("string() converts numbers, booleans and strings, not %T", args[0])
}

var errTooLarge = errors.New("too large")

// checkSize estimates the JSON size of v and fails once it passes max,
// without encoding it (a collection may repeat one large value many times).
func checkSize(v any, max int) error {
	n := 0
	if walkSize(v, &n, max) != nil {
		return fmt.Errorf("%w: its result is larger than %d bytes", ErrExpressionFailed, max)
	}
	return nil
}

func walkSize(v any, n *int, max int) error {
	switch t := v.(type) {
	case string:
		*n += len(t) + 2
	case []any:
		*n += 2
		for _, e := range t {
			if err := walkSize(e, n, max); err != nil {
				return err
			}
			*n++
		}
	case []string:
		for _, e := range t {
			*n += len(e) + 3
		}
	case map[string]any:
		*n += 2
		for k, e := range t {
			*n += len(k) + 4
			if err := walkSize(e, n, max); err != nil {
				return err
			}
		}
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil // Normalize explains
		}
		*n += 24
	default:
		*n += 24
	}
	if *n > max {
		return errTooLarge
	}
	return nil
}
