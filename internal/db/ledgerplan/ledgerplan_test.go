package ledgerplan

import (
	"slices"
	"testing"
	"time"
)

// TestCursor: a cursor reads back as itself; junk is refused on its field.
func TestCursor(t *testing.T) {
	c := Cursor{At: time.Date(2026, 11, 27, 2, 0, 0, 123000, time.UTC), ID: 42}
	got, err := ParseCursor("after", c.String())
	if err != nil || got != c {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, s := range []string{"", "!!", "MTIz", "YS5i"} { // "", not base64, "123", "a.b"
		if _, err := ParseCursor("before", s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
	a, b, err := ParseCursors("", c.String())
	if err != nil || a != nil || b == nil || *b != c {
		t.Fatalf("ParseCursors: %v %v %v", a, b, err)
	}
}

// TestPageOf: pages of the matches newest first, forward after a cursor
// and backward before one, with whether more follow; ties on time go by id.
func TestPageOf(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 27, h, 0, 0, 0, time.UTC) }
	all := []Cursor{{at(1), 1}, {at(3), 3}, {at(2), 2}, {at(3), 4}, {at(5), 5}, {at(4), 6}}
	// Newest first: 5 (5h), 6 (4h), 4 (3h, id 4), 3 (3h, id 3), 2, 1.
	cases := []struct {
		name          string
		after, before *Cursor
		want          []int64
		more          bool
	}{
		{"first page", nil, nil, []int64{5, 6, 4}, true},
		{"after the first page", &Cursor{at(3), 4}, nil, []int64{3, 2, 1}, false},
		{"after a tie", &Cursor{at(3), 3}, nil, []int64{2, 1}, false},
		{"before the last page", nil, &Cursor{at(3), 3}, []int64{5, 6, 4}, false},
		{"before near the top", nil, &Cursor{at(4), 6}, []int64{5}, false},
		{"before the end", nil, &Cursor{at(1), 1}, []int64{4, 3, 2}, true},
	}
	for _, c := range cases {
		got, more := PageOf(slices.Clone(all), 3, c.after, c.before)
		if !slices.Equal(got, c.want) || more != c.more {
			t.Errorf("%s: %v more %v, want %v more %v", c.name, got, more, c.want, c.more)
		}
	}
}

// TestCut: a walk's limit+1 ids become the page in display order.
func TestCut(t *testing.T) {
	if got, more := Cut([]int64{9, 8, 7, 6}, 3, false); !slices.Equal(got, []int64{9, 8, 7}) || !more {
		t.Errorf("forward: %v %v", got, more)
	}
	if got, more := Cut([]int64{1, 2}, 3, true); !slices.Equal(got, []int64{2, 1}) || more {
		t.Errorf("backward: %v %v", got, more)
	}
}
