package repair

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"chainfix/bundle"
	"chainfix/fetch"
	"chainfix/internal/source"
	"chainfix/internal/target"
	"chainfix/pfx"
)

// CheckRequest is one check: a chain request and what to judge it by. The
// CLI's check (one chain or a bulk run) and the web page's /api/check run
// exactly these steps.
type CheckRequest struct {
	Request
	// Options: names, expiry warning.
	Options DiagnoseOptions
	// Key, when given, must belong to the leaf (key-mismatch).
	Key *source.Input
	// Target, when given, judges the files as given by its rules.
	Target *target.Target
}

// Checked is the result of a check that ran.
type Checked struct {
	Outcome  *Outcome
	Findings []bundle.Finding
	// Names are the names the leaf was checked against: the requested
	// names, or the server name with Host.
	Names []string
}

// Check runs the request with Diagnose (and, for a host, the TLS version
// probe) and gathers every finding: the chain's, a PFX without a key, the
// key's, the target's. An error means the check could not run at all: an
// *EndpointError when the server cannot be reached, otherwise the input
// or the key could not be read.
func (r *Runner) Check(ctx context.Context, req CheckRequest) (*Checked, error) {
	req.Diagnose = true
	req.ProbeTLS = req.ProbeTLS || req.Host != ""
	out, err := r.Run(ctx, req.Request)
	if err != nil {
		return nil, err
	}
	fs := Diagnose(out, req.Options)
	fs = append(fs, PFXFindings(out)...)
	if req.Key != nil {
		kfs, err := KeyFindings(ctx, out, req.Key, req.Password)
		if err != nil {
			return nil, err
		}
		fs = append(fs, kfs...)
	}
	if req.Target != nil {
		fs = append(fs, TargetFindings(ctx, req.Target, out, req.Key, req.Password)...)
	}
	return &Checked{Outcome: out, Findings: Tidy(fs), Names: checkedNames(req.Options, out)}, nil
}

// CheckName validates a name given to check (--name): a DNS name or an
// IP address.
func CheckName(n string) (string, error) {
	n = strings.TrimSpace(n)
	if n == "" || strings.ContainsAny(n, " /:@") && net.ParseIP(strings.Trim(n, "[]")) == nil {
		return "", fmt.Errorf("%q: want a DNS name or an IP address", n)
	}
	return n, nil
}

// checkedNames are the names the leaf was checked against.
func checkedNames(o DiagnoseOptions, out *Outcome) []string {
	if len(o.Names) > 0 || out.Served == nil {
		return o.Names
	}
	if out.Served.ServerName != "" {
		return []string{out.Served.ServerName}
	}
	if h, _, err := fetch.SplitHostPort(out.Request.Host); err == nil && h != "" {
		return []string{strings.Trim(h, "[]")}
	}
	return nil
}

// TargetInput is the built chain of out as a target sees it, the root
// included on request (build --for, the web page's downloads).
func TargetInput(out *Outcome, includeRoot bool) target.Input {
	in := target.Input{
		Leaf:          out.Result.Leaf,
		IncludeRoot:   includeRoot,
		At:            out.Request.At,
		Intermediates: out.Chain(false, true),
	}
	in.Root = out.Result.Root()
	return in
}

// TargetFindings checks an existing file set (check --for): the given
// certificates in the order given, the key as given, a PFX among the
// inputs. The target's rules become check findings "target-RULE".
func TargetFindings(ctx context.Context, t *target.Target, out *Outcome, keyFile *source.Input, password pfx.PasswordFunc) []bundle.Finding {
	in := target.Input{At: out.Request.At}
	if out.Result != nil {
		in.Leaf = out.Result.Leaf
	} else if len(out.Input) > 0 {
		in.Leaf = out.Input[0]
	}
	for _, c := range out.Input {
		switch {
		case in.Leaf != nil && c.Equal(in.Leaf):
		case bundle.IsRoot(c):
			in.Root = c
		case c.IsCA:
			in.Intermediates = append(in.Intermediates, c)
		}
	}
	for _, i := range out.Request.Inputs {
		if pfx.IsPKCS12(i.Data) {
			in.PFX = i.Data
		}
	}
	if keyFile != nil {
		if _, err := pfx.ParseKey(keyFile.Data, nil); errors.Is(err, pfx.ErrPasswordRequired) {
			in.KeyEncrypted = true
		}
		if key, err := ChooseKey(ctx, keyFile, nil, nil, password); err == nil {
			in.Key = key
		}
	} else if len(out.Keys) > 0 && in.Leaf != nil {
		if key, err := ChooseKey(ctx, nil, out.Keys, in.Leaf, password); err == nil {
			in.Key = key
		}
	}
	var fs []bundle.Finding
	for _, f := range t.Check(in) {
		sev := bundle.SeverityWarning
		if f.Severity == target.Error {
			sev = bundle.SeverityError
		}
		fs = append(fs, bundle.Finding{ID: "target-" + f.Rule, Severity: sev,
			Message: fmt.Sprintf("%s: %s", t.Title, f.Message), Fix: "see " + f.Source})
	}
	return fs
}
