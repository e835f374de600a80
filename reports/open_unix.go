//go:build unix

package reports

import (
	"os"
	"syscall"
)

// openNonblocking opens path for reading without waiting: on a FIFO with
// no writer, open(2) would otherwise block.
func openNonblocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
