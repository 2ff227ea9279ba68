package safefile

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// BenchmarkWriteMany: 500 bundle-sized files written into one new
// directory from 16 goroutines, as a bulk build's --out-dir does.
func BenchmarkWriteMany(b *testing.B) {
	data := make([]byte, 4000)
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for i := range 500 {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				if err := WriteFile(filepath.Join(dir, fmt.Sprintf("b%03d.pem", i)), data, Public); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
}
