package main

import (
	"context"
	"time"

	"chainfix/fetch"
	"chainfix/internal/report"
	"chainfix/internal/source"
	"chainfix/pfx"
)

// inspectInputs describes every certificate and key of inputs, or of the
// chain host sends: inspect's one job, shared by the single and the bulk
// form. A read or decode error is an *undecidedError (exit 3); a server
// that cannot be reached is returned as it is (exit 1).
func (st *state) inspectInputs(ctx context.Context, target string, ins []source.Input, host string, dial fetch.DialOptions, at time.Time, password pfx.PasswordFunc) (*report.Inspect, error) {
	rep := &report.Inspect{Target: target, At: at.UTC(), Certificates: []report.CertDetail{}}
	if host != "" {
		served, err := fetch.Endpoint(ctx, host, dial)
		if err != nil {
			return nil, err
		}
		rep.AddServed(served, at)
		return rep, nil
	}
	set, err := source.Decode(ctx, ins, source.Options{Password: password, Log: st.log})
	if err != nil {
		return nil, &undecidedError{err: err}
	}
	rep.AddDecoded(ctx, set, password, at)
	return rep, nil
}
