//go:build !unix

package atomicfile

import "io/fs"

// linkCount is not checked where the file information does not carry it.
func linkCount(fs.FileInfo) uint64 { return 1 }

// processGone cannot be told portably here, so no temporary file is ever
// taken for stale: leftovers stay until removed by hand.
func processGone(int) bool { return false }
