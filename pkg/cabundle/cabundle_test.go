package cabundle

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCert returns a self-signed CA certificate and its key, PEM-encoded.
func testCert(t *testing.T) (cert, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

func TestParse(t *testing.T) {
	cert, key := testCert(t)
	crl := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte("crl")})
	bogus := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})
	join := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name        string
		data        []byte
		wantCount   int
		wantDropped string
		wantErr     string
	}{
		{"one certificate", cert, 1, "", ""},
		{"openssl text around it", join([]byte("subject=CN = test CA\n"), cert, []byte("trailing\n")), 1, "", ""},
		{"certificate and its key", join(cert, key), 1, "a PRIVATE KEY block", ""},
		{"key first, two certificates, a CRL", join(key, cert, crl, cert, key), 2, "2 PRIVATE KEY blocks and an X509 CRL block", ""},
		{"only a key", key, 0, "", "holds no PEM certificate"},
		{"not PEM", []byte("hello\n"), 0, "", "holds no PEM certificate"},
		{"a certificate that is not one", join(cert, bogus), 0, "", "certificate 2 does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse(tt.data)
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Parse: %v, want error %q", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if b.Count != tt.wantCount || b.DroppedInWords() != tt.wantDropped {
				t.Errorf("Parse = %d certificates, dropped %q; want %d, %q", b.Count, b.DroppedInWords(), tt.wantCount, tt.wantDropped)
			}
			if strings.Contains(string(b.PEM), "PRIVATE KEY") || strings.Contains(string(b.PEM), "subject=") {
				t.Errorf("the bundle kept more than certificates:\n%s", b.PEM)
			}
			if strings.Count(string(b.PEM), "BEGIN CERTIFICATE") != tt.wantCount {
				t.Errorf("the bundle has the wrong number of certificates:\n%s", b.PEM)
			}
			if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(b.PEM) {
				t.Error("the bundle does not load into a certificate pool")
			}
		})
	}
	if _, err := Parse(key); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("a key alone: %v, want ErrNoCertificate", err)
	}
}

func TestRead(t *testing.T) {
	cert, _ := testCert(t)
	path := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(path, cert, 0o644)
	if b, err := Read(path); err != nil || b.Count != 1 {
		t.Errorf("Read = %v, %v", b, err)
	}
	if _, err := Read("/dev/zero"); err == nil || !strings.Contains(err.Error(), "not a regular file or a pipe") {
		t.Errorf("Read(/dev/zero) = %v", err)
	}
	big := filepath.Join(t.TempDir(), "big.pem")
	os.WriteFile(big, make([]byte, MaxSize+1), 0o644)
	if _, err := Read(big); err == nil || !strings.Contains(err.Error(), "larger than 4 MiB, hubctl's limit for a CA file") {
		t.Errorf("Read(a file over the limit) = %v", err)
	}
}
