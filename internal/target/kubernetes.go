package target

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Kubernetes: a TLS Secret (type kubernetes.io/tls) holding tls.crt and
// tls.key, and the Secret manifest exactly as `kubectl create secret tls
// NAME --cert=tls.crt --key=tls.key --dry-run=client -o yaml` prints it.

// srcKubectlTLS: "Create a TLS secret from the given public/private key
// pair. The public/private key pair must exist beforehand. The public key
// certificate must be .PEM encoded and match the given private key."
// kubectl checks the pair with Go's tls.X509KeyPair (kubectl source:
// kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/cmd/create/create_secret_tls.go),
// which reads the first certificate as the leaf and no encrypted key.
const srcKubectlTLS = "kubectl create secret tls (Kubernetes kubectl reference), https://kubernetes.io/zh-cn/docs/reference/kubectl/generated/kubectl_create/kubectl_create_secret_tls/ and its source kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/cmd/create/create_secret_tls.go"

// srcKubernetesNames: Secret names are DNS subdomain names: at most 253
// characters, lowercase alphanumerics, '-' and '.', starting and ending
// with an alphanumeric.
const srcKubernetesNames = "Object Names and IDs, DNS Subdomain Names (Kubernetes documentation), https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names"

// maxSecretName is the longest DNS subdomain name (srcKubernetesNames).
const maxSecretName = 253

// Compiled on first use: most runs write no Kubernetes secret.
var dnsSubdomain = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`) })

var kubernetes = Target{
	Name:     "kubernetes",
	Title:    "Kubernetes TLS Secret (tls.crt, tls.key and the Secret manifest)",
	Source:   srcKubectlTLS,
	NeedsKey: true,
	Root:     RootOnRequest,
	Files: func(in Input) ([]File, error) {
		name, err := baseName(in)
		if err != nil {
			return nil, err
		}
		crt := pemCerts(in.chain()...)
		key, err := keyPEM(in)
		if err != nil {
			return nil, err
		}
		return []File{
			{Name: "tls.crt", Data: crt, Field: "--cert of kubectl create secret tls " + name},
			{Name: "tls.key", Data: key, Secret: true, Field: "--key of kubectl create secret tls " + name},
			{Name: "secret.yaml", Data: secretManifest(name, crt, key), Secret: true,
				Field: "the Secret manifest: kubectl apply -f secret.yaml (add -n NAMESPACE)"},
		}, nil
	},
	Rules: []Rule{
		{Name: "secret-name", Source: srcKubernetesNames, Check: func(in Input) []Finding {
			name, err := baseName(in)
			if err != nil {
				return one(Error, "%v", err)
			}
			if len(name) > maxSecretName || !dnsSubdomain().MatchString(name) {
				return one(Error, "%q is not a valid Secret name: at most %d characters, lowercase letters, digits, '-' and '.', starting and ending with a letter or digit; choose one with --base-name", name, maxSecretName)
			}
			return nil
		}},
		ruleKeyUnencrypted(srcKubectlTLS),
		ruleKeyMatch(srcKubectlTLS),
		ruleChainOrder(Warning, srcChainOrder),
		ruleValidity(Warning, srcValidity),
	},
	Unverified: []string{
		"ingress controllers that want the whole chain in tls.crt: controller-specific, not Kubernetes documentation",
	},
}

// secretManifest is kubectl's output for `kubectl create secret tls NAME
// --cert=... --key=... --dry-run=client -o yaml` (kubectl 1.33 and later,
// which no longer print the null metadata.creationTimestamp:
// kubernetes/kubernetes#130989): keys sorted, base64 on one line, no
// namespace unless -n is given.
func secretManifest(name string, crt, key []byte) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: v1\ndata:\n")
	fmt.Fprintf(&b, "  tls.crt: %s\n", base64.StdEncoding.EncodeToString(crt))
	fmt.Fprintf(&b, "  tls.key: %s\n", base64.StdEncoding.EncodeToString(key))
	b.WriteString("kind: Secret\nmetadata:\n")
	fmt.Fprintf(&b, "  name: %s\n", yamlScalar(name))
	b.WriteString("type: kubernetes.io/tls\n")
	return []byte(b.String())
}

// yamlScalar quotes a valid Secret name where YAML would read it as
// something other than a string (a number such as 123 or 1.5, or 1e3),
// as kubectl's YAML printer does.
func yamlScalar(s string) string {
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.Quote(s)
	}
	if _, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64); err == nil {
		return strconv.Quote(s)
	}
	return s
}
