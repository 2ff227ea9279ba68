package web

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// BenchmarkPageLoad: the page and every file it loads, over loopback, as a
// browser with the cookie asks for them (issue 13: under 100 ms).
func BenchmarkPageLoad(b *testing.B) {
	ts := newTestServer(b, false)
	client := &http.Client{}
	paths := []string{"/", "/static/app.css", "/static/app.js", "/static/icon.svg"}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			req, _ := http.NewRequest("GET", ts.url+p, nil)
			req.AddCookie(&http.Cookie{Name: CookieName, Value: testToken})
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("%s: %d", p, resp.StatusCode)
			}
		}
	}
}

// BenchmarkDiagnose: the page's diagnosis of the jumbled bundle (upload,
// decode, build, diagnose, summary, JSON), over loopback (issue 13: under
// 50 ms of server time).
func BenchmarkDiagnose(b *testing.B) {
	benchmarkAPI(b, "/api/diagnose")
}

// BenchmarkBuild: the repaired bundle of the jumbled bundle, over loopback.
func BenchmarkBuild(b *testing.B) {
	benchmarkAPI(b, "/api/build")
}

func benchmarkAPI(b *testing.B, path string) {
	ts := newTestServer(b, false)
	client := &http.Client{}
	body, ct := multipartBody(b, file("jumbled.pem", fixture(b, "jumbled.pem")))
	data := body.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("POST", ts.url+path, bytes.NewReader(data))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%d", resp.StatusCode)
		}
	}
}
