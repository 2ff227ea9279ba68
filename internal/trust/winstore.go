package trust

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
)

// This file holds the platform-neutral half of the Windows store: which
// system stores are read and how their certificates become a Store. The
// calls into CryptoAPI are in system_windows.go; keeping the assembly here
// lets it be tested on every platform with canned stores.

// winStoreRef names one Windows system store: a location (the registry
// hive it lives in, as CertOpenStore's CERT_SYSTEM_STORE_* flags name it)
// and the store's name there.
type winStoreRef struct {
	Location string // one of the winLocation* names
	Name     string // ROOT, AuthRoot, CA, Disallowed
}

func (r winStoreRef) String() string { return r.Location + `\` + r.Name }

// The locations read: the machine's and the user's stores, and the copies
// that Group Policy and Active Directory (enterprise) push to them; an
// enterprise root deployed by GPO lives in LocalMachine's group-policy
// ROOT store, not in LocalMachine\ROOT.
const (
	winLocationMachine            = "LocalMachine"
	winLocationMachineGroupPolicy = "LocalMachineGroupPolicy"
	winLocationMachineEnterprise  = "LocalMachineEnterprise"
	winLocationUser               = "CurrentUser"
	winLocationUserGroupPolicy    = "CurrentUserGroupPolicy"
)

var (
	// winRootStores hold the trust anchors: ROOT ("Trusted Root
	// Certification Authorities") in every location, and AuthRoot ("Third-
	// Party Root Certification Authorities"), where Windows keeps the
	// public roots it has downloaded from Windows Update so far.
	winRootStores = []winStoreRef{
		{winLocationMachine, "ROOT"},
		{winLocationMachine, "AuthRoot"},
		{winLocationMachineGroupPolicy, "ROOT"},
		{winLocationMachineEnterprise, "ROOT"},
		{winLocationUser, "ROOT"},
		{winLocationUserGroupPolicy, "ROOT"},
	}
	// winCAStores hold intermediates ("Intermediate Certification
	// Authorities"): not anchors, a pool the machine already holds.
	winCAStores = []winStoreRef{
		{winLocationMachine, "CA"},
		{winLocationMachineGroupPolicy, "CA"},
		{winLocationMachineEnterprise, "CA"},
		{winLocationUser, "CA"},
		{winLocationUserGroupPolicy, "CA"},
	}
	// winDisallowedStores hold the certificates an admin (or Microsoft)
	// explicitly distrusted ("Untrusted Certificates"): never an anchor,
	// never drawn from the pool, whatever other store holds them too.
	winDisallowedStores = []winStoreRef{
		{winLocationMachine, "Disallowed"},
		{winLocationMachineGroupPolicy, "Disallowed"},
		{winLocationUser, "Disallowed"},
		{winLocationUserGroupPolicy, "Disallowed"},
	}
)

// maxStoreCerts bounds what one system store may contribute: a real ROOT
// store holds a few hundred certificates; a store with more is not
// something to judge chains against, and the bound keeps a corrupt store
// from exhausting memory.
const maxStoreCerts = 10000

// winStoreName is the Store.Name of the Windows stores.
const (
	winStoreName     = `the Windows certificate stores (ROOT and AuthRoot of LocalMachine and CurrentUser, with their Group Policy and enterprise copies)`
	winIntermediates = `the Windows CA stores (Intermediate Certification Authorities)`
)

// readWinStore returns the DER certificates of one system store; an error
// with no certificates means the store could not be opened (a store that
// does not exist in that location is common, e.g. no enterprise store off a
// domain), with some it says why the rest is missing.
type readWinStore func(winStoreRef) ([][]byte, error)

// windowsStore assembles the Windows stores into a Store: the roots of
// winRootStores, the intermediates of winCAStores that are neither roots
// nor self-issued (a root in the CA store is trusted by nobody), both
// without the certificates of winDisallowedStores. A certificate crypto/x509
// refuses is skipped. It fails with ErrNoSystemStore when no root store
// yields a certificate.
func windowsStore(read readWinStore, opts Options) (*Store, error) {
	log := opts.log()
	load := func(refs []winStoreRef) []*x509.Certificate {
		var out []*x509.Certificate
		for _, ref := range refs {
			ders, err := read(ref)
			if err != nil {
				log.Debugf("Windows store %s: %v", ref, err)
			}
			n := 0
			for _, der := range ders {
				c, err := x509.ParseCertificate(der)
				if err != nil {
					log.Debugf("Windows store %s: skipped a certificate: %v", ref, err)
					continue
				}
				out = append(out, c)
				n++
			}
			log.Debugf("Windows store %s: %d certificates", ref, n)
		}
		return out
	}
	distrusted := map[[32]byte]bool{}
	for _, c := range load(winDisallowedStores) {
		distrusted[sha256.Sum256(c.Raw)] = true
	}
	seen := map[[32]byte]bool{}
	keep := func(certs []*x509.Certificate, what string) []*x509.Certificate {
		var out []*x509.Certificate
		for _, c := range certs {
			sum := sha256.Sum256(c.Raw)
			switch {
			case seen[sum]:
				continue
			case distrusted[sum]:
				log.Debugf("Windows stores: left out %s from the %s: it is in a Disallowed store", certName(c), what)
			default:
				out = append(out, c)
			}
			seen[sum] = true
		}
		return out
	}
	roots := keep(load(winRootStores), "roots")
	if len(roots) == 0 {
		return nil, fmt.Errorf("%w: the Windows ROOT stores hold no usable certificate", ErrNoSystemStore)
	}
	s := NewStore(winStoreName, roots)
	for _, c := range keep(load(winCAStores), "intermediates") {
		if !selfIssued(c) {
			s.Intermediates = append(s.Intermediates, c)
		}
	}
	if len(s.Intermediates) > 0 {
		s.IntermediatesFrom = winIntermediates
	}
	return s, nil
}

// certName is a certificate's subject for a debug line.
func certName(c *x509.Certificate) string {
	if s := c.Subject.String(); strings.TrimSpace(s) != "" {
		return s
	}
	return fmt.Sprintf("the certificate with serial %x", c.SerialNumber)
}
