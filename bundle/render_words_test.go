package bundle_test

import (
	"chainfix/bundle"
	"chainfix/internal/report"
)

func init() {
	bundle.SetRenderers(report.DropReason, report.RejectReason, report.NoteText, report.LeafReason)
}
