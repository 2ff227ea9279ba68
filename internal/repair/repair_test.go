package repair

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"chainfix/internal/trust"
)

// TestRunDeadlineInWords: a run that runs out of time says so in words,
// naming the limit, and still wraps context.DeadlineExceeded.
func TestRunDeadlineInWords(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and say nothing: the TLS handshake waits
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	r := New(Config{Trust: &trust.Store{}, Deadline: 200 * time.Millisecond})
	_, err = r.Run(context.Background(), Request{Host: ln.Addr().String(), At: time.Now()})
	if err == nil {
		t.Fatal("a silent server did not time out")
	}
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "context deadline exceeded") && !strings.Contains(err.Error(), "gave up after") {
		t.Errorf("deadline error not in words: %v", err)
	}
}

// TestRunNeedsTime: Run never reads the clock.
func TestRunNeedsTime(t *testing.T) {
	r := New(Config{Trust: &trust.Store{}})
	if _, err := r.Run(context.Background(), Request{}); err == nil {
		t.Error("a request without At ran")
	}
}
