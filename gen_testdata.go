//go:build ignore

// gen_testdata writes the committed test PKI under testdata/ (go generate).
package main

import (
	"log"

	"chainfix/internal/fixtures"
)

func main() {
	if err := fixtures.Write("testdata"); err != nil {
		log.Fatal(err)
	}
}
