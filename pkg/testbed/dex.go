// This file runs Dex (built by scripts/e2e-deps into .build/bin/dex) with
// in-memory storage, its local password database and its gRPC API over TLS,
// and logs in through its password form.

package testbed

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Dex's local user. The hash is bcrypt of DexPassword at cost 10, which Dex
// requires at least.
const (
	DexUser     = "alice"
	DexEmail    = "alice@example.org"
	DexPassword = "password"
	dexHash     = "$2a$10$2b2cU8CPhOTaGrs1HRQuAueS7JTT5ZHsHSzYiFPm1leZck7Mc8T4W"
	dexUserID   = "08a8684b-db88-4b73-90a9-3cd1661f5466"
)

// DexStaticClient is a client in Dex's config file (staticClients), which
// the gRPC API can read but not change.
type DexStaticClient struct {
	ID string `json:"id"`
	// Name is ID when empty.
	Name         string   `json:"name"`
	Secret       string   `json:"secret"`
	RedirectURIs []string `json:"redirectURIs,omitempty"`
}

// DexOptions configures StartDex.
type DexOptions struct {
	// CA signs the gRPC API's certificate (and the client certificate with
	// MTLS); a new CA when nil.
	CA *CA
	// MTLS makes the gRPC API ask for a client certificate from CA
	// (grpc.tlsClientCA); Dex.ClientCert and ClientKey are one.
	MTLS          bool
	StaticClients []DexStaticClient
}

// Dex is a running Dex. Its web endpoints are under Issuer: /auth, /token,
// /keys, /userinfo and /.well-known/openid-configuration.
type Dex struct {
	Issuer   string // http://127.0.0.1:PORT/dex
	GRPCAddr string // 127.0.0.1:PORT, TLS
	CAFile   string // the CA of the gRPC certificate
	// ClientCert and ClientKey are a client certificate the gRPC API
	// accepts; empty without DexOptions.MTLS.
	ClientCert, ClientKey string
	CA                    *CA
	*Process
}

// StartDex starts Dex and waits for its discovery document and its gRPC
// port.
func StartDex(t testing.TB, o DexOptions) *Dex {
	t.Helper()
	bin := filepath.Join(BuildDir(t), "bin", "dex")
	requireInstalled(t, bin, "Dex")
	ca := o.CA
	if ca == nil {
		ca = NewCA(t)
	}
	webPort, grpcPort := FreePort(t), FreePort(t)
	d := &Dex{
		Issuer:   fmt.Sprintf("http://127.0.0.1:%d/dex", webPort),
		GRPCAddr: fmt.Sprintf("127.0.0.1:%d", grpcPort),
		CAFile:   ca.CAFile,
		CA:       ca,
	}
	certFile, keyFile := ca.IssueServerCert("127.0.0.1", "localhost")
	grpcCfg := map[string]any{"addr": d.GRPCAddr, "tlsCert": certFile, "tlsKey": keyFile}
	if o.MTLS {
		grpcCfg["tlsClientCA"] = ca.CAFile
		d.ClientCert, d.ClientKey = issueClientCert(t, ca, "hubctl")
	}
	clients := []DexStaticClient{} // Dex rejects a null list
	for _, c := range o.StaticClients {
		if c.Name == "" {
			c.Name = c.ID // Dex requires one
		}
		clients = append(clients, c)
	}
	cfg := map[string]any{
		"issuer":  d.Issuer,
		"storage": map[string]any{"type": "memory"},
		"web":     map[string]any{"http": fmt.Sprintf("127.0.0.1:%d", webPort)},
		"grpc":    grpcCfg,
		"logger":  map[string]any{"level": "debug", "format": "text"},
		// The password form is the only connector, so Dex shows it at once.
		"oauth2":           map[string]any{"skipApprovalScreen": true, "passwordConnector": "local"},
		"enablePasswordDB": true,
		"staticPasswords": []map[string]any{{
			"email": DexEmail, "username": DexUser, "userID": dexUserID, "hash": dexHash,
		}},
		"staticClients": clients,
	}
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "dex.yaml")
	data, _ := json.MarshalIndent(cfg, "", "  ") // JSON is YAML
	if err := os.WriteFile(cfgFile, data, 0o600); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	d.Process = startProcess(t, startOptions{name: "dex", argv: []string{bin, "serve", cfgFile}, dir: dir})
	waitReady(t, d.Process, http.DefaultClient, d.Issuer+"/.well-known/openid-configuration", 30*time.Second, statusOK)
	// Dex opens its web and gRPC listeners side by side; the one being
	// ready does not make the other so.
	waitListening(t, d.Process, d.GRPCAddr, 10*time.Second)
	return d
}

// waitListening waits until addr accepts a TCP connection.
func waitListening(t testing.TB, p *Process, addr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if p.Exited() {
			t.Fatalf("testbed: %s exited before %s was listening (%v)", p.Name, addr, p.waitErr)
		}
		if time.Now().After(deadline) {
			t.Fatalf("testbed: %s not listening on %s after %s (last: %v)", p.Name, addr, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// issueClientCert issues a TLS client certificate from ca and returns the
// paths of the certificate and its key, both PEM.
func issueClientCert(t testing.TB, ca *CA, name string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("testbed: client key: %v", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(t),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(DefaultCertLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatalf("testbed: client certificate: %v", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("testbed: client key: %v", err)
	}
	certFile = filepath.Join(ca.dir, name+"-client.crt")
	keyFile = filepath.Join(ca.dir, name+"-client.key")
	writePEM(t, certFile, "CERTIFICATE", der, 0o644)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER, 0o600)
	return certFile, keyFile
}

// LogIn runs f through Dex's password form (login f.Username, which Dex
// matches against the email, and f.Password, DexPassword when empty).
// Dex skips its approval screen here.
func (d *Dex) LogIn(ctx context.Context, f Flow) (*FlowResult, error) {
	password := f.Password
	if password == "" {
		password = DexPassword
	}
	login := f.Username
	if login == DexUser {
		login = DexEmail
	}
	return f.run(ctx, func(ctx context.Context, resp *http.Response, body []byte) (*http.Request, error) {
		if !isHTML(resp) || !strings.HasPrefix(resp.Request.URL.String(), d.Issuer+"/") {
			return nil, nil
		}
		forms, err := ParseForms(resp.Request.URL.String(), body)
		if err != nil {
			return nil, err
		}
		if form, ok := findForm(forms, "password", ""); ok {
			return form.Request(ctx, url.Values{"login": {login}, "password": {password}})
		}
		return nil, fmt.Errorf("testbed: Dex page %s has no password form: %.400s", resp.Request.URL, body)
	})
}
