package bundle

// Reasons are data; the tests read them in the words package
// internal/report gives them. That package imports bundle, so only an
// external test file may import it: render_words_test.go sets these.
var (
	dropText   func(Dropped) string
	rejectText func(Rejected) string
	noteText   func(Note) string
	leafText   func(*Result) string
)

// SetRenderers installs the report package's renderers for the tests
// (exported to the external test package only).
func SetRenderers(drop func(Dropped) string, reject func(Rejected) string, note func(Note) string, leaf func(*Result) string) {
	dropText, rejectText, noteText, leafText = drop, reject, note, leaf
}
