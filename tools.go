//go:build tools

package main

import (
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/sirupsen/logrus"
	_ "github.com/smallstep/pkcs7"
	_ "github.com/urfave/cli/v2"
	_ "github.com/youmark/pkcs8"
	_ "golang.org/x/crypto/x509roots/fallback"
	_ "golang.org/x/net/http/httpproxy"
	_ "golang.org/x/term"
	_ "software.sslmate.com/src/go-pkcs12"
)
