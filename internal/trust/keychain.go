package trust

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"chainfix/bundle"
)

// This file holds the macOS store: what the security tool is asked and
// how its answers become a Store. It builds on every platform, so that
// tests anywhere can feed it canned output; system_darwin.go only calls
// it. The alternative, the Security framework, needs cgo or hand-made
// bindings to it; security(1) ships with every macOS.

// The tools and keychains read.
const (
	securityTool = "/usr/bin/security"
	plutilTool   = "/usr/bin/plutil"
	// systemRootsKeychain holds Apple's root program: trusted unless an
	// admin or the user distrusted a root.
	systemRootsKeychain = "/System/Library/Keychains/SystemRootCertificates.keychain"
	// systemKeychain holds what admins (and MDM profiles) installed for
	// the whole machine: trusted only where trust settings say so.
	systemKeychain = "/Library/Keychains/System.keychain"
	// macFallbackBundle is the bundle macOS ships for OpenSSL-style tools,
	// read when the keychains cannot be.
	macFallbackBundle = "/etc/ssl/cert.pem"
)

// SecTrustSettingsResult values (SecTrustSettings.h).
const (
	tsResultTrustRoot   = 1 // trusted, for a self-signed (root) certificate
	tsResultTrustAsRoot = 2 // trusted as an anchor, for any other certificate
	tsResultDeny        = 3 // explicitly distrusted
)

// oidAppleSSL is the policy of trust settings for TLS (kSecPolicyAppleSSL,
// 1.2.840.113635.100.1.3) as trust settings store it: the OID's content
// bytes.
var oidAppleSSL = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x01, 0x03}

const oidAppleSSLString = "1.2.840.113635.100.1.3"

// Names of the macOS stores in the summary.
const (
	macStoreName     = "the macOS keychains (system roots, and certificates trusted in the System and login keychains)"
	macIntermediates = "the CA certificates of the macOS System and login keychains that are not trusted as roots"
)

// trustVerdict is what one domain's trust settings say of a certificate.
type trustVerdict int

const (
	verdictUnspecified trustVerdict = iota
	verdictTrusted
	verdictDenied
)

// domainTrust maps a certificate's SHA-1 (upper-case hex, as the trust
// settings key it) to its usage constraints: the trustSettings array,
// nil when the entry has none ("trusted for everything").
type domainTrust map[string][]any

// keychainStore reads the macOS trust store: the roots of the system roots
// keychain, plus the certificates of the System and login keychains that
// the admin or user trust settings mark as trusted for TLS, minus what
// they distrust. Trust settings are evaluated as Chromium does on macOS:
// the user domain first, then the admin domain, then the system default;
// an entry restricted to an application or a host name does not count; an
// entry with a policy counts only for the SSL policy. The other CA
// certificates of those keychains become Intermediates.
func keychainStore(opts Options) (*Store, error) {
	run, log := opts.command(), opts.log()
	out, err := run(securityTool, "find-certificate", "-a", "-p", systemRootsKeychain)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", systemRootsKeychain, err)
	}
	systemRoots, err := parseBundle(out)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", systemRootsKeychain, err)
	}
	// Certificates admins and users added: the System keychain, and the
	// user's keychain search list (the login keychain; no path needed, so
	// nothing is read from the environment).
	var added []*x509.Certificate
	for _, args := range [][]string{
		{"find-certificate", "-a", "-p", systemKeychain},
		{"find-certificate", "-a", "-p"},
	} {
		out, err := run(securityTool, args...)
		if err != nil {
			log.Debugf("macOS keychain %s: not read: %v", keychainLabel(args), err)
			continue
		}
		certs, err := parseBundle(out)
		if err != nil {
			log.Debugf("macOS keychain %s: no certificate: %v", keychainLabel(args), err)
			continue
		}
		added = append(added, certs...)
	}
	user := exportTrustSettings(opts, "user")
	admin := exportTrustSettings(opts, "admin", "-d")
	verdict := func(c *x509.Certificate) (trustVerdict, string) {
		key := sha1Hex(c)
		for _, d := range []struct {
			name string
			ts   domainTrust
		}{{"user", user}, {"admin", admin}} {
			settings, ok := d.ts[key]
			if !ok {
				continue
			}
			if v := evaluateTrustSettings(settings, selfIssued(c)); v != verdictUnspecified {
				return v, d.name
			}
		}
		return verdictUnspecified, ""
	}

	s := &Store{Name: macStoreName}
	var roots []*x509.Certificate
	seen := map[string]bool{}
	for _, c := range systemRoots {
		key := sha1Hex(c)
		if seen[key] {
			continue
		}
		seen[key] = true
		if v, domain := verdict(c); v == verdictDenied {
			log.Debugf("macOS: left out the system root %s: distrusted in the %s trust settings", certName(c), domain)
			continue
		}
		roots = append(roots, c)
	}
	for _, c := range added {
		key := sha1Hex(c)
		if seen[key] {
			continue
		}
		seen[key] = true
		switch v, domain := verdict(c); {
		case v == verdictTrusted:
			log.Debugf("macOS: trusting %s (%s trust settings)", certName(c), domain)
			roots = append(roots, c)
		case v == verdictDenied:
			log.Debugf("macOS: left out %s: distrusted in the %s trust settings", certName(c), domain)
		case c.IsCA && !selfIssued(c):
			s.Intermediates = append(s.Intermediates, c)
		}
	}
	s.Anchors = bundle.NewAnchors(roots)
	if len(s.Intermediates) > 0 {
		s.IntermediatesFrom = macIntermediates
	}
	return s, nil
}

func keychainLabel(args []string) string {
	if len(args) > 3 {
		return args[3]
	}
	return "search list"
}

// exportTrustSettings reads one trust-settings domain with `security
// trust-settings-export [-d] FILE` (the tool writes only to a file). A
// failure means no settings: `security` fails with "No Trust Settings were
// found" for a domain where nobody set any, the usual case.
func exportTrustSettings(opts Options, domain string, flags ...string) domainTrust {
	run, log := opts.command(), opts.log()
	dir, err := os.MkdirTemp("", "chainfix-trust-")
	if err != nil {
		log.Debugf("macOS %s trust settings: not read: %v", domain, err)
		return nil
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, domain+".plist")
	args := append(append([]string{"trust-settings-export"}, flags...), file)
	if _, err := run(securityTool, args...); err != nil {
		log.Debugf("macOS %s trust settings: none read: %v", domain, err)
		return nil
	}
	data, err := readCapped(file)
	if err == nil && bytes.HasPrefix(data, []byte("bplist")) {
		// A binary property list: let plutil turn it into XML.
		data, err = run(plutilTool, "-convert", "xml1", "-o", "-", file)
	}
	if err != nil {
		log.Debugf("macOS %s trust settings: not read: %v", domain, err)
		return nil
	}
	ts, err := parseTrustSettings(data)
	if err != nil {
		log.Debugf("macOS %s trust settings: %v", domain, err)
		return nil
	}
	return ts
}

func readCapped(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxBundleSize {
		return nil, fmt.Errorf("%s: larger than %d MiB", name, maxBundleSize>>20)
	}
	return os.ReadFile(name)
}

// parseTrustSettings reads the external representation of one domain's
// trust settings: a property list whose "trustList" dictionary maps each
// certificate's SHA-1 to a dictionary with its "trustSettings" array.
func parseTrustSettings(data []byte) (domainTrust, error) {
	v, err := parsePlist(data)
	if err != nil {
		return nil, err
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the top level is not a dictionary", errPlist)
	}
	list, ok := top["trustList"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: no trustList dictionary", errPlist)
	}
	out := domainTrust{}
	for key, entry := range list {
		e, ok := entry.(map[string]any)
		if !ok {
			continue
		}
		settings, _ := e["trustSettings"].([]any)
		out[strings.ToUpper(key)] = settings
	}
	return out, nil
}

// evaluateTrustSettings applies one certificate's usage constraints for
// TLS, as Chromium's trust_store_mac does: no constraints means trusted
// for everything with the result TrustRoot; a constraint restricted to an
// application or a policy string (a host name), or to another policy than
// SSL, does not apply; the first applicable one decides, and its result
// (TrustRoot when absent) trusts a self-issued certificate when TrustRoot
// or TrustAsRoot, any other only when TrustAsRoot, and denies when Deny.
func evaluateTrustSettings(settings []any, selfIssued bool) trustVerdict {
	result := func(r int64) trustVerdict {
		switch {
		case r == tsResultDeny:
			return verdictDenied
		case r == tsResultTrustAsRoot, r == tsResultTrustRoot && selfIssued:
			return verdictTrusted
		}
		return verdictUnspecified
	}
	if len(settings) == 0 {
		return result(tsResultTrustRoot)
	}
	for _, s := range settings {
		d, ok := s.(map[string]any)
		if !ok {
			continue
		}
		if _, ok := d["kSecTrustSettingsApplication"]; ok {
			continue
		}
		if _, ok := d["kSecTrustSettingsPolicyString"]; ok {
			continue
		}
		if p, ok := d["kSecTrustSettingsPolicy"]; ok {
			switch p := p.(type) {
			case []byte:
				if !bytes.Equal(p, oidAppleSSL) {
					continue
				}
			case string:
				if p != oidAppleSSLString {
					continue
				}
			default:
				continue
			}
		}
		r := int64(tsResultTrustRoot)
		if v, ok := d["kSecTrustSettingsResult"].(int64); ok {
			r = v
		}
		if v := result(r); v != verdictUnspecified {
			return v
		}
	}
	return verdictUnspecified
}

// selfIssued: subject and issuer are the same name. The signature is not
// checked (Chromium does the same): trust settings cannot be created for a
// mismatched result in the first place, and SHA-1 self-signed roots would
// fail Go's check.
func selfIssued(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer)
}

func sha1Hex(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
