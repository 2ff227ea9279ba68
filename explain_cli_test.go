package main

import (
	"encoding/json"
	"strings"
	"testing"

	"chainfix/internal/report"
)

func TestExplainCommand(t *testing.T) {
	tests := []struct {
		args   []string
		want   int
		stdout string
	}{
		{[]string{"explain", "The server certificate received is not trusted (SSL Error 61)"}, exitOK, "eku-sgc-only"},
		{[]string{"explain", "curl:", "(60)", "SSL certificate problem: unable to get local issuer certificate"}, exitOK, "chain-incomplete"},
		{[]string{"explain", "--json", "0x800b0109"}, exitOK, `"chain-untrusted-root"`},
		{[]string{"explain", "all is well"}, exitFailure, ""},
		{[]string{"explain"}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, "", tt.args...)
			if code != tt.want || !strings.Contains(stdout, tt.stdout) {
				t.Errorf("exit %d (want %d)\n%s\n%s", code, tt.want, stdout, stderr)
			}
			if code == exitOK && !strings.Contains(stdout, "chainfix check --host") {
				t.Errorf("no command to confirm:\n%s", stdout)
			}
		})
	}
	_, stdout, _ := runCLI(t, nil, "", "explain", "--json", "SEC_ERROR_UNKNOWN_ISSUER and NET::ERR_CERT_DATE_INVALID")
	var e report.Explained
	if err := json.Unmarshal([]byte(stdout), &e); err != nil || len(e.Matches) != 2 || e.Matches[0].Source == "" {
		t.Errorf("JSON: %v\n%s", err, stdout)
	}
}
