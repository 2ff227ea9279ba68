// Package pem decodes certificates from whatever an admin has at hand and
// encodes them canonically. It imports only the standard library and
// github.com/smallstep/pkcs7 (to write certs-only PKCS#7).
//
// # Decoding
//
// Decode decides between binary and text on the raw bytes, before any
// normalisation, because DER certificates routinely contain the bytes CR LF.
// It accepts:
//
//   - PEM text with CERTIFICATE, X509 CERTIFICATE, TRUSTED CERTIFICATE
//     (openssl's aux trust data after the certificate is ignored), PKCS7,
//     PKCS #7 SIGNED DATA, CMS and CERTIFICATE CHAIN blocks, whatever text
//     surrounds them: openssl pkcs12 -nodes "Bag Attributes" and "subject="
//     lines, openssl s_client -showcerts transcripts, comments;
//   - sloppy PEM: UTF-8 BOMs (also mid-line before BEGIN), CRLF or CR-only
//     line ends, indentation, trailing spaces, blank lines and any wrapping
//     inside the base64, a block on a single line, files concatenated
//     without a final newline, literal "\n" escapes from JSON, missing "="
//     padding, UTF-16 text with a BOM;
//   - one or more concatenated DER certificates, whatever the file name;
//   - a certs-only PKCS#7 SignedData (.p7b, .p7c) in DER or in BER with
//     indefinite lengths (as Windows and Java write it).
//
// Private-key blocks (labels ending in "PRIVATE KEY", including legacy
// encrypted ones with their Proc-Type/DEK-Info headers) and EC PARAMETERS
// are returned in Contents.Keys for package pfx; other blocks (CSRs, CRLs,
// public keys) are listed in Contents.Skipped. Duplicate certificates are
// removed, keeping the first.
//
// # Refusals
//
// Anything unreadable is an *Error naming the PEM block and the line of its
// BEGIN ("PEM block 2 at line 14: bad base64 at line 17: unexpected '!'",
// "PEM block 1 at line 3: BEGIN CERTIFICATE without END"), or the DER
// certificate and its byte offset. A certificate that crypto/x509 refuses
// (since Go 1.23, a negative serial number) fails the decode unless
// Options.Lenient, which lists it in Skipped instead: for pool and roots
// files, where one odd certificate must not abort the run. An input without
// any certificate gives an error wrapping ErrNoCertificates that says what
// was there instead ("input holds only a private key (EC PRIVATE KEY
// block)", "input is empty", "input is HTML or XML, not a certificate",
// "input is not PEM, DER or PKCS#7"); the Contents found are returned with
// that error so a key-only file still yields its keys.
//
// # Limits
//
// Decode does not bound the input size (the caller does) but its work is
// linear in it: the PEM scanner never re-reads text, and BER nesting is
// capped at 64 levels. PKCS#7 signatures, content and CRLs are ignored;
// encrypted keys are not decrypted; PGP armor and bare base64 without
// BEGIN/END lines are not recognised.
//
// # Encoding
//
// Encode writes canonical PEM (RFC 7468 strict form): CERTIFICATE blocks,
// 64-column base64, LF or CRLF line ends, no blank lines, a final newline,
// nothing else, so the same chain always gives the same bytes. EncodePKCS7
// writes a certs-only PKCS#7 SignedData in DER, keeping the order. Armor
// writes one canonical block with any label.
package pem
