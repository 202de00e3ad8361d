package uscc

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // normalised code ("" when only the error matters)
		problem Problem
		pos     int
		expect  byte // expected check character for BadCheck
	}{
		// The worked example of GB 32100-2015.
		{name: "standard example", in: "91350100M000100Y43", want: "91350100M000100Y43"},
		// Fictional codes whose check characters were computed by hand
		// (sum of value×weight, 31 − sum mod 31) and cross-checked here.
		// 9·1+1·3+3·9+3·27+0+1·26+0+2·17+21·20+10·29+2·25+17·13+0+0+0+2·30+4·28 = 1333 = 31·43: check 0.
		{name: "check character 0 (sum divisible by 31)", in: "91330102MA2H000240", want: "91330102MA2H000240"},
		{name: "check character Y (value 30)", in: "91330102MA2H00014Y", want: "91330102MA2H00014Y"},
		{name: "made by Complete", in: mustComplete(t, "9133010075123456Y"), want: "9133010075123456Y2"},
		{name: "lower case and spaces are normalised", in: "  91350100m000100y43 ", want: "91350100M000100Y43"},
		{name: "full-width characters are folded", in: "９１３５０１００Ｍ０００１００Ｙ４３", want: "91350100M000100Y43"},
		{name: "too short", in: "91350100M000100Y4", problem: BadLength},
		{name: "too long", in: "91350100M000100Y431", problem: BadLength},
		{name: "empty", in: "", problem: BadLength},
		{name: "letter I is not in the alphabet", in: "91350100I000100Y43", problem: BadChar, pos: 9},
		{name: "letter O is not in the alphabet", in: "O1350100M000100Y43", problem: BadChar, pos: 1},
		{name: "letter S is not in the alphabet", in: "91350100M000100S43", problem: BadChar, pos: 16},
		{name: "letter Z in the check position", in: "91350100M000100Y4Z", problem: BadChar, pos: 18},
		{name: "Chinese character", in: "91350100M000100Y4号", problem: BadChar, pos: 18},
		{name: "hyphen", in: "91350100-000100Y43", problem: BadChar, pos: 9},
		{name: "wrong check character", in: "91350100M000100Y44", problem: BadCheck, pos: 18, expect: '3'},
		{name: "one digit changed", in: "91350100M000100Y53", problem: BadCheck, pos: 18, expect: checkOf(t, "91350100M000100Y5")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Validate(tc.in)
			if tc.problem == 0 {
				if err != nil {
					t.Fatalf("Validate(%q): %v", tc.in, err)
				}
				if got != tc.want {
					t.Errorf("Validate(%q) = %q, want %q", tc.in, got, tc.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate(%q) = %q, %v; want problem %d", tc.in, got, err, tc.problem)
			}
			if e.Problem != tc.problem {
				t.Errorf("problem %d, want %d (%v)", e.Problem, tc.problem, e)
			}
			if tc.pos != 0 && e.Pos != tc.pos {
				t.Errorf("position %d, want %d", e.Pos, tc.pos)
			}
			if tc.problem == BadCheck {
				if e.Expected != tc.expect {
					t.Errorf("expected check %c, want %c", e.Expected, tc.expect)
				}
				if !strings.Contains(e.Error(), "应为“"+string(tc.expect)+"”") {
					t.Errorf("message %q does not name the expected character", e.Error())
				}
			}
			if !strings.Contains(e.Error(), " / ") {
				t.Errorf("message %q is not bilingual", e.Error())
			}
		})
	}
}

func mustComplete(t *testing.T, s string) string {
	c, err := Complete(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkOf(t *testing.T, s string) byte {
	c, err := CheckChar(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The check character by the formula written out, independent of CheckChar.
func TestCheckCharByHand(t *testing.T) {
	// 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4 with weights
	// 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
	vals := []int{9, 1, 3, 5, 0, 1, 0, 0, 21, 0, 0, 0, 1, 0, 0, 30, 4}
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := range vals {
		sum += vals[i] * w[i]
	}
	c := (31 - sum%31) % 31
	if Alphabet[c] != '3' {
		t.Fatalf("by hand: %c, want 3 (the standard's example)", Alphabet[c])
	}
	if got := checkOf(t, "91350100M000100Y4"); got != '3' {
		t.Fatalf("CheckChar = %c, want 3", got)
	}
}

func TestWeightsArePowersOfThree(t *testing.T) {
	p := 1
	for i, w := range weights {
		if w != p {
			t.Errorf("weight %d = %d, want 3^%d mod 31 = %d", i, w, i, p)
		}
		p = p * 3 % 31
	}
	if len(Alphabet) != 31 || strings.ContainsAny(Alphabet, "IOSVZ") {
		t.Errorf("alphabet %q", Alphabet)
	}
}

func TestCompleteMakesValidCodes(t *testing.T) {
	for _, p := range []string{"91330102MA2H00001", "92330102MA2H00002", "12330100000000000", "91330102MA2HXXXXX"} {
		c, err := Complete(p)
		if err != nil {
			t.Fatalf("Complete(%q): %v", p, err)
		}
		if _, err := Validate(c); err != nil {
			t.Errorf("Validate(Complete(%q)) = %v", p, err)
		}
	}
	if _, err := Complete("9133"); err == nil {
		t.Error("Complete of a short prefix succeeded")
	}
}

func FuzzValidate(f *testing.F) {
	f.Add("91350100M000100Y43")
	f.Add("９１３５０１００Ｍ０００１００Ｙ４３")
	f.Add("")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Validate(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *Error: %v", err)
			}
			_ = e.Error()
			return
		}
		if len(got) != Length {
			t.Fatalf("valid code %q has %d bytes", got, len(got))
		}
		again, err := Validate(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q, %v", got, again, err)
		}
	})
}
