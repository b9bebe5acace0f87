package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dexapi "github.com/dexidp/dex/api/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// fakeDex answers the client calls of Dex's API from a map, as Dex's
// server/api.go does: already_exists and not_found are flags of the reply,
// other failures plain errors.
type fakeDex struct {
	dexapi.UnimplementedDexServer
	mu      sync.Mutex
	clients map[string]*dexapi.Client
	calls   []string
	// failCreate, when set, fails every CreateClient with it.
	failCreate error
}

func (f *fakeDex) record(call string) {
	f.calls = append(f.calls, call)
}

func (f *fakeDex) CreateClient(_ context.Context, req *dexapi.CreateClientReq) (*dexapi.CreateClientResp, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("CreateClient " + req.Client.Id)
	if f.failCreate != nil {
		return nil, f.failCreate
	}
	if _, ok := f.clients[req.Client.Id]; ok {
		return &dexapi.CreateClientResp{AlreadyExists: true}, nil
	}
	f.clients[req.Client.Id] = req.Client
	return &dexapi.CreateClientResp{Client: req.Client}, nil
}

func (f *fakeDex) UpdateClient(_ context.Context, req *dexapi.UpdateClientReq) (*dexapi.UpdateClientResp, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("UpdateClient " + req.Id)
	c, ok := f.clients[req.Id]
	if !ok {
		return &dexapi.UpdateClientResp{NotFound: true}, nil
	}
	if req.RedirectUris != nil {
		c.RedirectUris = req.RedirectUris
	}
	if req.Name != "" {
		c.Name = req.Name
	}
	return &dexapi.UpdateClientResp{}, nil
}

func (f *fakeDex) DeleteClient(_ context.Context, req *dexapi.DeleteClientReq) (*dexapi.DeleteClientResp, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DeleteClient " + req.Id)
	if req.Id == "static" {
		return nil, errors.New("delete client: static clients: read-only cannot delete client")
	}
	if _, ok := f.clients[req.Id]; !ok {
		return &dexapi.DeleteClientResp{NotFound: true}, nil
	}
	delete(f.clients, req.Id)
	return &dexapi.DeleteClientResp{}, nil
}

func (f *fakeDex) ListClients(context.Context, *dexapi.ListClientReq) (*dexapi.ListClientResp, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("ListClients")
	var out []*dexapi.ClientInfo
	for _, c := range f.clients {
		out = append(out, &dexapi.ClientInfo{Id: c.Id, Name: c.Name, RedirectUris: c.RedirectUris,
			TrustedPeers: c.TrustedPeers, Public: c.Public, LogoUrl: c.LogoUrl})
	}
	return &dexapi.ListClientResp{Clients: out}, nil
}

func (f *fakeDex) client(id string) *dexapi.Client {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clients[id]
}

// serveFakeDex serves f on a loopback port, plaintext or with creds.
func serveFakeDex(t *testing.T, f *fakeDex, opts ...grpc.ServerOption) string {
	t.Helper()
	if f.clients == nil {
		f.clients = map[string]*dexapi.Client{}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(opts...)
	dexapi.RegisterDexServer(srv, f)
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	return l.Addr().String()
}

func newTestDex(t *testing.T, o DexOptions) Backend {
	t.Helper()
	b, err := NewDex(o)
	if err != nil {
		t.Fatalf("NewDex: %v", err)
	}
	return b
}

var hexSecret = regexp.MustCompile(`^[0-9a-f]{64}$`)

var dexLogin = Client{Name: LoginClient, DisplayName: "JupyterHub hub.example.org", ClientID: "jupyterhub",
	RedirectURIs: []string{"https://hub.example.org/hub/oauth_callback"}, Scopes: []string{"openid", "email"},
	AuthMethod: "client_secret_post", GrantTypes: []string{"authorization_code"}, PKCE: true}

func TestNewDexRefusesBadOptions(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	tests := []struct {
		name string
		o    DexOptions
		want string
	}{
		{"no port", DexOptions{Address: "dex.example.org"}, "not HOST:PORT"},
		{"empty", DexOptions{}, "not HOST:PORT"},
		{"cert without key", DexOptions{Address: "dex:5557", CertFile: "c.pem"}, "both --dex-cert-file and --dex-key-file"},
		{"plaintext off loopback", DexOptions{Address: "dex.example.org:5557", Insecure: true}, "only on a loopback address"},
		{"plaintext with a CA", DexOptions{Address: "127.0.0.1:5557", Insecure: true, CAFile: notPEM}, "cannot use a CA"},
		{"missing CA file", DexOptions{Address: "dex:5557", CAFile: filepath.Join(dir, "none.pem")}, "reading Dex's CA file"},
		{"CA file without PEM", DexOptions{Address: "dex:5557", CAFile: notPEM}, "holds no PEM certificate"},
		{"missing client cert", DexOptions{Address: "dex:5557", CertFile: filepath.Join(dir, "c"), KeyFile: filepath.Join(dir, "k")}, "loading the Dex client certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDex(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewDex(%+v) = %v, want an error with %q", tt.o, err, tt.want)
			}
		})
	}
	for _, ok := range []DexOptions{{Address: "127.0.0.1:5557", Insecure: true}, {Address: "localhost:5557", Insecure: true}, {Address: "[::1]:5557", Insecure: true}, {Address: "dex:5557"}} {
		if _, err := NewDex(ok); err != nil {
			t.Errorf("NewDex(%+v): %v", ok, err)
		}
	}
}

func TestDexClientID(t *testing.T) {
	tests := []struct {
		c    Client
		want string
	}{
		{Client{ClientID: "given", DisplayName: "JupyterHub x"}, "given"},
		{Client{DisplayName: "JupyterHub hub.example.org:8443"}, "jupyterhub-hub-example-org-8443"},
		{Client{DisplayName: "  --Hub!! "}, "hub"},
		{Client{DisplayName: "ÄÖ"}, "jupyterhub"},
		{Client{}, "jupyterhub"},
	}
	for _, tt := range tests {
		if got := dexClientID(tt.c); got != tt.want {
			t.Errorf("dexClientID(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestDexCreateGetUpdateDelete(t *testing.T) {
	ctx := context.Background()
	f := &fakeDex{}
	b := newTestDex(t, DexOptions{Address: serveFakeDex(t, f), Insecure: true})
	if b.Name() != "dex" {
		t.Errorf("Name() = %q", b.Name())
	}

	if _, ok, err := b.Get(ctx, dexLogin, Stored{}); err != nil || ok {
		t.Fatalf("Get before create = %v, %v; want not found", ok, err)
	}
	reg, err := b.Create(ctx, dexLogin)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if reg.ClientID != "jupyterhub" || !hexSecret.MatchString(reg.ClientSecret) || !slices.Equal(reg.RedirectURIs, dexLogin.RedirectURIs) {
		t.Errorf("Create = %+v", reg)
	}
	at := f.client("jupyterhub")
	if at == nil || at.Secret != reg.ClientSecret || at.Name != dexLogin.DisplayName || at.Public {
		t.Fatalf("Dex holds %+v after Create", at)
	}

	got, ok, err := b.Get(ctx, Client{Name: LoginClient}, Stored{ClientID: "jupyterhub"})
	if err != nil || !ok || got.ClientID != "jupyterhub" || !slices.Equal(got.RedirectURIs, dexLogin.RedirectURIs) || got.ClientSecret != "" {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}
	if d := Differences(dexLogin, got); len(d) != 0 {
		t.Errorf("a fresh Dex client differs from the spec: %v (Dex keeps no scopes or auth method, so none may be compared)", d)
	}

	moved := dexLogin
	moved.RedirectURIs = []string{"https://new.example.org/hub/oauth_callback"}
	moved.DisplayName = "JupyterHub new.example.org"
	if d := Differences(moved, got); len(d) != 1 {
		t.Errorf("a moved hub does not differ by its redirect URI: %v", d)
	}
	if _, err := b.Update(ctx, moved, Stored{ClientID: "jupyterhub"}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if at := f.client("jupyterhub"); !slices.Equal(at.RedirectUris, moved.RedirectURIs) || at.Name != moved.DisplayName || at.Secret != reg.ClientSecret {
		t.Errorf("Dex holds %+v after Update, want the new redirect URI and name and the old secret", at)
	}

	if err := b.Delete(ctx, moved, Stored{ClientID: "jupyterhub"}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if f.client("jupyterhub") != nil {
		t.Error("the client is still at Dex after Delete")
	}
	if err := b.Delete(ctx, moved, Stored{ClientID: "jupyterhub"}); err != nil {
		t.Errorf("Delete of a client that is gone = %v, want nil", err)
	}
	if _, err := b.Update(ctx, moved, Stored{ClientID: "jupyterhub"}); err == nil || !strings.Contains(err.Error(), "hubctl app create login") {
		t.Errorf("Update of a client that is gone = %v, want a hint to create it", err)
	}
	if err := b.Delete(ctx, Client{Name: LoginClient}, Stored{}); err == nil {
		t.Error("Delete without a client id succeeded")
	}
}

func TestDexCreateExisting(t *testing.T) {
	ctx := context.Background()
	f := &fakeDex{clients: map[string]*dexapi.Client{
		"jupyterhub-hub-example-org": {Id: "jupyterhub-hub-example-org", Secret: "their-secret-0123", RedirectUris: []string{"https://old/hub/oauth_callback"}},
		"jupyterhub":                 {Id: "jupyterhub", Secret: "their-secret-0123", RedirectUris: dexLogin.RedirectURIs},
	}}
	b := newTestDex(t, DexOptions{Address: serveFakeDex(t, f), Insecure: true})

	// The spec has no id: the one made from the display name is taken.
	unnamed := dexLogin
	unnamed.ClientID = ""
	_, err := b.Create(ctx, unnamed)
	var dexExists *DexExistsError
	var exists *ExistsError
	if !errors.As(err, &dexExists) || !errors.As(err, &exists) || !errors.Is(err, ErrClientExists) || dexExists.Named {
		t.Fatalf("Create of a taken id = %v, want an unnamed *DexExistsError that is an *ExistsError and ErrClientExists", err)
	}
	if exists.ClientID != "jupyterhub-hub-example-org" || exists.Backend != "dex" || len(exists.Differs) != 1 {
		t.Errorf("ExistsError = %+v, want the id, the backend and the redirect URI difference", exists)
	}
	for _, want := range []string{"login.clientId: jupyterhub-hub-example-org", "hubctl app rotate login"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message lacks %q: %v", want, err)
		}
	}
	// The spec names the id: the flow's own ExistsError.
	_, err = b.Create(ctx, dexLogin)
	if !errors.As(err, &dexExists) || !dexExists.Named || len(dexExists.Differs) != 0 || err.Error() != dexExists.ExistsError.Error() {
		t.Errorf("Create of the spec's id = %v, want a named *DexExistsError with the flow's message and no differences", err)
	}
	if f.client("jupyterhub").Secret != "their-secret-0123" {
		t.Error("Create changed the existing client's secret")
	}
	if strings.Contains(err.Error(), "their-secret") {
		t.Errorf("a secret in the message: %v", err)
	}
}

func TestDexRotate(t *testing.T) {
	ctx := context.Background()
	f := &fakeDex{clients: map[string]*dexapi.Client{
		"jupyterhub": {Id: "jupyterhub", Secret: "old-secret-0123", Name: "JupyterHub", RedirectUris: dexLogin.RedirectURIs,
			TrustedPeers: []string{"other-app"}, LogoUrl: "https://hub.example.org/logo.png"},
		"public": {Id: "public", Public: true},
	}}
	b := newTestDex(t, DexOptions{Address: serveFakeDex(t, f), Insecure: true})

	reg, err := b.Rotate(ctx, dexLogin, Stored{ClientID: "jupyterhub"})
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	at := f.client("jupyterhub")
	if !hexSecret.MatchString(reg.ClientSecret) || at.Secret != reg.ClientSecret || reg.ClientID != "jupyterhub" {
		t.Fatalf("Rotate = %+v and Dex holds %+v: want the same id with the new secret", reg, at)
	}
	if at.Name != "JupyterHub" || !slices.Equal(at.TrustedPeers, []string{"other-app"}) || at.LogoUrl == "" || !slices.Equal(at.RedirectUris, dexLogin.RedirectURIs) {
		t.Errorf("Rotate lost what the client had: %+v", at)
	}
	if want := []string{"ListClients", "DeleteClient jupyterhub", "CreateClient jupyterhub"}; !slices.Equal(f.calls, want) {
		t.Errorf("calls %v, want %v", f.calls, want)
	}

	if _, err := b.Rotate(ctx, dexLogin, Stored{ClientID: "gone"}); err == nil || !strings.Contains(err.Error(), "hubctl app create login") {
		t.Errorf("Rotate of an unknown client = %v, want a hint to create it", err)
	}
	if _, err := b.Rotate(ctx, dexLogin, Stored{ClientID: "public"}); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Rotate of a public client = %v, want ErrNotSupported", err)
	}

	f.failCreate = errors.New("storage is down")
	_, err = b.Rotate(ctx, dexLogin, Stored{ClientID: "jupyterhub"})
	if err == nil || !strings.Contains(err.Error(), "deleted Dex client jupyterhub") || !strings.Contains(err.Error(), "hubctl app create login") {
		t.Errorf("Rotate whose create failed = %v, want it to say the client was deleted and how to recover", err)
	}
}

func TestDexErrorsSayWhatToDo(t *testing.T) {
	ctx := context.Background()
	f := &fakeDex{clients: map[string]*dexapi.Client{}}
	addr := serveFakeDex(t, f)
	b := newTestDex(t, DexOptions{Address: addr, Insecure: true})
	err := b.Delete(ctx, dexLogin, Stored{ClientID: "static"})
	if err == nil || !strings.Contains(err.Error(), "staticClients") {
		t.Errorf("Delete of a static client = %v, want a hint about Dex's staticClients", err)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	b = newTestDex(t, DexOptions{Address: closed, Insecure: true})
	_, _, err = b.Get(ctx, dexLogin, Stored{})
	if err == nil || !strings.Contains(err.Error(), "check that Dex runs") || !strings.Contains(err.Error(), closed) {
		t.Errorf("Get from a closed port = %v, want the address and a hint", err)
	}

	// A server that accepts connections and never answers.
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	b = newTestDex(t, DexOptions{Address: silent.Addr().String(), Insecure: true})
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, _, err = b.Get(short, dexLogin, Stored{}); err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("Get from a silent server = %v, want a timeout hint", err)
	}
}

func TestDexDryRun(t *testing.T) {
	ctx := context.Background()
	f := &fakeDex{clients: map[string]*dexapi.Client{"jupyterhub": {Id: "jupyterhub", Secret: "old-secret-0123"}}}
	var out strings.Builder
	b := newTestDex(t, DexOptions{Address: serveFakeDex(t, f), Insecure: true, DryRun: &out})

	unnamed := dexLogin
	unnamed.ClientID = "new-client"
	if _, err := b.Create(ctx, unnamed); !errors.Is(err, ErrDryRun) {
		t.Fatalf("Create in a dry run = %v, want ErrDryRun", err)
	}
	if _, err := b.Rotate(ctx, dexLogin, Stored{ClientID: "jupyterhub"}); !errors.Is(err, ErrDryRun) {
		t.Fatalf("Rotate in a dry run = %v, want ErrDryRun", err)
	}
	if want := []string{"ListClients"}; !slices.Equal(f.calls, want) {
		t.Errorf("Dex got %v in a dry run, want only the read %v", f.calls, want)
	}
	printed := out.String()
	for _, want := range []string{"/api.Dex/CreateClient", `"id": "new-client"`, `"secret": "********"`, "/api.Dex/DeleteClient"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the dry run lacks %q:\n%s", want, printed)
		}
	}
	if regexp.MustCompile(`[0-9a-f]{64}`).MatchString(printed) {
		t.Errorf("the dry run printed the new secret:\n%s", printed)
	}
}

func TestDexTLS(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	caCert, _ := x509.ParseCertificate(caDER)
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600)
	issue := func(name string, usage x509.ExtKeyUsage) tls.Certificate {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, _ := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
		os.WriteFile(filepath.Join(dir, name+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
		os.WriteFile(filepath.Join(dir, name+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
		c, _ := tls.LoadX509KeyPair(filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key"))
		return c
	}
	server := issue("server", x509.ExtKeyUsageServerAuth)
	issue("client", x509.ExtKeyUsageClientAuth)
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	mtls := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{server}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert})
	addr := serveFakeDex(t, &fakeDex{}, grpc.Creds(mtls))

	tests := []struct {
		name string
		o    DexOptions
		want string // "" for success
	}{
		{"CA and client certificate", DexOptions{Address: addr, CAFile: caFile, CertFile: filepath.Join(dir, "client.crt"), KeyFile: filepath.Join(dir, "client.key")}, ""},
		{"system CAs", DexOptions{Address: addr}, "--dex-ca-file"},
		{"no client certificate", DexOptions{Address: addr, CAFile: caFile}, "--dex-cert-file"},
		{"plaintext", DexOptions{Address: addr, Insecure: true}, "Dex ListClients at " + addr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestDex(t, tt.o)
			_, _, err := b.Get(ctx, dexLogin, Stored{})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Get = %v, want an error with %q", err, tt.want)
			}
		})
	}
}
