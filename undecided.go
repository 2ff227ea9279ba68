package main

// undecidedError: a command could not decide at all (check: the input
// cannot be read or holds no certificate; match: the key cannot be read or
// decrypted). run maps it to exitUndecided (3), apart from 1, which means
// "decided: something is wrong".
type undecidedError struct{ err error }

func (e *undecidedError) Error() string { return e.err.Error() }

func (e *undecidedError) Unwrap() error { return e.err }
