package mail

import (
	"fmt"
	"net/mail"
)

// parseAddress accepts "Name <a@b>" or "a@b" and returns the bare address.
func parseAddress(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("%q is not an email address: %v", s, err)
	}
	return a.Address, nil
}
