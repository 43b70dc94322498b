package main

import (
	"path/filepath"
	"runtime"
)

// sourceScripts is the scripts/ folder of the source tree this binary was
// built from; it lets `go run .` and binaries built into temporary folders
// (the conformance runners) find the endpoint scripts.
func sourceScripts() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return filepath.Join(filepath.Dir(file), "scripts")
}
