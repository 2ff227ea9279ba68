//go:build unix

package main

import "syscall"

// mkfifo makes a named pipe (hardening_test.go writes -o into one).
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
