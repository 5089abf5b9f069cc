package world

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// The JSON syntax under the decoder: white space, punctuation, literals,
// numbers and strings with their escapes, skipping over whole values, and
// the one error that malformed JSON gives, with its line and column.

// syntaxError carries the one error of malformed JSON from fail to
// document, through the decoder's recursion.
type syntaxError struct{ err *FieldError }

// fail stops reading at malformed JSON, with the problem at d.pos.
func (d *decoder) fail(problem phrase) {
	line, col := d.lineCol()
	panic(syntaxError{&FieldError{Path: d.pathString(), Rule: ruleSyntax, Args: []any{line, col, problem}}})
}

// unexpected stops reading at the byte at d.pos, where want was expected.
func (d *decoder) unexpected(want phrase) {
	if d.pos >= len(d.data) {
		d.fail(phraseEnd)
	}
	r, size := utf8.DecodeRune(d.data[d.pos:])
	if r == utf8.RuneError && size == 1 {
		d.fail(phraseUTF8)
	}
	line, col := d.lineCol()
	panic(syntaxError{&FieldError{Path: d.pathString(), Rule: ruleSyntaxChar, Args: []any{line, col, strconv.QuoteRune(r), want}}})
}

// lineCol is the position of d.pos counted from 1, columns in characters.
func (d *decoder) lineCol() (line, col int) {
	before := d.data[:d.pos]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(before[start:]) + 1
}

// space skips white space and returns the next byte, 0 at the end.
func (d *decoder) space() byte {
	for ; d.pos < len(d.data); d.pos++ {
		switch c := d.data[d.pos]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// key reads an object key and the colon after it. The key is in the
// input or in *buf, valid until the next key is read.
func (d *decoder) key(buf *[]byte) []byte {
	if d.space() != '"' {
		d.unexpected(phraseString)
	}
	key := d.quoted(buf)
	if d.space() != ':' {
		d.unexpected(phraseColon)
	}
	d.pos++
	return key
}

// next reads the comma or the closing bracket after an element of an
// object or array and reports whether it was the closing bracket.
func (d *decoder) next(end byte) bool {
	switch d.space() {
	case ',':
		d.pos++
		return false
	case end:
		d.pos++
		return true
	}
	if end == '}' {
		d.unexpected(phraseInObj)
	}
	d.unexpected(phraseInArray)
	return false
}

// null reads a null if there is one there.
func (d *decoder) null() bool {
	if d.space() != 'n' {
		return false
	}
	d.literal("null")
	return true
}

// number scans the number at d.pos, leaving d.pos after it; it returns
// that position and whether the number has neither fraction nor exponent.
func (d *decoder) number() (end int, integer bool) {
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '0':
		d.pos++
	case digits() == 0:
		d.fail(phraseBadNum)
	}
	integer = true
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		integer = false
		if digits() == 0 {
			d.fail(phraseBadNum)
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		integer = false
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			d.fail(phraseBadNum)
		}
	}
	return d.pos, integer
}

// literal reads true, false or null.
func (d *decoder) literal(lit string) {
	for i := 0; i < len(lit); i++ {
		if d.pos >= len(d.data) || d.data[d.pos] != lit[i] {
			if i == 0 {
				d.unexpected(phraseValue)
			}
			d.unexpected(phrase("'" + lit[i:i+1] + "'"))
		}
		d.pos++
	}
}

// quoted reads the string at d.pos (its opening quote) and returns its
// bytes: a slice of the input when it holds no escapes, else of *buf.
func (d *decoder) quoted(buf *[]byte) []byte {
	d.pos++
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			d.pos++
			return d.data[start : d.pos-1]
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		d.pos++
	}
	b := append((*buf)[:0], d.data[start:d.pos]...)
	for {
		if d.pos >= len(d.data) {
			d.fail(phraseEnd)
		}
		switch c := d.data[d.pos]; {
		case c == '"':
			d.pos++
			*buf = b
			return b
		case c == '\\':
			b = d.escape(b)
		case c < 0x20:
			d.fail(phraseControl)
		case c < utf8.RuneSelf:
			b = append(b, c)
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				d.fail(phraseUTF8)
			}
			b = append(b, d.data[d.pos:d.pos+size]...)
			d.pos += size
		}
	}
}

// escape appends the character of the escape sequence at d.pos. A lone
// UTF-16 surrogate becomes U+FFFD, as in encoding/json.
func (d *decoder) escape(b []byte) []byte {
	d.pos++
	if d.pos >= len(d.data) {
		d.fail(phraseEnd)
	}
	c := d.data[d.pos]
	d.pos++
	switch c {
	case '"', '\\', '/':
		return append(b, c)
	case 'b':
		return append(b, '\b')
	case 'f':
		return append(b, '\f')
	case 'n':
		return append(b, '\n')
	case 'r':
		return append(b, '\r')
	case 't':
		return append(b, '\t')
	case 'u':
		r := d.hex4()
		if 0xD800 <= r && r < 0xDC00 && d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
			save := d.pos
			d.pos += 2
			if r2 := d.hex4(); 0xDC00 <= r2 && r2 < 0xE000 {
				return utf8.AppendRune(b, (r-0xD800)<<10|(r2-0xDC00)+0x10000)
			}
			d.pos = save
		}
		return utf8.AppendRune(b, r) // surrogates encode as U+FFFD
	}
	d.pos -= 2
	d.fail(phraseEscape)
	return nil
}

func (d *decoder) hex4() rune {
	var r rune
	for range 4 {
		if d.pos >= len(d.data) {
			d.fail(phraseEnd)
		}
		c := d.data[d.pos]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			d.fail(phraseEscape)
		}
		r = r<<4 | rune(c)
		d.pos++
	}
	return r
}

// skip reads over one value of any shape, checking its syntax. It keeps
// its own stack of open brackets rather than recursing, so that no input
// can exhaust the goroutine stack.
func (d *decoder) skip() {
	var open []byte // closing brackets expected, innermost last
	for {
		// A value.
		switch c := d.space(); {
		case c == '{':
			d.pos++
			if d.space() == '}' {
				d.pos++
				break
			}
			open = append(open, '}')
			d.key(&d.kbuf)
			continue
		case c == '[':
			d.pos++
			if d.space() == ']' {
				d.pos++
				break
			}
			open = append(open, ']')
			continue
		case c == '"':
			d.quoted(&d.buf)
		case c == 't':
			d.literal("true")
		case c == 'f':
			d.literal("false")
		case c == 'n':
			d.literal("null")
		case c == '-' || '0' <= c && c <= '9':
			d.number()
		default:
			d.unexpected(phraseValue)
		}
		// What follows it: close brackets until a comma.
		for {
			if len(open) == 0 {
				return
			}
			end := open[len(open)-1]
			if !d.next(end) {
				if end == '}' {
					d.key(&d.kbuf)
				}
				break
			}
			open = open[:len(open)-1]
		}
	}
}
