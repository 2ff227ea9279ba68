package bulk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"chainfix/internal/repair"
)

type result struct {
	i  int
	ok bool
}

func (r result) OK() bool { return r.ok }

func numbered(n int) []Job {
	jobs := make([]Job, n)
	for i := range jobs {
		jobs[i] = Job{Name: fmt.Sprint(i), File: fmt.Sprint(i)}
	}
	return jobs
}

// TestRunInputOrder: results come out in input order whatever the order
// the jobs end in, and the failures are counted.
func TestRunInputOrder(t *testing.T) {
	jobs := numbered(50)
	var emitted []string
	var progress []int
	stats := Run(context.Background(), jobs, Options{Jobs: 8, Progress: func(done, failed int) { progress = append(progress, done) }},
		func(_ context.Context, j Job) result {
			var i int
			fmt.Sscan(j.Name, &i)
			time.Sleep(time.Duration((50-i)%7) * time.Millisecond) // later jobs often end first
			return result{i: i, ok: i%10 != 3}
		},
		func(j Job, r result) { emitted = append(emitted, j.Name) })
	for i, name := range emitted {
		if name != fmt.Sprint(i) {
			t.Fatalf("emitted %v, want input order", emitted)
		}
	}
	if len(emitted) != 50 || stats != (Stats{Total: 50, Started: 50, Done: 50, Failed: 5}) || stats.Interrupted() {
		t.Errorf("emitted %d, stats %+v", len(emitted), stats)
	}
	if len(progress) != 50 || progress[49] != 50 {
		t.Errorf("progress calls: %v", progress)
	}
}

// TestRunWindow: a slow first job does not let the pool run ahead by more
// than MaxPending results.
func TestRunWindow(t *testing.T) {
	jobs := numbered(100)
	release := make(chan struct{})
	var started atomic.Int64
	done := make(chan Stats)
	go func() {
		done <- Run(context.Background(), jobs, Options{Jobs: 4, MaxPending: 10},
			func(_ context.Context, j Job) result {
				started.Add(1)
				if j.Name == "0" {
					<-release
				}
				return result{ok: true}
			},
			func(Job, result) {})
	}()
	for deadline := time.Now().Add(5 * time.Second); started.Load() < 10 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // room to run ahead, if it could
	if n := started.Load(); n != 10 {
		t.Errorf("%d jobs started while the first is stuck, want 10 (MaxPending)", n)
	}
	close(release)
	if s := <-done; s.Done != 100 {
		t.Errorf("stats %+v", s)
	}
}

// TestRunCancel: once the context is cancelled no job starts; the running
// ones finish with a live context and are emitted, in order.
func TestRunCancel(t *testing.T) {
	jobs := numbered(100)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var emitted []string
	stats := Run(ctx, jobs, Options{Jobs: 3},
		func(wctx context.Context, j Job) result {
			if j.Name == "10" {
				cancel()
			}
			time.Sleep(20 * time.Millisecond)
			if wctx.Err() != nil {
				t.Errorf("job %s: its context was cancelled", j.Name)
			}
			return result{ok: true}
		},
		func(j Job, _ result) {
			mu.Lock()
			emitted = append(emitted, j.Name)
			mu.Unlock()
		})
	if !stats.Interrupted() || stats.Started < 11 || stats.Started > 14 || stats.Done != stats.Started || stats.NotStarted() != 100-stats.Started {
		t.Errorf("stats %+v", stats)
	}
	if len(emitted) != stats.Started {
		t.Errorf("%d emitted, %d started", len(emitted), stats.Started)
	}
	for i, name := range emitted {
		if name != fmt.Sprint(i) {
			t.Errorf("emitted %v: not the input order", emitted)
			break
		}
	}
}

// TestRunPerEndpoint: at most MaxPerEndpoint jobs at once on one endpoint,
// whatever the spelling of the host; other endpoints are not held up.
func TestRunPerEndpoint(t *testing.T) {
	var jobs []Job
	for i := range 12 {
		h := "Example.test"
		if i%2 == 0 {
			h = "example.test:443"
		}
		jobs = append(jobs, Job{Name: h, Host: h})
	}
	jobs = append(jobs, Hosts([]string{"other.test", "other.test:8443"})...)
	var mu sync.Mutex
	running, peak := map[string]int{}, map[string]int{}
	Run(context.Background(), jobs, Options{Jobs: 10, MaxPerEndpoint: 2},
		func(_ context.Context, j Job) result {
			mu.Lock()
			running[j.Endpoint()]++
			peak[j.Endpoint()] = max(peak[j.Endpoint()], running[j.Endpoint()])
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
			mu.Lock()
			running[j.Endpoint()]--
			mu.Unlock()
			return result{ok: true}
		}, func(Job, result) {})
	if peak["example.test:443"] != 2 || len(peak) != 3 {
		t.Errorf("peaks %v, want 2 for example.test:443 and three endpoints", peak)
	}
}

func TestParseHosts(t *testing.T) {
	in := "\uFEFF# estate\n\nexample.com\n  mail.example.com:465   # smtps\n192.0.2.7:8443 name=www.example.com\n[2001:db8::1]:443\tname=v6.example.com # lab\nodd#name.example\n"
	jobs, err := ParseHosts(strings.NewReader(in), "hosts.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Job{
		{Name: "example.com", Host: "example.com"},
		{Name: "mail.example.com:465", Host: "mail.example.com:465"},
		{Name: "192.0.2.7:8443", Host: "192.0.2.7:8443", ServerName: "www.example.com"},
		{Name: "[2001:db8::1]:443", Host: "[2001:db8::1]:443", ServerName: "v6.example.com"},
		{Name: "odd#name.example", Host: "odd#name.example"},
	}
	if !reflect.DeepEqual(jobs, want) {
		t.Errorf("got %+v\nwant %+v", jobs, want)
	}
	for _, bad := range []string{"example.com sni=x\n", "example.com name=\n", "a b\n", strings.Repeat("a", MaxHostsLine+1) + "\n"} {
		if _, err := ParseHosts(strings.NewReader("ok.example\n"+bad), "h"); err == nil || !strings.HasPrefix(err.Error(), "h") {
			t.Errorf("%.40q: error %v", bad, err)
		} else if !strings.Contains(bad, "aaaa") && !strings.HasPrefix(err.Error(), "h:2:") {
			t.Errorf("%q: error %q does not name line 2", bad, err)
		}
	}
}

func TestOutputNames(t *testing.T) {
	jobs := append(Files([]string{"a/www.example.com.crt", "b/www.example.com.pem", "c/WWW.example.com.cer", "d/www.example.com-2.pem", "*.example.com.pem", "notes", "con.pem", ".pem"}),
		Hosts([]string{"mail.example.com:465", "[2001:db8::1]:443", "www.example.com"})...)
	OutputNames(jobs, ".pem")
	var got []string
	for _, j := range jobs {
		got = append(got, j.Out)
	}
	want := []string{"www.example.com.pem", "www.example.com-2.pem", "WWW.example.com-3.pem", "www.example.com-2-2.pem",
		"wildcard.example.com.pem", "notes.pem", "_con.pem", "pem.pem", "mail.example.com-465.pem", "2001-db8-1-443.pem", "www.example.com-4.pem"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b/site.pem":      "text\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		"a/chain.p7b":     "-----BEGIN PKCS7-----\nMIIB\n-----END PKCS7-----\n",
		"a/key.pem":       "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
		"a/readme.txt":    "hello\n",
		"a/empty.crt":     "",
		".git/x.pem":      "-----BEGIN CERTIFICATE-----\n",
		"a/.x.pem.tmp-12": "-----BEGIN CERTIFICATE-----\n",
		"c/d/deep.crt":    "-----BEGIN CERTIFICATE-----\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	jobs, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range jobs {
		rel, _ := filepath.Rel(dir, j.File)
		got = append(got, filepath.ToSlash(rel))
	}
	if want := []string{"a/chain.p7b", "b/site.pem", "c/d/deep.crt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := Dir(filepath.Join(dir, "nosuch")); err == nil {
		t.Error("a missing directory is not an error")
	}
}

func TestRequest(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.pem")
	os.WriteFile(p, []byte("data"), 0o644)
	req, err := Job{Name: p, File: p}.Request(reqTemplate())
	if err != nil || len(req.Inputs) != 1 || string(req.Inputs[0].Data) != "data" || req.Host != "" {
		t.Errorf("file job: %+v, %v", req, err)
	}
	req, err = Job{Name: "h", Host: "h:1", ServerName: "sni.test"}.Request(reqTemplate())
	if err != nil || req.Host != "h:1" || req.Dial.ServerName != "sni.test" || req.Inputs != nil {
		t.Errorf("host job: %+v, %v", req, err)
	}
	boom := errors.New("unreadable")
	if _, err := (Job{Name: "x", File: "x", Err: boom}).Request(reqTemplate()); !errors.Is(err, boom) {
		t.Errorf("listing error lost: %v", err)
	}
	if _, err := (Job{Name: "nosuch", File: filepath.Join(dir, "nosuch")}).Request(reqTemplate()); err == nil {
		t.Error("missing file read")
	}
}

func reqTemplate() repair.Request {
	return repair.Request{At: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
}
