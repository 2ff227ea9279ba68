// Package pem decodes certificates from whatever an admin has at hand and
// encodes them canonically.
//
// CONTRACT for implementers (functions to provide, in pem/decode.go and pem/encode.go):
//
//	func Blocks(data []byte) ([]Block, error)
//	    Tolerant PEM scanner: BOM (also mid-line right before -----BEGIN), CRLF/CR line ends,
//	    indentation, trailing spaces, blank lines/odd wrapping inside base64, missing final newline,
//	    text around blocks (openssl Bag Attributes, subject=/issuer=, s_client transcripts).
//	    Errors (*Error) name block index and line: bad base64, BEGIN without END.
//	func Decode(data []byte, opts Options) (*Contents, error)
//	    Decides DER vs text on the raw bytes first (DER may contain 0x0d 0x0a). Accepts DER
//	    certificate(s), PKCS#7 certs-only DER, PEM blocks CERTIFICATE, X509 CERTIFICATE,
//	    TRUSTED CERTIFICATE (openssl aux data after the cert), PKCS7; key blocks go to Keys;
//	    other labels to Skipped. No certificate at all: error wrapping ErrNoCertificates.
//	func Encode(certs []*x509.Certificate, opts EncodeOptions) []byte
//	    Canonical PEM: CERTIFICATE blocks, 64-column base64, LF (CRLF with opts), back to back, final newline.
//	func EncodePKCS7(certs []*x509.Certificate) ([]byte, error)
//	    DER PKCS#7 SignedData, certs-only (degenerate), in the given order.
//	func Armor(label string, der []byte, opts EncodeOptions) []byte
//	    One canonical PEM block with that label (e.g. "PKCS7").
package pem
