package lazyre

import "testing"

func TestNewCompilesOnceOnFirstUse(t *testing.T) {
	re := New(`^a+$`)
	first := re()
	if !first.MatchString("aaa") || first.MatchString("ab") {
		t.Fatalf("pattern ^a+$ matched wrongly")
	}
	if re() != first {
		t.Fatalf("second call compiled the pattern again")
	}
}

func TestNewPanicsOnBadPatternWhenCalled(t *testing.T) {
	re := New(`(`) // no panic yet: nothing is compiled before the first call
	defer func() {
		if recover() == nil {
			t.Fatalf("a bad pattern did not panic on first use")
		}
	}()
	re()
}
