package trust

import (
	"bytes"
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// System on Windows reads the machine's and the user's certificate stores
// through CryptoAPI (CertOpenStore, CertEnumCertificatesInStore; no cgo)
// into explicit certificates: the anchors of the ROOT and AuthRoot stores,
// the CA stores as a pool of intermediates, without what the Disallowed
// stores hold (windowsStore says which stores). $SSL_CERT_FILE, when set,
// names a bundle that wins over them.
//
// The decision is never handed to the Windows verifier: an x509.Verify
// with a nil or system pool on Windows calls CertGetCertificateChain, which
// fetches missing intermediates over AIA and takes them from the caches of
// the machine, so a server's incomplete chain would look complete. That is
// exactly what chainfix exists to find, so every check runs against these
// certificates as an explicit pool.
//
// Limits: Windows downloads public roots from Windows Update when it first
// needs them (automatic root update), so a public root this machine has
// not needed yet is not in its stores (`--roots mozilla` judges against the
// public set); per-certificate properties an admin set in the store (a
// root's purposes restricted or disabled) are not read.
func System(opts Options) (*Store, error) {
	if s, ok, err := envStore(opts); ok {
		return s, err
	}
	return windowsStore(readSystemStore, opts)
}

// winLocations maps winStoreRef.Location to CertOpenStore's flag.
var winLocations = map[string]uint32{
	winLocationMachine:            windows.CERT_SYSTEM_STORE_LOCAL_MACHINE,
	winLocationMachineGroupPolicy: windows.CERT_SYSTEM_STORE_LOCAL_MACHINE_GROUP_POLICY,
	winLocationMachineEnterprise:  windows.CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE,
	winLocationUser:               windows.CERT_SYSTEM_STORE_CURRENT_USER,
	winLocationUserGroupPolicy:    windows.CERT_SYSTEM_STORE_CURRENT_USER_GROUP_POLICY,
}

// readSystemStore copies the encoded certificates of one system store. The
// store is opened read-only and only if it exists: opening a missing store
// without CERT_STORE_OPEN_EXISTING_FLAG would create it.
func readSystemStore(ref winStoreRef) ([][]byte, error) {
	location, ok := winLocations[ref.Location]
	if !ok {
		return nil, fmt.Errorf("unknown store location %q", ref.Location)
	}
	name, err := windows.UTF16PtrFromString(ref.Name)
	if err != nil {
		return nil, err
	}
	store, err := windows.CertOpenStore(windows.CERT_STORE_PROV_SYSTEM_W, 0, 0,
		location|windows.CERT_STORE_READONLY_FLAG|windows.CERT_STORE_OPEN_EXISTING_FLAG,
		uintptr(unsafe.Pointer(name)))
	runtime.KeepAlive(name)
	if err != nil {
		return nil, err
	}
	defer windows.CertCloseStore(store, 0)

	var out [][]byte
	var cert *windows.CertContext
	for {
		cert, err = windows.CertEnumCertificatesInStore(store, cert)
		if cert == nil {
			// The end of the store is reported as CRYPT_E_NOT_FOUND (or
			// ERROR_NO_MORE_FILES for an empty one).
			if err != nil && err != syscall.Errno(windows.CRYPT_E_NOT_FOUND) && err != windows.ERROR_NO_MORE_FILES {
				return out, err
			}
			return out, nil
		}
		if len(out) == maxStoreCerts {
			windows.CertFreeCertificateContext(cert)
			return out, fmt.Errorf("more than %d certificates; the rest is ignored", maxStoreCerts)
		}
		// The context's memory belongs to the store: copy it before the
		// next call frees it.
		out = append(out, bytes.Clone(unsafe.Slice(cert.EncodedCert, cert.Length)))
	}
}
