package report

import (
	"fmt"
	"io"

	"chainfix/bundle"
	"chainfix/internal/repair"
)

// Summary tells the admin what the chain is and what chainfix did to the
// input: the path, what was reordered, dropped and added, and whether the
// root was written. It goes to stderr (w), never with the product.
func Summary(w io.Writer, out *repair.Outcome, includeRoot bool) {
	r := out.Result
	if r == nil {
		return
	}
	trust := "NOT trusted: no trusted root reached"
	if r.Trusted {
		trust = "trusted via " + bundle.Name(r.Path[len(r.Path)-1])
	}
	if out.TrustName != "" {
		roots := fmt.Sprintf("%d roots", out.Anchors.Len())
		if out.Anchors.Len() == 1 {
			roots = "1 root"
		}
		trust += fmt.Sprintf(" (trust store: %s, %s)", out.TrustName, roots)
	}
	fmt.Fprintf(w, "chainfix: chain for %s: %s, %s\n", bundle.Name(r.Leaf), CertCount(len(r.Path)), trust)
	if why := LeafReason(r); why != "" {
		fmt.Fprintf(w, "chainfix: leaf: %s\n", why)
	}
	for i, c := range r.Path {
		role := "intermediate"
		note := ""
		switch {
		case i == 0:
			role = "leaf"
		case i == len(r.Path)-1 && r.TopIsRoot:
			role = "root"
			if !includeRoot {
				note = " (left out; --include-root adds it)"
			}
		case i == len(r.Path)-1 && r.Trusted:
			note = " (trusted as given with --roots; kept in the bundle)"
		}
		fmt.Fprintf(w, "  %d %-12s %s, issued by %s, expires %s%s\n", i, role, bundle.Name(c), IssuerName(c), c.NotAfter.UTC().Format("2006-01-02"), note)
	}
	if n := len(out.Given) - len(out.Input); n > 0 && out.Served == nil {
		fmt.Fprintf(w, "chainfix: removed %d duplicate certificate(s)\n", n)
	}
	if !r.InputInOrder && out.Served == nil {
		fmt.Fprintf(w, "chainfix: reordered: the input was not in leaf -> intermediates -> root order\n")
	}
	for _, a := range r.Added {
		if a.Cert == r.Root() && !includeRoot {
			continue // the root from the trust store, not written
		}
		fmt.Fprintf(w, "chainfix: added %s (from %s)\n", bundle.Name(a.Cert), a.From)
	}
	for _, d := range r.Dropped {
		fmt.Fprintf(w, "chainfix: dropped %s: %s\n", bundle.Name(d.Cert), DropReason(d))
	}
	for _, rej := range r.Rejected {
		fmt.Fprintf(w, "chainfix: not chosen: %s: %s\n", PathString(rej.Path), RejectReason(rej))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "chainfix: warning: %s\n", NoteText(n))
	}
	if !r.Trusted {
		fmt.Fprintf(w, "chainfix: warning: the chain does not reach a trusted root (--allow-untrusted); clients that do not trust %s will refuse it\n", bundle.Name(r.Path[len(r.Path)-1]))
	}
}

// Served tells a build --host user what was wrong with what the server
// sent.
func Served(w io.Writer, out *repair.Outcome) {
	if out.Result == nil || out.Served == nil {
		return
	}
	fmt.Fprintf(w, "chainfix: the server sent %s:\n", CertCount(len(out.Served.Certificates)))
	for i, c := range out.Served.Certificates {
		fmt.Fprintf(w, "  %d %s, issued by %s\n", i, bundle.Name(c), IssuerName(c))
	}
	for _, f := range repair.Diagnose(out, repair.DiagnoseOptions{}) {
		if f.ID == bundle.IDOK {
			fmt.Fprintf(w, "chainfix: the served chain is correct\n")
			continue
		}
		label := "problem with the served chain"
		if f.Severity == bundle.SeverityInfo {
			label = "note"
		}
		fmt.Fprintf(w, "chainfix: %s: %s\n", label, f.Message)
	}
}
