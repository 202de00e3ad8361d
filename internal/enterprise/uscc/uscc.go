// Package uscc checks the unified social credit code (统一社会信用代码) of
// GB 32100-2015: 18 characters from a 31-character alphabet (the digits and
// the capital letters without I, O, S, V and Z), the last of which is a check
// character computed from the first 17. The package is pure: no I/O, so the
// demo dataset and the importer can both use it.
package uscc

import (
	"fmt"
	"strings"
	"unicode"
)

// Alphabet lists the characters of a code in the order of their values 0–30.
const Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// Length is the number of characters of a code.
const Length = 18

// weights of the first 17 positions: 3^i mod 31.
var weights = [Length - 1]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// value returns c's value in the alphabet, or -1.
func value(c byte) int {
	return strings.IndexByte(Alphabet, c)
}

// Problem says what is wrong with a code.
type Problem int

const (
	BadLength Problem = iota + 1 // not 18 characters
	BadChar                      // a character outside the alphabet
	BadCheck                     // the 18th character is not the check character
)

// Error describes why a code is not valid. Its Error() is bilingual
// ("中文 / English"), ready to show.
type Error struct {
	Problem  Problem
	Length   int  // characters given (BadLength)
	Pos      int  // 1-based position of the bad character (BadChar, BadCheck)
	Char     rune // the bad character (BadChar) or the check character given (BadCheck)
	Expected byte // the check character the first 17 call for (BadCheck)
}

func (e *Error) Error() string {
	switch e.Problem {
	case BadLength:
		return fmt.Sprintf("统一社会信用代码应为 18 位，现为 %d 位 / the unified social credit code must have 18 characters, not %d", e.Length, e.Length)
	case BadChar:
		return fmt.Sprintf("统一社会信用代码第 %d 位“%c”不是允许的字符（只能是数字和除 I、O、S、V、Z 以外的大写字母） / character %d (%q) is not allowed in a unified social credit code (digits and capital letters except I, O, S, V, Z)", e.Pos, e.Char, e.Pos, e.Char)
	default:
		return fmt.Sprintf("统一社会信用代码校验位错误：第 18 位应为“%c”，而不是“%c”，请核对前 17 位 / wrong check character: the 18th character should be %c, not %c; check the first 17", e.Expected, e.Char, e.Expected, e.Char)
	}
}

// Normalize trims spaces (also full-width ones), folds full-width letters
// and digits to ASCII and upper-cases: what people paste from documents.
func Normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimFunc(s, unicode.IsSpace) {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			r -= 0xFEE0
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// CheckChar returns the check character for the first 17 characters of a
// code (only those are read); an error when one of them is outside the alphabet.
func CheckChar(first17 string) (byte, error) {
	if len(first17) < Length-1 {
		return 0, &Error{Problem: BadLength, Length: len([]rune(first17))}
	}
	sum := 0
	for i := 0; i < Length-1; i++ {
		v := value(first17[i])
		if v < 0 {
			r := []rune(first17[i:])[0]
			return 0, &Error{Problem: BadChar, Pos: len([]rune(first17[:i])) + 1, Char: r}
		}
		sum += v * weights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return Alphabet[c], nil
}

// Complete appends the check character to 17 characters, for making valid
// (fictional) codes in demos and tests.
func Complete(first17 string) (string, error) {
	if len([]rune(first17)) != Length-1 {
		return "", &Error{Problem: BadLength, Length: len([]rune(first17)) + 1}
	}
	c, err := CheckChar(first17)
	if err != nil {
		return "", err
	}
	return first17 + string(c), nil
}

// Validate normalises s and checks it: length, alphabet, check character.
// It returns the normalised code, or an *Error saying what is wrong.
func Validate(s string) (string, error) {
	s = Normalize(s)
	if n := len([]rune(s)); n != Length {
		return s, &Error{Problem: BadLength, Length: n}
	}
	for i, r := range []rune(s) {
		if r > unicode.MaxASCII || value(byte(r)) < 0 {
			return s, &Error{Problem: BadChar, Pos: i + 1, Char: r}
		}
	}
	want, err := CheckChar(s[:Length-1])
	if err != nil {
		return s, err
	}
	if s[Length-1] != want {
		return s, &Error{Problem: BadCheck, Pos: Length, Char: rune(s[Length-1]), Expected: want}
	}
	return s, nil
}
