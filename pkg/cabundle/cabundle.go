// Package cabundle reads the CA bundle a spec names (login.caFile) and
// keeps only its certificates. The bundle is copied to places anyone may
// read (the chart's hub.extraFiles, mode 0644), so a private key that sits
// in the same PEM file must not travel with it.
package cabundle

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/hubctl/hubctl/pkg/inputfile"
)

// MaxSize caps a CA file: a bundle of every public root is about 250 KiB.
const MaxSize = 4 << 20

// Bundle is the certificates of a CA file, PEM-encoded again.
type Bundle struct {
	PEM   []byte
	Count int
	// Dropped lists the type of every PEM block left out ("PRIVATE KEY"),
	// in file order.
	Dropped []string
}

// ErrNoCertificate is a file with no PEM CERTIFICATE block.
var ErrNoCertificate = errors.New("holds no PEM certificate")

// Read reads and parses the CA file at path. Errors do not repeat the path.
func Read(path string) (*Bundle, error) {
	data, err := inputfile.Read(path, MaxSize, "a CA file")
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse keeps the CERTIFICATE blocks of data, each checked to be an X.509
// certificate; text around the blocks is dropped without a word, as every
// TLS library ignores it.
func Parse(data []byte) (*Bundle, error) {
	b := &Bundle{}
	var out bytes.Buffer
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			b.Dropped = append(b.Dropped, block.Type)
			continue
		}
		b.Count++
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return nil, fmt.Errorf("certificate %d does not parse: %w", b.Count, err)
		}
		// Headers are dropped too: a certificate has none that matter.
		_ = pem.Encode(&out, &pem.Block{Type: block.Type, Bytes: block.Bytes})
	}
	if b.Count == 0 {
		return nil, ErrNoCertificate
	}
	b.PEM = out.Bytes()
	return b, nil
}

// anFirstWords are the first words of PEM types that read with "an".
var anFirstWords = map[string]bool{"ENCRYPTED": true, "EC": true, "RSA": true, "X509": true, "OPENSSH": true}

// DroppedInWords describes the blocks left out, for a warning: "a PRIVATE
// KEY block", "2 PRIVATE KEY blocks and an X509 CRL block"; "" when none.
func (b *Bundle) DroppedInWords() string {
	var order []string
	count := map[string]int{}
	for _, t := range b.Dropped {
		if count[t] == 0 {
			order = append(order, t)
		}
		count[t]++
	}
	parts := make([]string, len(order))
	for i, t := range order {
		first, _, _ := strings.Cut(t, " ")
		switch n := count[t]; {
		case n > 1:
			parts[i] = fmt.Sprintf("%d %s blocks", n, t)
		case anFirstWords[first]:
			parts[i] = "an " + t + " block"
		default:
			parts[i] = "a " + t + " block"
		}
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
