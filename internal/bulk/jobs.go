package bulk

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"chainfix/fetch"
	"chainfix/internal/repair"
	"chainfix/internal/safefile"
	"chainfix/internal/source"
	"chainfix/pem"
	"chainfix/pfx"
)

// MaxJobs bounds one job list, which is held in memory (a few hundred
// bytes a job). An estate is 2,000 hosts or 10,000 certificates, the
// design size; ten times that is a mistake, such as --recursive on /.
const MaxJobs = 100_000

// MaxHostsLine bounds one line of a hosts file: a host name is at most 253
// bytes (RFC 1035), and a line adds a port, an SNI and a comment.
const MaxHostsLine = 4096

// sniffSize is how much of a file Dir reads to decide whether it holds a
// certificate: PEM text names its blocks near the top (after at most a
// few "Bag Attributes" or s_client lines), and a binary file's first
// bytes say what it is.
const sniffSize = 64 << 10

// ErrTooManyJobs: a job list would exceed MaxJobs.
var ErrTooManyJobs = fmt.Errorf("more than %d jobs in one run", MaxJobs)

// Job is one chain to repair or check.
type Job struct {
	// Name shows the job: the file as given or as found under a directory,
	// or HOST[:PORT] as written.
	Name string
	// File is the file to read; "" for a host.
	File string
	// Host is HOST[:PORT] of a live server; "" for a file.
	Host string
	// ServerName is the SNI to send to Host (a hosts file's name=); ""
	// means the host.
	ServerName string
	// Err is why the job cannot run, found while listing (an unreadable
	// directory entry): Request returns it, so it becomes the job's result.
	Err error
	// Out is the file name of the job's product in an output directory,
	// set by OutputNames.
	Out string
}

// Files makes one job per file name, in order.
func Files(names []string) []Job {
	jobs := make([]Job, 0, len(names))
	for _, n := range names {
		jobs = append(jobs, Job{Name: n, File: n})
	}
	return jobs
}

// Hosts makes one job per HOST[:PORT], in order.
func Hosts(hosts []string) []Job {
	jobs := make([]Job, 0, len(hosts))
	for _, h := range hosts {
		jobs = append(jobs, Job{Name: h, Host: h})
	}
	return jobs
}

// Request returns tmpl with the job's input: the file, read now
// (source.Read, with its size cap), or the host with its server name.
func (j Job) Request(tmpl repair.Request) (repair.Request, error) {
	req := tmpl
	req.Inputs = nil
	if j.Err != nil {
		return req, j.Err
	}
	if j.Host != "" {
		req.Host = j.Host
		if j.ServerName != "" {
			req.Dial.ServerName = j.ServerName
		}
		return req, nil
	}
	in, err := source.Read(j.File, nil)
	if err != nil {
		return req, err
	}
	req.Host = ""
	req.Inputs = []source.Input{in}
	return req, nil
}

// Endpoint is the address a host job connects to, as Run limits it:
// the host in lower case and the port, 443 when none is given ("" for a
// file job). Names are not resolved (package fetch is the only network
// code), so two names of one server count as two endpoints.
func (j Job) Endpoint() string {
	if j.Host == "" {
		return ""
	}
	host, port, err := fetch.SplitHostPort(j.Host)
	if err != nil {
		return j.Host
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}

// ParseHosts reads a hosts file: one HOST[:PORT] per line, optionally
// followed by name=SNI (the name to send and to check the certificate
// against, for a host given by address); blank lines and everything from
// a '#' that starts a line or follows a space are ignored. name is the
// file's name, for messages ("hosts.txt:7: ..."). The addresses are not
// checked here: a bad one is its job's error, as with --host.
func ParseHosts(r io.Reader, name string) ([]Job, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxHostsLine)
	var jobs []Job
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF") // a BOM from Windows editors
		}
		if i := commentStart(text); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		job := Job{Name: fields[0], Host: fields[0]}
		for _, f := range fields[1:] {
			key, value, ok := strings.Cut(f, "=")
			switch {
			case ok && key == "name" && value != "":
				job.ServerName = value
			default:
				return nil, fmt.Errorf("%s:%d: %q: want HOST[:PORT] and optionally name=SNI", name, line, strings.TrimSpace(text))
			}
		}
		if len(jobs) == MaxJobs {
			return nil, fmt.Errorf("%s: %w", name, ErrTooManyJobs)
		}
		jobs = append(jobs, job)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s: a line longer than %d bytes; not a hosts file", name, MaxHostsLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return jobs, nil
}

// commentStart is where a comment starts in a hosts-file line: a '#' at
// the start or after white space (a '#' inside a word is kept, so that a
// bad address is reported as written), -1 when none.
func commentStart(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return i
		}
	}
	return -1
}

// Dir lists every certificate-bearing file under dir, subdirectories
// included, in fs.WalkDir's order (lexical within each directory), one job
// each. Names starting with '.' are skipped, files and directories: .git,
// and the .NAME.tmp-* files an interrupted write leaves. A file bears
// certificates when it holds a PEM block labelled as one (CERTIFICATE,
// PKCS7...; whether it decodes is the job's business, so a damaged one is
// reported, not skipped), is a PKCS#12 file, or decodes as DER or PKCS#7
// certificates (chainfix/pem decides on the bytes, never on the name). A
// file or directory that cannot be read is a job whose Err says why.
// Symbolic links to files are followed, links to directories are not
// (they could loop).
func Dir(dir string) ([]Job, error) {
	var jobs []Job
	add := func(j Job) error {
		if len(jobs) == MaxJobs {
			return fmt.Errorf("%s: %w", dir, ErrTooManyJobs)
		}
		jobs = append(jobs, j)
		return nil
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return add(Job{Name: path, File: path, Err: fmt.Errorf("%s: %w", path, unwrapPath(err))})
		}
		if path != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(path)
			if err != nil || !fi.Mode().IsRegular() {
				return nil // a dangling link, or one to a directory or a device
			}
		} else if !d.Type().IsRegular() {
			return nil // a socket, a pipe, a device
		}
		bears, err := certificateBearing(path)
		if err != nil {
			return add(Job{Name: path, File: path, Err: err})
		}
		if bears {
			return add(Job{Name: path, File: path})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	return jobs, nil
}

// certLabels are the PEM labels that carry certificates.
var certLabels = []string{"-----BEGIN CERTIFICATE-----", "-----BEGIN X509 CERTIFICATE-----",
	"-----BEGIN TRUSTED CERTIFICATE-----", "-----BEGIN PKCS7-----", "-----BEGIN PKCS #7 SIGNED DATA-----", "-----BEGIN CMS-----"}

// certificateBearing reads the start of a file and says whether it holds
// certificates (see Dir).
func certificateBearing(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, sniffSize))
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	for _, l := range certLabels {
		if bytes.Contains(head, []byte(l)) {
			return true, nil
		}
	}
	if bytes.Contains(head, []byte("-----BEGIN ")) || len(head) == 0 || head[0] != 0x30 {
		return false, nil // other PEM (a key, a CSR), or text, or not DER
	}
	if pfx.IsPKCS12(head) {
		return true, nil
	}
	if len(head) == sniffSize {
		// A DER SEQUENCE larger than the sniff: a .p7b of many
		// certificates, or a key store. Let the job decide.
		return true, nil
	}
	c, err := pem.Decode(head, pem.Options{Lenient: true})
	if errors.Is(err, pem.ErrNoCertificates) {
		return false, nil // a DER key
	}
	return err != nil || len(c.Certificates) > 0, nil
}

// unwrapPath drops an *fs.PathError, whose path the caller names itself.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// certExts are the file extensions OutputNames drops from an input's name:
// those of certificate files, so "www.example.com.crt" gives
// "www.example.com.pem", while "www.example.com" keeps its ".com".
var certExts = map[string]bool{".pem": true, ".crt": true, ".cer": true, ".cert": true, ".der": true,
	".p7b": true, ".p7c": true, ".pfx": true, ".p12": true, ".chain": true, ".txt": true}

// OutputNames sets every job's Out: the input file's base name without a
// certificate extension, or the host as written, made safe for every file
// system (safefile.SafeName: "mail.example.com:465" ->
// "mail.example.com-465"), plus ext. A name already given to an earlier
// job (compared ignoring case: such names collide on Windows and macOS)
// gets "-2", "-3"... before ext, the first free one, so the same job list
// always gives the same names.
func OutputNames(jobs []Job, ext string) {
	used := make(map[string]bool, len(jobs))
	for i := range jobs {
		j := &jobs[i]
		base := j.Host
		if j.Host == "" {
			base = filepath.Base(j.Name)
			if e := filepath.Ext(base); certExts[strings.ToLower(e)] && len(e) < len(base) {
				base = strings.TrimSuffix(base, e)
			}
		}
		stem := safefile.SafeName(base)
		name := stem + ext
		for n := 2; used[strings.ToLower(name)]; n++ {
			name = stem + "-" + strconv.Itoa(n) + ext
		}
		used[strings.ToLower(name)] = true
		j.Out = name
	}
}
