package main

import (
	"time"

	"github.com/urfave/cli/v2"
)

// Flag names, shared by the commands that take them.
const (
	flagLogLevel  = "log-level"
	flagVerbose   = "verbose"
	flagQuiet     = "quiet"
	flagLogFormat = "log-format"

	flagPool           = "pool"
	flagRoots          = "roots"
	flagAt             = "at"
	flagAllowUntrusted = "allow-untrusted"
	flagPurpose        = "purpose"
	flagLeafCN         = "leaf-cn"
	flagIncludeRoot    = "include-root"

	flagOffline        = "offline"
	flagNoCache        = "no-cache"
	flagCacheDir       = "cache-dir"
	flagTimeout        = "timeout"
	flagHost           = "host"
	flagServerName     = "servername"
	flagConnectTimeout = "connect-timeout"
	flagStartTLS       = "starttls"
	flagAIAPublicOnly  = "aia-public-only"

	flagOut       = "out"
	flagFormat    = "format"
	flagArmor     = "armor"
	flagCRLF      = "crlf"
	flagSplit     = "split"
	flagChainOnly = "chain-only"

	flagKey          = "key"
	flagIn           = "in"
	flagEncryption   = "encryption"
	flagPasswordFile = "password-file"
	flagPasswordEnv  = "password-env"
	flagNoPassword   = "no-password"
	flagJSON         = "json"

	flagNames    = "name"
	flagWarnDays = "warn-days"
	flagStrict   = "strict"
	flagAllIPs   = "all-ips"
)

// defaultTimeout is the per-request AIA and connect timeout: what Chrome
// allows an AIA fetch (PITFALLS.md).
const defaultTimeout = 10 * time.Second

// Flag constructors build fresh structs on every call: urfave/cli keeps
// parse state in them, and tests run the app many times. Every valued flag
// names its value in the usage text (`FILE`), so help never shows a bare
// "value"; boolean flags do not print "(default: false)".

func boolFlag(name, usage string, aliases ...string) *cli.BoolFlag {
	return &cli.BoolFlag{Name: name, Usage: usage, Aliases: aliases, DisableDefaultText: true}
}

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagLogLevel, Usage: "log `LEVEL` on stderr: error, warn, info, debug, trace"},
		boolFlag(flagVerbose, "log what chainfix does (same as --log-level info)", "v"),
		boolFlag(flagQuiet, "print errors only: no summary, no warnings", "q"),
		&cli.StringFlag{Name: flagLogFormat, Value: "text", Usage: "log `FORMAT`: text or json"},
	}
}

// chainFlags are the flags that decide how a chain is read, built and
// judged: build, pfx and check take them all.
func chainFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringSliceFlag{Name: flagPool, Usage: "more certificates to draw intermediates from (`FILE`, repeatable)"},
		&cli.StringSliceFlag{Name: flagRoots, Usage: "trust exactly the roots in `FILE`, or the keyword system (this machine's store) or mozilla (the set built into chainfix); repeatable; default: the system store, else the Mozilla set"},
		&cli.StringFlag{Name: flagAt, Usage: "validate as of `TIME` (RFC 3339, e.g. 2027-01-31T00:00:00Z; or a date 2027-01-31); default now"},
		&cli.StringFlag{Name: flagPurpose, Value: "server", Usage: "what the leaf must be good for (`PURPOSE`): server, client or any"},
		&cli.StringFlag{Name: flagLeafCN, Usage: "build for the certificate with this common name, DNS name or SHA-256/SHA-1 fingerprint prefix (`NAME`; when the input holds several leaves)"},
		boolFlag(flagOffline, "fetch no AIA: inputs, --pool and the cache only (--host still connects to the host)"),
		boolFlag(flagNoCache, "do not read or write the AIA cache"),
		&cli.StringFlag{Name: flagCacheDir, Usage: "AIA cache `DIR` (default: the user cache dir + /chainfix)"},
		&cli.DurationFlag{Name: flagTimeout, Value: defaultTimeout, Usage: "per-request AIA timeout (`DURATION`, e.g. 10s)"},
		boolFlag(flagAIAPublicOnly, "fetch AIA only from public addresses (refuse loopback and private networks too), for certificates from untrusted senders"),
		&cli.GenericFlag{Name: flagHost, Value: &hostList{}, Usage: "read the chain a live server sends: `HOST[:PORT]` (port 443 by default; [v6]:port; build and check take it repeated, one job each)"},
		&cli.StringFlag{Name: flagServerName, Usage: "SNI `NAME` to send with --host (default: the host)"},
		&cli.DurationFlag{Name: flagConnectTimeout, Value: defaultTimeout, Usage: "connect and handshake timeout for --host (`DURATION`)"},
		&cli.StringFlag{Name: flagStartTLS, Usage: "with --host: speak `PROTO` first: smtp, imap, pop3, ftp or postgres"},
	}, passwordFlags("", "encrypted inputs (PFX, key)")...)
}

// allowUntrustedFlag is for the commands that write a chain (build, pfx);
// check always reports the best chain, trusted or not.
func allowUntrustedFlag() cli.Flag {
	return boolFlag(flagAllowUntrusted, "write the best chain even when it reaches no trusted root (private CA), with a warning")
}

// passwordFlags are --PREFIXpassword-file and --PREFIXpassword-env, the
// two ways a password reaches chainfix (never as a flag value, which would
// show in process listings). prefix is "", "in-" or "out-".
func passwordFlags(prefix, what string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: prefix + flagPasswordFile, Usage: "the password of " + what + ": the first line of `FILE`"},
		&cli.StringFlag{Name: prefix + flagPasswordEnv, Usage: "the password of " + what + ": environment variable `VAR`"},
	}
}

// passwordFrom reads the password flags with that prefix.
func passwordFrom(c *cli.Context, prefix, purpose string) passwordSource {
	return passwordSource{
		file:       c.String(prefix + flagPasswordFile),
		envVar:     c.String(prefix + flagPasswordEnv),
		purpose:    purpose,
		flagPrefix: prefix,
	}
}

func includeRootFlag() cli.Flag {
	return boolFlag(flagIncludeRoot, "append the root (by default it is left out: servers should not send it)")
}

func outFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: flagOut, Aliases: []string{"o"}, Usage: usage}
}

// withoutFlags returns flags minus the named ones (pfx reuses the chain
// flags but gives the password flags another meaning).
func withoutFlags(flags []cli.Flag, names ...string) []cli.Flag {
	var out []cli.Flag
	for _, f := range flags {
		skip := false
		for _, n := range names {
			if firstName(f) == n {
				skip = true
			}
		}
		if !skip {
			out = append(out, f)
		}
	}
	return out
}
