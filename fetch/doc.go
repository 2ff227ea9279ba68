// Package fetch is chainfix's only network code: AIA caIssuers fetching with
// an on-disk cache, and reading the chain a live TLS endpoint serves.
//
// CONTRACT for implementers:
//
//	type Client struct{...}
//	func New(opts Options) *Client
//	func (c *Client) Issuers(ctx context.Context, cert *x509.Certificate) ([]*x509.Certificate, error)
//	    satisfies bundle.IssuerSource (without importing bundle). Returns certificates that signed
//	    cert first, then other certificates from the same responses (PKCS#7 bundles) as candidates.
//	func (c *Client) Requests() int    // HTTP requests actually sent so far
//	func Endpoint(ctx context.Context, hostport string, opts DialOptions) (*Served, error)
//	func SplitHostPort(s string) (host, port string, err error) // default port 443, [v6]:port
package fetch
