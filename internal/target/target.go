package target

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"chainfix/pfx"
)

// Input is a chain, its key and the choices a target needs.
type Input struct {
	Leaf *x509.Certificate
	// Intermediates are the CA certificates between the leaf and the root,
	// the leaf's issuer first, the root excluded.
	Intermediates []*x509.Certificate
	// Root is the self-signed root of the chain, or nil. Build writes it
	// only where the target wants it (see Target.Root); Check counts it as
	// part of the file set.
	Root *x509.Certificate
	// IncludeRoot asks Build for the root where the target leaves that to
	// the user (RootOnRequest); targets that forbid the root leave it out
	// with a warning.
	IncludeRoot bool
	// Key is the private key of the leaf; nil when none was given.
	Key crypto.Signer
	// KeyEncrypted tells Check that the key file of the set is encrypted.
	// Build ignores it: the target decides how it writes the key.
	KeyEncrypted bool
	// PFX is the PKCS#12 file of a set being checked, so that Check can
	// judge its encryption; nil otherwise.
	PFX []byte
	// Password protects PFX output and encrypted keys; nil when none.
	Password []byte
	// Encryption of PFX output where the target leaves the choice to the
	// user (java, iis on Windows Server 2019 and later). The zero value is
	// pfx.Modern.
	Encryption pfx.Encryption
	// At is the time validity is judged at. The zero time skips the
	// validity rules; library code never reads the clock.
	At time.Time
	// Windows is the Windows Server release for iis: "2016" (or older)
	// selects 3DES; "" or "2019" and later the Encryption given.
	Windows string
	// Alias is the Java keystore alias; default: the base name.
	Alias string
	// Name is the base name of the files and the Kubernetes Secret name;
	// default: the leaf's common name (or first DNS name), "*." written as
	// "wildcard.".
	Name string

	// building is set by Build on its copy, so that a rule can tell a file
	// set being made (a missing key is an error) from one being checked (a
	// missing key leaves the key unchecked).
	building bool
}

// File is one file of an upload set.
type File struct {
	Name   string // base name, e.g. "www.example.com.chained.crt"
	Data   []byte
	Secret bool   // holds a private key (or a PFX): write it with mode 0600
	Field  string // where it goes, e.g. "the `crt` of a `bind` line"
}

// Severity of a Finding.
type Severity string

// Severities: an error stops Build; a warning does not.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one rule a chain, key or file set breaks.
type Finding struct {
	Rule     string   // the rule's stable name, e.g. "key-type"
	Severity Severity // Error or Warning
	Message  string   // what is wrong, lowercase, no final period
	Source   string   // the document the rule comes from: title and address
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s [%s; source: %s]", f.Severity, f.Message, f.Rule, f.Source)
}

// Rule is one requirement of a target.
type Rule struct {
	Name   string // stable identifier, e.g. "key-type"
	Source string // the vendor document: title and address (NoSource when none)
	// Check returns what in breaks; Build and Check fill in Rule and
	// Source of each Finding.
	Check func(in Input) []Finding
}

// RootPolicy says whether a target wants the root in its files.
type RootPolicy int

const (
	// RootOnRequest: the root is written only with Input.IncludeRoot.
	RootOnRequest RootPolicy = iota
	// RootOmit: the root is never written (the target must not send it).
	RootOmit
	// RootAlways: the root is written, and missing it is an error.
	RootAlways
)

// Target is an upload destination: the files it wants and its rules.
type Target struct {
	Name   string // what --for takes, e.g. "aws-acm"
	Title  string // human name, e.g. "AWS Certificate Manager (import)"
	Source string // the document the file layout comes from: title and address
	// NeedsKey: the files hold the private key.
	NeedsKey bool
	// KeyEncrypted: the key is written encrypted with Input.Password.
	KeyEncrypted bool
	Root         RootPolicy
	// Files writes the set from an input Build has shaped and judged.
	Files func(in Input) ([]File, error)
	Rules []Rule
	// Unverified lists requirements heard of (in issue reports, forums,
	// third-party guides) that no vendor document confirmed: described in
	// TARGETS.md, never enforced.
	Unverified []string
}

// Sentinel errors, for errors.Is.
var (
	// ErrUnknownTarget: Lookup got a name no target has.
	ErrUnknownTarget = errors.New("unknown target")
	// ErrRejected: Build found an error finding and wrote nothing.
	ErrRejected = errors.New("rejected by the target's rules")
)

// Lookup returns the target called name (case-insensitive). An unknown
// name gives an error wrapping ErrUnknownTarget that lists the valid ones.
func Lookup(name string) (*Target, error) {
	for _, t := range all {
		if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%w %q; choose one of: %s", ErrUnknownTarget, name, strings.Join(Names(), ", "))
}

// Names returns the names of all targets, sorted.
func Names() []string {
	var names []string
	for _, t := range all {
		names = append(names, t.Name)
	}
	slices.Sort(names)
	return names
}

// Targets returns all targets, sorted by name.
func Targets() []*Target {
	out := slices.Clone(all)
	slices.SortFunc(out, func(a, b *Target) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Check judges in as a file set already made for the target: the root
// counts as part of it when in.Root is set, the key as encrypted when
// in.KeyEncrypted, a PFX's encryption is read from in.PFX. It returns the
// findings of every rule, errors first, in rule order.
func (t *Target) Check(in Input) []Finding {
	in.building = false
	return t.judge(in)
}

// Build shapes in as the target wants it (the root kept or left out per
// Target.Root, the key to be written encrypted or not), judges it with the
// same rules as Check and, when no finding is an error, returns the files.
// With an error finding it returns no files, all findings, and an error
// wrapping ErrRejected that quotes the first.
func (t *Target) Build(in Input) ([]File, []Finding, error) {
	shaped, notes := t.shape(in)
	findings := append(notes, t.judge(shaped)...)
	sortFindings(findings)
	for _, f := range findings {
		if f.Severity == Error {
			return nil, findings, fmt.Errorf("%s: %w: %s", t.Name, ErrRejected, f.Message)
		}
	}
	files, err := t.Files(shaped)
	if err != nil {
		return nil, findings, fmt.Errorf("%s: %w", t.Name, err)
	}
	return files, findings, nil
}

// shape is what Build writes: the root per the target's policy, the key
// encrypted exactly when the target writes it so and a password is given.
func (t *Target) shape(in Input) (Input, []Finding) {
	in.building = true
	in.PFX = nil
	in.KeyEncrypted = t.KeyEncrypted && len(in.Password) > 0
	var notes []Finding
	switch t.Root {
	case RootOmit:
		if in.Root != nil && in.IncludeRoot {
			notes = append(notes, Finding{Rule: "root-omitted", Severity: Warning, Source: rootOmitSource(t),
				Message: fmt.Sprintf("the root %s is left out although asked for: %s must not send it", subject(in.Root), t.Title)})
		}
		in.Root = nil
	case RootOnRequest:
		if !in.IncludeRoot {
			in.Root = nil
		}
	}
	return in, notes
}

// rootOmitSource is the source of the target's no-root rule.
func rootOmitSource(t *Target) string {
	for _, r := range t.Rules {
		if r.Name == "root-excluded" {
			return r.Source
		}
	}
	return t.Source
}

func (t *Target) judge(in Input) []Finding {
	var out []Finding
	if in.Leaf == nil {
		return []Finding{{Rule: "leaf", Severity: Error, Message: "no leaf certificate", Source: t.Source}}
	}
	for _, r := range t.Rules {
		for _, f := range r.Check(in) {
			f.Rule, f.Source = r.Name, r.Source
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out
}

// sortFindings puts errors first, keeping rule order within a severity.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		switch {
		case a.Severity == b.Severity:
			return 0
		case a.Severity == Error:
			return -1
		case b.Severity == Error:
			return 1
		}
		return 0
	})
}

// chain is the leaf and the intermediates, plus the root when in has one.
func (in Input) chain() []*x509.Certificate {
	out := append([]*x509.Certificate{in.Leaf}, in.Intermediates...)
	if in.Root != nil {
		out = append(out, in.Root)
	}
	return out
}

// issuers is the chain without the leaf: what a "chain" field takes.
func (in Input) issuers() []*x509.Certificate {
	return in.chain()[1:]
}
