package target

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// ruleDocs says what each rule checks, for TARGETS.md.
var ruleDocs = map[string]string{
	"key-match":          "the key belongs to the leaf (whole public keys compared); without a key, Build refuses and Check warns",
	"validity":           "the leaf is valid at `--at` (error where the import refuses, warning elsewhere)",
	"chain-order":        "leaf first, each certificate issued by the next",
	"chain-required":     "a CA-issued leaf comes with its chain",
	"chain-length":       "the number of intermediates the target takes",
	"chain-size":         "the size of the chained PEM",
	"root-excluded":      "the root is not in the set",
	"root-included":      "the root is in the set",
	"root-omitted":       "(Build) a root asked for is left out",
	"key-type":           "the key algorithm and size the target accepts",
	"key-size":           "the size of the key file",
	"key-unencrypted":    "the key file is not encrypted",
	"key-encrypted":      "the key file is encrypted with the certificate password",
	"key-passphrase":     "an encrypted key makes httpd ask for its pass phrase at start",
	"pfx-password":       "the PFX has a password",
	"pfx-encryption":     "an existing PFX is encrypted with what the target reads (Check)",
	"windows-version":    "`--windows` names a Windows Server release",
	"server-auth":        "the leaf allows TLS server authentication (Extended Key Usage)",
	"secret-name":        "the Secret name is a valid Kubernetes object name",
	"certificate-fields": "the Issuer is not empty and the OCSP URL at most 1000 characters",
}

// TestTargetsTable keeps TARGETS.md in step with the targets' data (go
// test -run TestTargetsTable -update rewrites it).
func TestTargetsTable(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`# Upload targets (` + "`--for TARGET`" + `)

Generated from ` + "`internal/target`" + ` by ` + "`go test ./internal/target -run TestTargetsTable -update`" + `; do not edit by hand.
Each target writes the files listed (NAME is the base name: ` + "`--base-name`" + `, default the leaf's common name) and checks
its rules before writing anything; ` + "`check --for TARGET`" + ` checks an existing set with the same rules. Every rule comes
from the source listed with it; requirements no vendor document confirmed are listed at the end and not enforced.
Files holding a key are written with mode 0600. PFX files and encrypted keys are randomized (salts, IVs); every other
file is byte-stable.

| target | files (where each goes) | rules | sources |
|---|---|---|---|
`)
	for _, tg := range Targets() {
		files, _, err := tg.Build(goodInput("ecdsa"))
		if err != nil {
			t.Fatal(err)
		}
		var fl []string
		for _, f := range files {
			name := strings.ReplaceAll(f.Name, "www.example.test", "NAME")
			field := strings.ReplaceAll(f.Field, "www.example.test", "NAME")
			fl = append(fl, fmt.Sprintf("`%s`: %s", name, field))
		}
		// Each source once, with what it backs: the layout and rules.
		var rl, sources []string
		uses := map[string][]string{tg.Source: {"layout"}}
		sources = append(sources, tg.Source)
		for _, r := range tg.Rules {
			rl = append(rl, "`"+r.Name+"`")
			if _, ok := ruleDocs[r.Name]; !ok {
				t.Errorf("rule %s has no description in ruleDocs", r.Name)
			}
			if _, ok := uses[r.Source]; !ok {
				sources = append(sources, r.Source)
			}
			uses[r.Source] = append(uses[r.Source], r.Name)
		}
		var sl []string
		for _, src := range sources {
			sl = append(sl, fmt.Sprintf("%s (%s)", src, strings.Join(uses[src], ", ")))
		}
		fmt.Fprintf(&b, "| `%s`<br>%s | %s | %s | %s |\n", tg.Name, tg.Title,
			cell(strings.Join(fl, "<br>")), strings.Join(rl, ", "), cell(strings.Join(sl, "<br>")))
	}
	b.WriteString("\n## Rules\n\n| rule | checks |\n|---|---|\n")
	var names []string
	for n := range ruleDocs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "| `%s` | %s |\n", n, ruleDocs[n])
	}
	b.WriteString("\n## Not enforced: no vendor source found\n\n")
	for _, tg := range Targets() {
		for _, u := range tg.Unverified {
			fmt.Fprintf(&b, "- `%s`: %s\n", tg.Name, u)
		}
	}
	compareFile(t, "TARGETS.md", b.Bytes())
}

// cell escapes a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func compareFile(t *testing.T, name string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil || !bytes.Equal(want, got) {
		t.Errorf("%s is out of date (go test -run TestTargetsTable -update rewrites it): %v", name, err)
	}
}
