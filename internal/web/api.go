package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/internal/explain"
	"chainfix/internal/repair"
	"chainfix/internal/report"
	"chainfix/internal/safefile"
	"chainfix/internal/source"
	"chainfix/internal/target"
	"chainfix/pem"
	"chainfix/pfx"
)

// The fields of each endpoint (besides `file` and `key` parts), named
// after the command's flags: host = --host, servername = --servername,
// name = --name (repeatable), warn_days = --warn-days, leaf_cn =
// --leaf-cn, for = --for (windows, alias, base_name: --windows, --alias,
// --base-name), and the output options.
var (
	checkFields = []string{"password", "host", "servername", "name", "warn_days", "strict", "leaf_cn", "for"}
	buildFields = []string{"password", "out_password", "host", "servername", "leaf_cn", "allow_untrusted", "include_root",
		"chain_only", "format", "armor", "crlf", "for", "windows", "alias", "base_name"}
	pfxFields = []string{"password", "in_password", "no_password", "host", "servername", "leaf_cn", "allow_untrusted",
		"include_root", "encryption", "for", "windows", "alias", "base_name"}
)

// apiFunc is an API handler: it writes its answer, or returns the error
// to answer with.
type apiFunc func(ctx context.Context, w http.ResponseWriter, r *http.Request) error

// api gives a handler its deadline and answers its error.
func (s *Server) api(h apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.Timeout)
		defer cancel()
		if err := h(ctx, w, r); err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				ae = failed(err).(*apiError)
			}
			writeError(w, ae.status, ae.exit, report.OneLine(ae.msg))
		}
	}
}

// writeJSON answers a JSON document, indented as the CLI prints it.
func writeJSON(w http.ResponseWriter, exit int, v any) error {
	var b bytes.Buffer
	if err := report.JSON(&b, v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if exit != noExit {
		w.Header().Set(ExitHeader, fmt.Sprint(exit))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeFile answers a product as a download.
func writeFile(w http.ResponseWriter, name, ctype string, data []byte) error {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set(ExitHeader, "0")
	_, err := w.Write(data)
	return err
}

// chainRequest is the engine's request for the form's chain: its files or
// its host (with servername as SNI), as the chain flags make it, and the
// name of the input for reports.
func (s *Server) chainRequest(f *form, password pfx.PasswordFunc) (repair.Request, string, error) {
	req := s.opts.Request
	req.At = s.opts.Now()
	req.Password = password
	req.LeafName = f.value("leaf_cn")
	host, sni := f.value("host"), f.value("servername")
	switch {
	case host != "" && len(f.files) > 0:
		return req, "", usagef("give file parts or host, not both")
	case host == "" && sni != "":
		return req, "", usagef("servername (the SNI to send) goes with host")
	case host != "" && s.opts.Offline:
		return req, "", usagef("host needs the network; chainfix serve runs with --offline")
	case host != "":
		req.Host = host
		req.Dial.ServerName = sni
		return req, host, nil
	case len(f.files) == 0:
		return req, "", usagef("no input: give file parts (certificates, a chain, a PFX) or host")
	}
	req.Inputs = f.files
	names := make([]string, len(f.files))
	for i, in := range f.files {
		names[i] = in.Name
	}
	return req, strings.Join(names, ", "), nil
}

// oneSite refuses files that hold leaves of different sites when no
// leaf_cn says which one is wanted, as build and check do (issue 9): the
// chain of the first site would be answered and the others silently left
// out.
func oneSite(f *form, out *repair.Outcome) error {
	if len(f.files) < 2 || f.value("leaf_cn") != "" || out == nil || out.Result == nil {
		return nil
	}
	others := out.OtherSites()
	if len(others) == 0 {
		return nil
	}
	return usagef("the %d files are read as pieces of ONE chain, but they hold leaf certificates of different sites (%s; %s); give leaf_cn to choose one, or send them one by one",
		len(f.files), bundle.Name(out.Result.Leaf), repair.Names(others))
}

// target resolves the `for` field, or nil when it is absent.
func (s *Server) target(f *form) (*target.Target, error) {
	name := f.value("for")
	if name == "" {
		for _, n := range []string{"windows", "alias", "base_name"} {
			if f.value(n) != "" {
				return nil, usagef("%s goes with for", n)
			}
		}
		return nil, nil
	}
	t, err := target.Lookup(name)
	if err != nil {
		return nil, usagef("for: %v", err)
	}
	return t, nil
}

// checked is a check's report and the outcome it came from.
type checked struct {
	rep  *report.Check
	out  *repair.Outcome
	exit int
}

// checkOptions reads `name` (repeatable) and `warn_days` as check reads
// --name and --warn-days.
func checkOptions(f *form) (repair.DiagnoseOptions, bool, error) {
	var o repair.DiagnoseOptions
	for _, n := range f.names {
		n, err := repair.CheckName(n)
		if err != nil {
			return o, false, usagef("name %v", err)
		}
		o.Names = append(o.Names, n)
	}
	if d := f.value("warn_days"); d != "" {
		days, err := strconv.Atoi(d)
		if err != nil || days < 0 {
			return o, false, usagef("warn_days %q: want 0 or more", d)
		}
		o.ExpiryWarning = time.Duration(days) * 24 * time.Hour
		if days == 0 {
			o.ExpiryWarning = time.Nanosecond // 0 means the default downstream
		}
	}
	strict, err := f.flag("strict")
	return o, strict, err
}

// check runs `chainfix check` on the form with the engine's Check, as the
// command does. A check that cannot run at all gives the report of a
// failed check, as check --json prints it: exit status 3 when the input
// cannot be read, 1 when the server cannot be reached. A mistake in the
// request is an error.
func (s *Server) check(ctx context.Context, f *form) (*checked, error) {
	t, err := s.target(f)
	if err != nil {
		return nil, err
	}
	dopts, strict, err := checkOptions(f)
	if err != nil {
		return nil, err
	}
	password := f.passwordFunc("password")
	req, name, err := s.chainRequest(f, password)
	if err != nil {
		return nil, err
	}
	res, err := s.opts.NewRunner(0).Check(ctx, repair.CheckRequest{Request: req, Options: dopts, Key: f.key, Target: t})
	if err == nil {
		if err := oneSite(f, res.Outcome); err != nil {
			return nil, err
		}
		rep := report.NewCheck(name, res.Outcome, res.Findings)
		rep.Names = res.Names
		if strict {
			rep.SetStrict()
		}
		exit := 0
		if !rep.OK {
			exit = 1
		}
		return &checked{rep: rep, out: res.Outcome, exit: exit}, nil
	}
	if errors.Is(err, context.Canceled) {
		return nil, err
	}
	exit := 3
	var ee *repair.EndpointError
	if errors.As(err, &ee) {
		exit = 1
	}
	return &checked{rep: report.FailedCheck(name, err), exit: exit}, nil
}

// handleCheck is POST /api/check: check --json.
func (s *Server) handleCheck(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r, append(checkFields, "file", "key")...)
	if err != nil {
		return err
	}
	defer f.wipe()
	c, err := s.check(ctx, f)
	if err != nil {
		return err
	}
	return writeJSON(w, c.exit, c.rep)
}

// Diagnosis is the page's answer (POST /api/diagnose): the check report,
// the summary build gives of what it did to the chain (the lines the CLI
// writes on stderr, without "chainfix: " and without the list of
// certificates, which the report has), and the validation time.
type Diagnosis struct {
	Check   *report.Check `json:"check"`
	Summary []string      `json:"summary"`
	At      time.Time     `json:"at"`
	Exit    int           `json:"exit"`
	// Details has what inspect shows of every certificate given or on
	// the chain, by SHA-256.
	Details map[string]report.CertDetail `json:"details"`
}

// handleDiagnose is POST /api/diagnose.
func (s *Server) handleDiagnose(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r, append(checkFields, "file", "key")...)
	if err != nil {
		return err
	}
	defer f.wipe()
	c, err := s.check(ctx, f)
	if err != nil {
		return err
	}
	d := Diagnosis{Check: c.rep, Summary: []string{}, Exit: c.exit, At: s.opts.Now().UTC(), Details: map[string]report.CertDetail{}}
	if c.out != nil {
		d.At = c.out.Request.At.UTC()
		certs := c.out.Given
		if c.out.Result != nil {
			certs = append(slices.Clone(certs), c.out.Result.Path...)
		}
		for _, cert := range certs {
			cd := report.NewCertDetail(cert, c.out.Request.At)
			d.Details[cd.SHA256] = cd
		}
		var b bytes.Buffer
		report.Served(&b, c.out)
		report.Summary(&b, c.out, false)
		for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			// The indented lines list the certificates, which the page
			// draws from the check report.
			if strings.HasPrefix(line, "chainfix: ") {
				d.Summary = append(d.Summary, report.TermSafe(strings.TrimPrefix(line, "chainfix: ")))
			}
		}
	}
	return writeJSON(w, c.exit, d)
}

// buildSpec is build's output options.
type buildSpec struct {
	format                        string
	armor, crlf                   bool
	includeRoot, chainOnly, allow bool
}

// parseBuildSpec reads build's output options as parseBuildOutput reads
// the flags.
func parseBuildSpec(f *form) (buildSpec, error) {
	sp := buildSpec{format: f.value("format")}
	if sp.format == "" {
		sp.format = "pem"
	}
	var err error
	for _, b := range []struct {
		name string
		to   *bool
	}{{"armor", &sp.armor}, {"crlf", &sp.crlf}, {"include_root", &sp.includeRoot}, {"chain_only", &sp.chainOnly}, {"allow_untrusted", &sp.allow}} {
		if *b.to, err = f.flag(b.name); err != nil {
			return sp, err
		}
	}
	switch sp.format {
	case "pem", "der", "p7b":
	default:
		return sp, usagef("format %q: want pem, der or p7b", sp.format)
	}
	if sp.armor && sp.format != "p7b" {
		return sp, usagef("armor goes with format p7b")
	}
	if sp.crlf && (sp.format == "der" || sp.format == "p7b" && !sp.armor) {
		return sp, usagef("crlf goes with PEM output (format pem, or p7b with armor)")
	}
	return sp, nil
}

// handleBuild is POST /api/build: the bundle chainfix build writes, or
// with `for` the target's file set as a zip.
func (s *Server) handleBuild(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r, append(buildFields, "file", "key")...)
	if err != nil {
		return err
	}
	defer f.wipe()
	sp, err := parseBuildSpec(f)
	if err != nil {
		return err
	}
	t, err := s.target(f)
	if err != nil {
		return err
	}
	if t == nil && f.key != nil {
		return usagef("key goes with for (a bundle holds no key; use /api/pfx for a PFX)")
	}
	if t == nil && f.has("out_password") {
		return usagef("out_password goes with for")
	}
	if t != nil && (f.has("format") || f.has("chain_only")) {
		return usagef("for %s decides the files and their format; leave out format and chain_only", t.Name)
	}
	password := f.passwordFunc("password")
	req, _, err := s.chainRequest(f, password)
	if err != nil {
		return err
	}
	req.AllowUntrusted = sp.allow
	out, err := s.opts.NewRunner(0).Run(ctx, req)
	if err != nil {
		return failed(report.BuildError(err, s.opts.Offline))
	}
	if err := oneSite(f, out); err != nil {
		return err
	}
	if t != nil {
		in := repair.TargetInput(out, sp.includeRoot)
		if f.key != nil || len(out.Keys) > 0 {
			key, err := out.Key(ctx, f.key, password)
			if err != nil {
				return failed(err)
			}
			in.Key = key
		}
		in.Password = f.secret("out_password")
		return s.writeTarget(w, t, in, f)
	}
	certs := out.Chain(sp.includeRoot, sp.chainOnly)
	if len(certs) == 0 {
		return failed(errors.New("chain_only: the chain has no intermediate (the leaf is issued by the root directly); nothing to write"))
	}
	if sp.format == "der" && len(certs) > 1 {
		return usagef("format der holds one certificate and the result has %d; use format pem or p7b", len(certs))
	}
	data, err := encodeChain(certs, sp)
	if err != nil {
		return failed(err)
	}
	name, ctype := slug(out.Result.Leaf), "application/x-pem-file"
	switch {
	case sp.chainOnly:
		name += "-chain"
	default:
		name += "-fullchain"
	}
	switch {
	case sp.format == "der":
		name, ctype = name+".cer", "application/pkix-cert"
	case sp.format == "p7b" && !sp.armor:
		name, ctype = name+".p7b", "application/x-pkcs7-certificates"
	case sp.format == "p7b":
		name += ".p7b"
	default:
		name += ".pem"
	}
	return writeFile(w, name, ctype, data)
}

// encodeChain encodes certs as build's --format, --armor and --crlf say.
func encodeChain(certs []*x509.Certificate, sp buildSpec) ([]byte, error) {
	eo := pem.EncodeOptions{CRLF: sp.crlf}
	switch sp.format {
	case "der":
		return certs[0].Raw, nil
	case "p7b":
		der, err := pem.EncodePKCS7(certs)
		if err != nil || !sp.armor {
			return der, err
		}
		return pem.Armor("PKCS7", der, eo), nil
	}
	return pem.Encode(certs, eo), nil
}

// handlePFX is POST /api/pfx: the PFX chainfix pfx writes (key, leaf,
// intermediates; the root with include_root), or with `for` the target's
// file set as a zip. password is the new PFX's; the inputs' defaults to
// it, as with the command.
func (s *Server) handlePFX(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r, append(pfxFields, "file", "key")...)
	if err != nil {
		return err
	}
	defer f.wipe()
	encName := f.value("encryption")
	if encName == "" {
		encName = "modern"
	}
	enc, err := pfx.ParseEncryption(encName)
	if err != nil {
		return usagef("encryption: %v", err)
	}
	noPassword, err := f.flag("no_password")
	if err != nil {
		return err
	}
	includeRoot, err := f.flag("include_root")
	if err != nil {
		return err
	}
	allow, err := f.flag("allow_untrusted")
	if err != nil {
		return err
	}
	password := f.secret("password")
	switch {
	case len(password) == 0 && !noPassword:
		return usagef("give the new PFX's password (password), or no_password=1 for an empty one")
	case len(password) > 0 && noPassword:
		return usagef("no_password contradicts password")
	}
	t, err := s.target(f)
	if err != nil {
		return err
	}
	inPassword := f.passwordFunc("in_password")
	sameAsNew := inPassword == nil && len(password) > 0
	if sameAsNew {
		inPassword = f.passwordFunc("password")
	}
	req, _, err := s.chainRequest(f, inPassword)
	if err != nil {
		return err
	}
	req.AllowUntrusted = allow
	out, err := s.opts.NewRunner(0).Run(ctx, req)
	if err != nil {
		return failed(inPasswordHint(report.BuildError(err, s.opts.Offline), sameAsNew))
	}
	leaf := out.Result.Leaf
	key, err := out.Key(ctx, f.key, inPassword)
	if err != nil {
		return failed(inPasswordHint(err, sameAsNew))
	}
	if !pfx.MatchKey(key.Public(), leaf) {
		return failed(report.KeyMismatch(key.Public(), leaf))
	}
	if t != nil {
		in := repair.TargetInput(out, includeRoot)
		in.Key, in.Password, in.Encryption = key, password, enc
		return s.writeTarget(w, t, in, f)
	}
	chain := out.Chain(includeRoot, false)[1:]
	data, err := pfx.Encode(key, leaf, chain, string(password), enc)
	if err != nil {
		return failed(fmt.Errorf("writing the PFX: %w", err))
	}
	return writeFile(w, slug(leaf)+".pfx", "application/x-pkcs12", data)
}

// inPasswordHint says, when an input refused the new PFX's password (the
// default for inputs), how to give the inputs' own password.
func inPasswordHint(err error, triedNewPassword bool) error {
	if triedNewPassword && errors.Is(err, pfx.ErrIncorrectPassword) {
		return fmt.Errorf("%w; the inputs were tried with the new PFX's password: give theirs in in_password", err)
	}
	return err
}

// writeTarget builds a --for target's file set and answers it as a zip;
// nothing when a rule fails (the rules' messages, as the CLI gives them).
func (s *Server) writeTarget(w http.ResponseWriter, t *target.Target, in target.Input, f *form) error {
	in.Windows, in.Alias, in.Name = f.value("windows"), f.value("alias"), f.value("base_name")
	files, findings, err := t.Build(in)
	if err != nil {
		var msgs []string
		for _, fd := range findings {
			if fd.Severity == target.Error {
				msgs = append(msgs, fmt.Sprintf("%s: %s (%s)", fd.Rule, fd.Message, fd.Source))
			}
		}
		if len(msgs) > 0 {
			return failed(fmt.Errorf("%s would reject this: %s; nothing written", t.Title, strings.Join(msgs, "; ")))
		}
		return failed(fmt.Errorf("for %s: %w", t.Name, err))
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, file := range files {
		hdr := &zip.FileHeader{Name: file.Name, Method: zip.Deflate, Modified: in.At.UTC(), Comment: file.Field}
		if file.Secret {
			hdr.SetMode(0o600)
		} else {
			hdr.SetMode(0o644)
		}
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(file.Data); err != nil {
			return err
		}
	}
	var notes []string
	for _, fd := range findings {
		if fd.Severity == target.Warning {
			notes = append(notes, fmt.Sprintf("warning: %s: %s (%s)", fd.Rule, fd.Message, fd.Source))
		}
	}
	if err := zw.SetComment(strings.Join(notes, "\n")); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	base := slug(in.Leaf)
	if in.Name != "" {
		base = safefile.SafeName(in.Name)
	}
	return writeFile(w, base+"-"+t.Name+".zip", "application/zip", b.Bytes())
}

// slug is a download's base name from a certificate's CN (or first DNS
// name), safe on every platform.
func slug(c *x509.Certificate) string {
	n := c.Subject.CommonName
	if n == "" && len(c.DNSNames) > 0 {
		n = c.DNSNames[0]
	}
	return safefile.SafeName(n)
}

// handleInspect is POST /api/inspect: inspect --json, for the files
// (`file` parts, `password` for a PFX or an encrypted key) or the chain a
// server sends (`host`, `servername`). Exit status 3 when the input cannot
// be read, 1 when the server cannot be reached, as the command.
func (s *Server) handleInspect(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r, "file", "password", "host", "servername")
	if err != nil {
		return err
	}
	defer f.wipe()
	host, sni := f.value("host"), f.value("servername")
	switch {
	case host != "" && len(f.files) > 0:
		return usagef("give file parts or host, not both")
	case host == "" && sni != "":
		return usagef("servername (the SNI to send) goes with host")
	case host != "" && s.opts.Offline:
		return usagef("host needs the network; chainfix serve runs with --offline")
	case host == "" && len(f.files) == 0:
		return usagef("no input: give file parts (certificates, a chain, a PFX) or host")
	}
	at := s.opts.Now()
	rep := &report.Inspect{At: at.UTC(), Certificates: []report.CertDetail{}}
	if host != "" {
		dial := s.opts.Request.Dial
		dial.ServerName = sni
		served, err := fetch.Endpoint(ctx, host, dial)
		if err != nil {
			return failed(err)
		}
		rep.Target = host
		rep.AddServed(served, at)
		return writeJSON(w, 0, rep)
	}
	names := make([]string, len(f.files))
	for i, in := range f.files {
		names[i] = in.Name
	}
	rep.Target = strings.Join(names, ", ")
	password := f.passwordFunc("password")
	set, err := source.Decode(ctx, f.files, source.Options{Password: password, Log: s.log})
	if err != nil {
		return &apiError{status: http.StatusUnprocessableEntity, exit: 3, msg: err.Error()}
	}
	rep.AddDecoded(ctx, set, password, at)
	return writeJSON(w, 0, rep)
}

// handleExplain is POST /api/explain: explain --json for the error text
// in `text`; exit status 1 when no known client error is in it.
func (s *Server) handleExplain(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r, "text")
	if err != nil {
		return err
	}
	text := f.value("text")
	if text == "" {
		return usagef(`explain needs the error text in the field text, e.g. "SSL Error 61"`)
	}
	e := &report.Explained{Text: text, Matches: explain.Match(text), Confirm: report.ConfirmCommand}
	exit := 0
	if len(e.Matches) == 0 {
		e.Matches = []explain.Mapping{}
		exit = 1
	}
	return writeJSON(w, exit, e)
}

// jsonString is s as a JSON string, for server-sent events.
func jsonString(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
