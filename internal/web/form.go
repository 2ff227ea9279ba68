package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"chainfix/internal/source"
	"chainfix/pfx"
)

// noExit: an answer that is no command's (a refused request).
const noExit = -1

// apiError is a failed request: the HTTP status, the exit status the
// command would have had, and the message (in the CLI's words).
type apiError struct {
	status int
	exit   int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// usagef is a mistake in the request: HTTP 400, exit status 2, as a
// usage error of the CLI.
func usagef(format string, args ...any) error {
	return &apiError{status: http.StatusBadRequest, exit: 2, msg: fmt.Sprintf(format, args...)}
}

// failed is a request the engine could not fulfil: HTTP 422, exit 1.
func failed(err error) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return &apiError{status: http.StatusUnprocessableEntity, exit: 1, msg: err.Error()}
}

// writeError answers {"error": msg, "exit": N} (no "exit" for noExit).
func writeError(w http.ResponseWriter, status, exit int, msg string) {
	body := struct {
		Error string `json:"error"`
		Exit  *int   `json:"exit,omitempty"`
	}{Error: msg}
	if exit != noExit {
		body.Exit = &exit
		w.Header().Set(ExitHeader, fmt.Sprint(exit))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// form is a request's multipart form, held in memory.
type form struct {
	files  []source.Input
	key    *source.Input
	values map[string]string
	// names are the `name` fields (repeatable, as check --name).
	names []string
	// secrets are the password fields, as bytes so they can be zeroed.
	secrets map[string][]byte
}

// secretFields are the password fields: held as bytes, zeroed after the
// request, never logged or echoed.
var secretFields = map[string]bool{"password": true, "in_password": true, "out_password": true}

// readForm reads a multipart/form-data body with the named fields: `file`
// parts (at most MaxFiles, each at most source.MaxInputSize), one `key`
// part, `name` fields (repeatable) and text fields (each at most once).
// Nothing touches the disk.
func readForm(w http.ResponseWriter, r *http.Request, fields ...string) (*form, error) {
	allowed := map[string]int{}
	for _, f := range fields {
		allowed[f] = maxField
	}
	if _, ok := allowed["hosts"]; ok {
		allowed["hosts"] = maxHostsField
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, &apiError{status: http.StatusUnsupportedMediaType, exit: 2, msg: "want a multipart/form-data body (file parts and fields)"}
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, usagef("reading the form: %v", err)
	}
	f := &form{values: map[string]string{}, secrets: map[string][]byte{}}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.wipe()
			return nil, bodyError(err)
		}
		if err := f.add(part, allowed); err != nil {
			part.Close()
			f.wipe()
			return nil, err
		}
		part.Close()
	}
	return f, nil
}

// add reads one part.
func (f *form) add(part partReader, allowed map[string]int) error {
	name := part.FormName()
	if _, ok := allowed[name]; !ok {
		return usagef("unknown field %q for this endpoint", name)
	}
	switch name {
	case "file":
		if len(f.files) == MaxFiles {
			return usagef("more than %d file parts", MaxFiles)
		}
		fname := fileName(part.FileName(), fmt.Sprintf("file %d", len(f.files)+1))
		data, err := readCapped(part, source.MaxInputSize, fname)
		if err != nil {
			return err
		}
		f.files = append(f.files, source.Input{Name: fname, Data: data})
		return nil
	case "key":
		if f.key != nil {
			return usagef("more than one key part")
		}
		fname := fileName(part.FileName(), "the key")
		data, err := readCapped(part, source.MaxInputSize, fname)
		if err != nil {
			return err
		}
		f.key = &source.Input{Name: fname, Data: data}
		return nil
	}
	limit := allowed[name]
	if name == "name" {
		if len(f.names) == MaxFiles {
			return usagef("more than %d name fields", MaxFiles)
		}
		data, err := readCapped(part, int64(limit), name)
		if err != nil {
			return err
		}
		f.names = append(f.names, string(data))
		return nil
	}
	if _, dup := f.values[name]; dup || f.secrets[name] != nil {
		return usagef("field %q given twice", name)
	}
	data, err := readCapped(part, int64(limit), name)
	if err != nil {
		return err
	}
	if secretFields[name] {
		f.secrets[name] = data
		return nil
	}
	f.values[name] = strings.TrimSpace(string(data))
	return nil
}

// partReader is what add needs of a *multipart.Part.
type partReader interface {
	io.Reader
	FormName() string
	FileName() string
}

// readCapped reads at most limit bytes; more is an error naming what.
func readCapped(r io.Reader, limit int64, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, bodyError(err)
	}
	if int64(len(data)) > limit {
		clear(data)
		if limit >= 1<<20 {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, exit: 1, msg: fmt.Sprintf("%s: larger than %d MiB; not a certificate file", what, limit>>20)}
		}
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, exit: 2, msg: fmt.Sprintf("%s: longer than %d bytes", what, limit)}
	}
	return data, nil
}

// bodyError words a failure reading the body.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apiError{status: http.StatusRequestEntityTooLarge, exit: 1, msg: fmt.Sprintf("request larger than %d MiB", MaxBody>>20)}
	}
	return usagef("reading the form: %v", err)
}

// fileName is the base name of an uploaded file, for messages; def when
// the part has none.
func fileName(name, def string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		return def
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// value is a text field, "" when absent.
func (f *form) value(name string) string { return f.values[name] }

// flag reads a boolean field: 1, true, on or yes; 0, false, off, no or
// absent.
func (f *form) flag(name string) (bool, error) {
	switch strings.ToLower(f.values[name]) {
	case "", "0", "false", "off", "no":
		return false, nil
	case "1", "true", "on", "yes":
		return true, nil
	}
	return false, usagef("%s %q: want 1 or 0", name, f.values[name])
}

// has reports whether a field was given.
func (f *form) has(name string) bool {
	_, ok := f.values[name]
	return ok || f.secrets[name] != nil
}

// secret is a password field's bytes (nil when absent).
func (f *form) secret(name string) []byte { return f.secrets[name] }

// passwordFunc gives a password field to the engine, as a copy, or nil
// when the field is absent (the engine then says a password is needed).
func (f *form) passwordFunc(name string) pfx.PasswordFunc {
	pw, ok := f.secrets[name]
	if !ok {
		return nil
	}
	return func() ([]byte, error) { return append([]byte(nil), pw...), nil }
}

// wipe zeroes what the request held of keys and passwords: the key part,
// the password fields and every uploaded file (a PFX holds a key, a PEM
// file may).
func (f *form) wipe() {
	if f == nil {
		return
	}
	for _, s := range f.secrets {
		clear(s)
	}
	if f.key != nil {
		clear(f.key.Data)
	}
	for _, in := range f.files {
		clear(in.Data)
	}
}
