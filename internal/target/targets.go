package target

// all lists every target. Adding a target is one file holding its Target
// value and one line here; there is no init() registration.
var all = []*Target{
	&nginx,
	&apache,
	&apacheLegacy,
	&haproxy,
	&iis,
	&azureAppService,
	&azureKeyVault,
	&awsACM,
	&kubernetes,
	&f5,
	&citrixADC,
	&ciscoWLC,
	&ruckus,
	&java,
	&windowsP7B,
}
