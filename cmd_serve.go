package main

import (
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"time"

	"github.com/urfave/cli/v2"

	"chainfix/bundle"
	"chainfix/internal/repair"
	"chainfix/internal/web"
)

// Flags of serve.
const (
	flagAddr = "addr"
	flagOpen = "open"
)

// defaultServeAddr is loopback with a free port: the page is reachable
// from this machine only (issue 13).
const defaultServeAddr = "127.0.0.1:0"

func serveCommand(st *state) *cli.Command {
	flags := append([]cli.Flag{
		&cli.StringFlag{Name: flagAddr, Value: defaultServeAddr, Usage: "listen on `HOST:PORT` (port 0: a free one); an address other than loopback makes the page reachable from the network (it still needs the token)"},
		boolFlag(flagOpen, "open the page in the default browser"),
	}, serveChainFlags()...)
	return &cli.Command{
		Name:  "serve",
		Usage: "a web page on this machine that does what the commands do; keys never leave it",
		Description: `Starts a web server on loopback and prints the page's address, with its access
token, on stdout (one line). The page checks and repairs chains, writes bundles,
PFX files and --for file sets, and checks many hosts at once, with the same
engine as the commands; its HTTP API (README: "chainfix serve") mirrors them.
The trust and fetch flags apply to everything the page does. Ctrl-C stops it.

Examples:
   chainfix serve --open
   chainfix serve --addr 127.0.0.1:8443 --roots private-root.pem
   chainfix serve --offline --pool intermediates.pem`,
		Flags:  flags,
		Action: func(c *cli.Context) error { return st.runServe(c) },
	}
}

// serveChainFlags are the chain flags that apply to a whole server: the
// trust store, the pool, the fetch client, the time and the purpose. The
// flags about one chain (--host, --leaf-cn, passwords) are fields of each
// request instead.
func serveChainFlags() []cli.Flag {
	return withoutFlags(chainFlags(), flagHost, flagServerName, flagStartTLS, flagLeafCN, flagPasswordFile, flagPasswordEnv)
}

func (st *state) runServe(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("serve takes no FILE: give the files on the page")
	}
	addr := c.String(flagAddr)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usagef("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8443 (port 0: a free one)", addr)
	}
	s, err := st.parseChainSettings(c, nil)
	if err != nil {
		return err
	}
	// The validation time of each request: --at when given, else the
	// clock at that request (a server runs for days).
	now := time.Now
	if c.IsSet(flagAt) {
		at := s.req.At
		now = func() time.Time { return at }
	}
	e, err := st.loadEngine(c, s)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", addr, err)
	}
	defer ln.Close()
	shown := ln.Addr().(*net.TCPAddr)
	if !shown.IP.IsLoopback() {
		host, _, _ := net.SplitHostPort(addr)
		st.voice.Warnf("listening on %s: the page is reachable from the network, not only from this machine; it still needs the token",
			net.JoinHostPort(host, fmt.Sprint(shown.Port)))
	}
	if shown.IP.IsUnspecified() {
		// 0.0.0.0 is no address to browse to: show loopback (other
		// machines use this machine's address, with the same token).
		shown = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: shown.Port}
	}
	token, err := web.NewToken()
	if err != nil {
		return err
	}
	srv, err := web.New(web.Options{
		Addr:      ln.Addr().String(),
		Token:     token,
		NewRunner: func(maxFetches int) *repair.Runner { return e.runner(s, maxFetches, bundle.NewVerdicts()) },
		Request:   s.req,
		Now:       now,
		Offline:   s.offline,
		Timeout:   repair.DeadlineFor(max(s.fetch.Timeout, s.req.Dial.ConnectTimeout)) + 30*time.Second,
		Log:       st.log,
	})
	if err != nil {
		return err
	}
	url := web.URL(shown.String(), token)
	if _, err := fmt.Fprintln(st.stdout, url); err != nil {
		return err
	}
	st.voice.Notef("serving on %s (the address with its access token is on stdout); files, keys and passwords stay on this machine; Ctrl-C stops", shown)
	if c.Bool(flagOpen) {
		if err := openBrowser(url); err != nil {
			st.voice.Warnf("--open: %v; open the address yourself", err)
		}
	}
	return srv.Serve(st.ctx, ln)
}

// openBrowser opens url in the default browser without waiting for it.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case "darwin":
		cmd = exec.Command("open", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it; the browser lives on
	return nil
}
