// Unit tests of the throwaway CA: a TLS server with an issued certificate is
// trusted by the CA's own client and refused by everyone else.

package testbed

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func TestCAIssuesTrustedServerCert(t *testing.T) {
	ca := NewCA(t)
	certFile, keyFile := ca.IssueServerCert()
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()

	resp, err := ca.Client().Get(srv.URL)
	if err != nil {
		t.Fatalf("client trusting the CA: %v", err)
	}
	resp.Body.Close()

	resp, err = NewBrowser(ca).Get(srv.URL)
	if err != nil {
		t.Fatalf("browser trusting the CA: %v", err)
	}
	resp.Body.Close()

	var unknown x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	for name, c := range map[string]*http.Client{"another CA": NewCA(t).Client(), "system roots": {}} {
		_, err := c.Get(srv.URL)
		if !errors.As(err, &unknown) && !errors.As(err, &verify) {
			t.Errorf("%s: want a verification error, got %v", name, err)
		}
	}

	pemData, err := os.ReadFile(ca.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatalf("CAFile holds no PEM certificate")
	}
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err != nil {
		t.Errorf("certificate for 127.0.0.1 does not verify against CAFile: %v", err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.2"}); err == nil {
		t.Errorf("certificate verifies for 127.0.0.2, which it was not issued for")
	}
}

func TestIssueServerCertHosts(t *testing.T) {
	ca := NewCA(t)
	certFile, _ := ca.IssueServerCert("hub.test", "10.0.0.1")
	pair, err := tls.LoadX509KeyPair(certFile, certFile[:len(certFile)-len(".crt")]+".key")
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(pair.Certificate[0])
	if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "hub.test" || len(leaf.IPAddresses) != 1 || leaf.IPAddresses[0].String() != "10.0.0.1" {
		t.Errorf("SANs = %v %v", leaf.DNSNames, leaf.IPAddresses)
	}
}
