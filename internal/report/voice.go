package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/sirupsen/logrus"
)

// MaxLineLength caps one line on stderr or in the text report: a 20,000
// leaf input once produced a 1.8 MB line. Longer lines are cut, saying how
// much was left out.
const MaxLineLength = 4096

// Voice carries chainfix's messages one line at a time: "chainfix: error:
// ...", "chainfix: warning: ...", "chainfix: ..." (notes, the summary).
// With JSON set every line becomes a JSON object {"level","msg"} instead,
// so stderr holds one format only. Safe for concurrent use.
type Voice struct {
	w    io.Writer
	json bool
	// Quiet drops notes and warnings; errors are always written.
	Quiet bool

	mu  sync.Mutex
	buf []byte
}

// NewVoice writes to w.
func NewVoice(w io.Writer) *Voice { return &Voice{w: w} }

// SetJSON switches to one JSON object per line.
func (v *Voice) SetJSON(on bool) { v.json = on }

// Errorf writes "chainfix: error: ..." on one line.
func (v *Voice) Errorf(format string, args ...any) {
	fmt.Fprintf(v, "chainfix: error: %s\n", OneLine(fmt.Sprintf(format, args...)))
}

// Warnf writes "chainfix: warning: ..." unless Quiet.
func (v *Voice) Warnf(format string, args ...any) {
	if !v.Quiet {
		fmt.Fprintf(v, "chainfix: warning: %s\n", OneLine(fmt.Sprintf(format, args...)))
	}
}

// Notef writes "chainfix: ..." unless Quiet.
func (v *Voice) Notef(format string, args ...any) {
	if !v.Quiet {
		fmt.Fprintf(v, "chainfix: %s\n", OneLine(fmt.Sprintf(format, args...)))
	}
}

// Write takes text and emits it line by line (a partial last line waits
// for its end).
func (v *Voice) Write(p []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.buf = append(v.buf, p...)
	for {
		i := bytes.IndexByte(v.buf, '\n')
		if i < 0 {
			break
		}
		line := string(v.buf[:i])
		v.buf = v.buf[i+1:]
		if err := v.emit(line); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

func (v *Voice) emit(line string) error {
	line = capLine(line)
	if !v.json {
		_, err := io.WriteString(v.w, TermSafe(line)+"\n")
		return err
	}
	msg := strings.TrimPrefix(line, "chainfix: ")
	level := "info"
	for _, lv := range []string{"warning", "error", "info", "debug", "trace"} {
		if strings.HasPrefix(msg, lv+": ") {
			level, msg = lv, strings.TrimPrefix(msg, lv+": ")
		}
	}
	return json.NewEncoder(v.w).Encode(struct {
		Level string `json:"level"`
		Msg   string `json:"msg"`
	}{level, strings.TrimSpace(msg)})
}

// capLine cuts a line longer than MaxLineLength bytes at a rune boundary.
func capLine(s string) string {
	if len(s) <= MaxLineLength {
		return s
	}
	cut := MaxLineLength
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d more characters)", s[:cut], len(s)-cut)
}

// TermSafe replaces control characters (ESC, BEL, CR...) but tab with '?'.
func TermSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && (unicode.IsControl(r) || r == unicode.ReplacementChar) {
			return '?'
		}
		return r
	}, s)
}

// OneLine folds a multi-line message into one line, as every message on
// stderr is one line.
func OneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r", "")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// LogFormatter writes logrus entries in the same voice: "chainfix:
// warning: message key=value ...". Used with a logger whose output is the
// Voice (which adds the JSON form and the line cap).
type LogFormatter struct{}

// Format implements logrus.Formatter.
func (LogFormatter) Format(e *logrus.Entry) ([]byte, error) {
	var b strings.Builder
	level := e.Level.String()
	if e.Level == logrus.WarnLevel {
		level = "warning"
	}
	fmt.Fprintf(&b, "chainfix: %s: %s", level, OneLine(e.Message))
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, OneLine(fmt.Sprint(e.Data[k])))
	}
	b.WriteByte('\n')
	return []byte(b.String()), nil
}
