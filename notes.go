package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"unicode"
)

// lineWriter carries chainfix's human messages to stderr (and check's text
// report to stdout) one line at a time. Each line is made safe for a
// terminal: certificate names and PEM labels come from outside, and an
// escape sequence in a subject must not reach the admin's terminal. With
// --log-format json every line becomes a JSON object instead, so stderr
// holds one format only; the level is read from the line's prefix
// ("chainfix: warning: ", "chainfix: error: ").
type lineWriter struct {
	w    io.Writer
	json bool
	buf  []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := string(l.buf[:i])
		l.buf = l.buf[i+1:]
		if err := l.emit(line); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

func (l *lineWriter) emit(line string) error {
	if !l.json {
		_, err := io.WriteString(l.w, termSafe(line)+"\n")
		return err
	}
	msg := strings.TrimPrefix(line, "chainfix: ")
	level := "info"
	for _, lv := range []string{"warning", "error"} {
		if strings.HasPrefix(msg, lv+": ") {
			level, msg = lv, strings.TrimPrefix(msg, lv+": ")
		}
	}
	return json.NewEncoder(l.w).Encode(struct {
		Level string `json:"level"`
		Msg   string `json:"msg"`
	}{level, strings.TrimSpace(msg)})
}

// termSafe replaces control characters (ESC, BEL, CR...) but tab with '?'.
func termSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && (unicode.IsControl(r) || r == unicode.ReplacementChar) {
			return '?'
		}
		return r
	}, s)
}
