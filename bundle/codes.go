package bundle

// Severities of a Finding.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Finding ids: the stable interface of check's JSON and of scripts (issue
// 8; README "Finding ids"). An id is never renamed once released; a new
// fact gets a new id. A Note and a Finding about the same fact share it.
const (
	// IDOK: nothing wrong (info; the only finding when there is none other).
	IDOK = "ok"
	// IDNoCertificates: nothing to judge (no certificate served or given).
	IDNoCertificates = "no-certificates"

	IDChainIncomplete               = "chain-incomplete"
	IDChainOrder                    = "chain-order"
	IDChainDuplicate                = "chain-duplicate"
	IDChainExtra                    = "chain-extra"
	IDChainRootIncluded             = "chain-root-included"
	IDChainUntrustedRoot            = "chain-untrusted-root"
	IDChainWrongIntermediate        = "chain-wrong-intermediate"
	IDChainExpiredCrossSign         = "chain-expired-cross-sign"
	IDChainIntermediateExpiresFirst = "chain-intermediate-expires-first"
	IDChainNoLeaf                   = "chain-no-leaf"

	IDLeafSelfSigned   = "leaf-self-signed"
	IDCertExpired      = "cert-expired"
	IDCertNotYetValid  = "cert-not-yet-valid"
	IDCertExpiringSoon = "cert-expiring-soon"

	IDNameMismatch = "name-mismatch"
	IDNameCNOnly   = "name-cn-only"

	IDEKUNoServerAuth = "eku-no-server-auth"
	IDEKUNoClientAuth = "eku-no-client-auth"
	IDEKUSGCOnly      = "eku-sgc-only"
	IDKUMismatch      = "ku-mismatch"

	IDCAAsLeaf          = "ca-as-leaf"
	IDIntermediateNotCA = "intermediate-not-ca"
	IDWeakSignature     = "weak-signature"
	IDWeakKey           = "weak-key"

	IDKeyMismatch = "key-mismatch"
	IDPFXNoKey    = "pfx-no-key"

	IDTLSLegacyVersionAccepted = "tls-legacy-version-accepted"
	IDTLSVersionRefused        = "tls-version-refused"
	IDSNIMismatch              = "sni-mismatch"
	IDEndpointUnreachable      = "endpoint-unreachable"
	IDEndpointAddressMismatch  = "endpoint-address-mismatch"

	// Ids of Result.Notes: the same facts as the findings of those ids.
	NoteWeakSignature                 = IDWeakSignature
	NoteIntermediateExpiresBeforeLeaf = IDChainIntermediateExpiresFirst
)
