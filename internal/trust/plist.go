package trust

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxPlistDepth bounds the nesting of a property list: trust settings are
// four levels deep (plist > trustList > certificate > trustSettings >
// one setting); anything far deeper is not trust settings.
const maxPlistDepth = 16

// errPlist: the data is not an XML property list of the expected shape.
var errPlist = errors.New("not an XML property list")

// parsePlist decodes an XML property list (Apple's PropertyList-1.0 DTD)
// into Go values: dict -> map[string]any, array -> []any, data -> []byte,
// integer -> int64, true/false -> bool, string, date and real -> string.
// It is the small subset `security trust-settings-export` writes; binary
// property lists are converted to XML by the caller (plutil).
func parsePlist(data []byte) (any, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, fmt.Errorf("%w: no value", errPlist)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errPlist, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local == "plist" {
				continue
			}
			return plistValue(d, se, 0)
		}
	}
}

func plistValue(d *xml.Decoder, se xml.StartElement, depth int) (any, error) {
	if depth > maxPlistDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", errPlist, maxPlistDepth)
	}
	text := func() (string, error) {
		var s string
		if err := d.DecodeElement(&s, &se); err != nil {
			return "", fmt.Errorf("%w: <%s>: %v", errPlist, se.Name.Local, err)
		}
		return s, nil
	}
	switch se.Name.Local {
	case "dict":
		m := map[string]any{}
		key, haveKey := "", false
		for {
			tok, err := d.Token()
			if err != nil {
				return nil, fmt.Errorf("%w: %v", errPlist, err)
			}
			switch t := tok.(type) {
			case xml.EndElement:
				if haveKey {
					return nil, fmt.Errorf("%w: key %q without a value", errPlist, key)
				}
				return m, nil
			case xml.StartElement:
				if !haveKey {
					if t.Name.Local != "key" {
						return nil, fmt.Errorf("%w: <%s> where a <key> belongs", errPlist, t.Name.Local)
					}
					if err := d.DecodeElement(&key, &t); err != nil {
						return nil, fmt.Errorf("%w: <key>: %v", errPlist, err)
					}
					haveKey = true
					continue
				}
				v, err := plistValue(d, t, depth+1)
				if err != nil {
					return nil, err
				}
				m[key], haveKey = v, false
			}
		}
	case "array":
		var a []any
		for {
			tok, err := d.Token()
			if err != nil {
				return nil, fmt.Errorf("%w: %v", errPlist, err)
			}
			switch t := tok.(type) {
			case xml.EndElement:
				return a, nil
			case xml.StartElement:
				v, err := plistValue(d, t, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
		}
	case "data":
		s, err := text()
		if err != nil {
			return nil, err
		}
		// Base64 wrapped over lines and indented with tabs.
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, fmt.Errorf("%w: <data>: %v", errPlist, err)
		}
		return b, nil
	case "integer":
		s, err := text()
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: <integer>: %v", errPlist, err)
		}
		return n, nil
	case "true", "false":
		if err := d.Skip(); err != nil {
			return nil, fmt.Errorf("%w: %v", errPlist, err)
		}
		return se.Name.Local == "true", nil
	case "string", "date", "real":
		return text()
	}
	return nil, fmt.Errorf("%w: unknown element <%s>", errPlist, se.Name.Local)
}
