// This file makes a throwaway certificate authority per test and issues
// server certificates from it, so servers can run real TLS on 127.0.0.1.

package testbed

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a certificate authority that lives for one test. Nothing installs it
// in a system trust store: clients trust it through CAFile or Pool.
type CA struct {
	CAFile string // PEM of the CA certificate
	Cert   *x509.Certificate
	Pool   *x509.CertPool // holds only this CA

	t   testing.TB
	dir string
	key *ecdsa.PrivateKey
	n   int
}

// NewCA creates a CA whose files live in a temp dir of t.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("testbed: CA key: %v", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(t),
		Subject:               pkix.Name{CommonName: "hubctl test CA " + now.Format(time.RFC3339Nano)},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(2 * DefaultCertLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("testbed: CA certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("testbed: CA certificate: %v", err)
	}
	ca := &CA{Cert: cert, Pool: x509.NewCertPool(), t: t, dir: t.TempDir(), key: key}
	ca.Pool.AddCert(cert)
	ca.CAFile = filepath.Join(ca.dir, "ca.crt")
	writePEM(t, ca.CAFile, "CERTIFICATE", der, 0o644)
	return ca
}

// DefaultCertLifetime is how long IssueServerCert's certificates are valid:
// beyond the 30 days within which hubctl doctor warns of an expiry, so a
// healthy test bed passes every check.
const DefaultCertLifetime = 90 * 24 * time.Hour

// IssueServerCert issues a server certificate for hosts (IP addresses or DNS
// names; 127.0.0.1 and localhost when none are given), valid from an hour
// ago for DefaultCertLifetime, and returns the paths of the certificate and
// its unencrypted private key, both PEM.
func (ca *CA) IssueServerCert(hosts ...string) (certFile, keyFile string) {
	now := time.Now()
	return ca.IssueCert(CertOptions{Hosts: hosts, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(DefaultCertLifetime)})
}

// CertOptions shape a certificate: the faults doctor must name (expired,
// not yet valid, expiring soon, for another host) are made with them.
type CertOptions struct {
	// Hosts are IP addresses or DNS names; 127.0.0.1 and localhost when
	// empty.
	Hosts               []string
	NotBefore, NotAfter time.Time
	// SelfSigned signs the certificate with its own key instead of the CA's.
	SelfSigned bool
}

// IssueCert issues a server certificate as o says and returns the paths of
// the certificate and its key, both PEM.
func (ca *CA) IssueCert(o CertOptions) (certFile, keyFile string) {
	t := ca.t
	t.Helper()
	hosts := o.Hosts
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1", "localhost"}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("testbed: server key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(t),
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	parent, signer := ca.Cert, ca.key
	if o.SelfSigned {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatalf("testbed: server certificate: %v", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("testbed: server key: %v", err)
	}
	ca.n++
	certFile = filepath.Join(ca.dir, fmt.Sprintf("server%d.crt", ca.n))
	keyFile = filepath.Join(ca.dir, fmt.Sprintf("server%d.key", ca.n))
	writePEM(t, certFile, "CERTIFICATE", der, 0o644)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER, 0o600)
	return certFile, keyFile
}

// TLSConfig returns a client TLS config that trusts only this CA.
func (ca *CA) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: ca.Pool, MinVersion: tls.VersionTLS12}
}

// Client returns an HTTP client that trusts only this CA.
func (ca *CA) Client() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = ca.TLSConfig()
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func randomSerial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatalf("testbed: serial: %v", err)
	}
	return n
}

func writePEM(t testing.TB, path, typ string, der []byte, mode os.FileMode) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatalf("testbed: %v", err)
	}
}
