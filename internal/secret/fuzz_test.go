package secret

import (
	"bytes"
	"testing"
)

func FuzzFirstLine(f *testing.F) {
	for _, s := range []string{"", "\n", "\r\n", "\r", "pw", "pw\n", "pw\r\n", "pw\r", "pw\nsecond\n", "\npw", "p\x00w\n", "pässwörd\r\nx"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		line := firstLine(data)
		if !bytes.HasPrefix(data, line) {
			t.Fatalf("firstLine(%q) = %q, not a prefix", data, line)
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("firstLine(%q) = %q holds a line end", data, line)
		}
		if len(line) < len(data) && data[len(line)] != '\r' && data[len(line)] != '\n' {
			t.Fatalf("firstLine(%q) = %q stops before a byte that is not a line end", data, line)
		}
	})
}
