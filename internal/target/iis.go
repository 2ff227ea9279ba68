package target

import (
	"fmt"
	"strconv"
	"strings"

	"chainfix/pfx"
)

// IIS / Windows Server: a PFX (PKCS#12) with the key, the certificate and
// its chain. Windows Server 2016 and older cannot read AES-256 PFX files:
// Windows writes them (PKCS12_PBES2_ALG_AES256_SHA256) from Windows Server
// 2019 on, so --windows 2016 selects 3DES.

// srcWindowsFormats: "The PKCS #12 format is the only file format that can
// be used to export a certificate and its private key"; PKCS #7 "supports
// storage of certificates and all certificates in the certification path".
const srcWindowsFormats = "Certificate File Formats (Windows Server documentation), https://technet.microsoft.com/en-us/library/cc770735(v=ws.10).aspx"

// srcWindowsAES: AES256-SHA256 PFX encryption; minimum supported server
// Windows Server 2019, client Windows 10 1709.
const srcWindowsAES = "PKCS12_PBES2_EXPORT_PARAMS structure (wincrypt.h), https://learn.microsoft.com/en-us/windows/win32/api/wincrypt/ns-wincrypt-pkcs12_pbes2_export_params"

// firstAESWindows is the first Windows Server release that reads AES PFX
// files (srcWindowsAES).
const firstAESWindows = 2019

var iis = Target{
	Name:     "iis",
	Title:    "IIS / Windows Server (PFX with the key and the chain)",
	Source:   srcWindowsFormats,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		enc, err := windowsEncryption(in)
		if err != nil {
			return nil, err
		}
		return writePFX(in, enc, ".pfx", "the PFX to import on the server (key, certificate and chain), then bind to the site")
	},
	Rules: []Rule{
		{Name: "windows-version", Source: srcWindowsAES, Check: func(in Input) []Finding {
			if _, err := windowsRelease(in.Windows); err != nil {
				return one(Error, "%v", err)
			}
			return nil
		}},
		rulePFXEncryption(srcWindowsAES, func(in Input, info pfxInfo) string {
			if y, err := windowsRelease(in.Windows); err == nil && y != 0 && y < firstAESWindows && info.usesAES() {
				return "Windows Server " + in.Windows + " reads AES-encrypted PFX files only from Windows Server 2019 on; write it with 3DES (chainfix pfx --encryption legacy)"
			}
			return ""
		}),
		ruleKeyMatch(srcKeyMatch),
		ruleChainOrder(Warning, srcChainOrder),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"key types and sizes Windows and IIS accept (ECDSA, Ed25519) and PFX password rules: no Microsoft document found",
	},
}

// windowsRelease parses --windows: "" (0: the latest), or a Windows Server
// release such as "2016", "2012r2", "2019", "2022", "2025".
func windowsRelease(s string) (int, error) {
	orig := s
	s = strings.ToLower(s)
	for _, word := range []string{"windows", "server", " "} {
		s = strings.ReplaceAll(s, word, "")
	}
	if s == "" {
		return 0, nil
	}
	year, rest := s, ""
	if len(s) > 4 {
		year, rest = s[:4], s[4:]
	}
	y, err := strconv.Atoi(year)
	if err != nil || y < 2000 || y > 2100 || rest != "" && rest != "r2" {
		return 0, fmt.Errorf("unknown Windows Server release %q; give the year, e.g. 2016 or 2019", orig)
	}
	return y, nil
}

// windowsEncryption: 3DES for Windows Server 2016 and older, else the
// encryption asked for (default AES).
func windowsEncryption(in Input) (pfx.Encryption, error) {
	y, err := windowsRelease(in.Windows)
	if err != nil {
		return 0, err
	}
	if y != 0 && y < firstAESWindows {
		return pfx.Legacy, nil
	}
	return in.Encryption, nil
}

// writePFX writes the one-file PFX targets.
func writePFX(in Input, enc pfx.Encryption, suffix, field string) ([]File, error) {
	name, err := baseName(in)
	if err != nil {
		return nil, err
	}
	data, err := pfxData(in, enc)
	if err != nil {
		return nil, err
	}
	return []File{{Name: name + suffix, Data: data, Secret: true, Field: field}}, nil
}
