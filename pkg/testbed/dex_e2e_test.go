//go:build e2e

// This file proves the test bed's Dex: a login through its password form
// with a static client, and its gRPC API over TLS and mutual TLS.

package testbed_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"strings"
	"testing"

	dexapi "github.com/dexidp/dex/api/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/hubctl/hubctl/pkg/testbed"
)

func TestDex(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	static := newOAuthClient(t)
	static.ClientID, static.ClientSecret = "testbed-static", "testbed-static-secret-0123456789"
	static.Scope = "openid profile email"
	d := testbed.StartDex(t, testbed.DexOptions{MTLS: true, StaticClients: []testbed.DexStaticClient{{
		ID: static.ClientID, Secret: static.ClientSecret, RedirectURIs: []string{static.RedirectURI},
	}}})
	if d.ClientCert == "" || d.ClientKey == "" {
		t.Fatal("StartDex with MTLS gave no client certificate")
	}

	t.Run("login", func(t *testing.T) {
		doc := discover(t, static, http.DefaultClient, d.Issuer)
		if _, ok := doc["registration_endpoint"]; ok {
			t.Errorf("Dex advertises a registration_endpoint: %v", doc["registration_endpoint"])
		}
		res, err := d.LogIn(ctx, testbed.Flow{
			Client: testbed.NewBrowser(), StartURL: static.LoginURL, Username: testbed.DexUser, OnHop: logHops(t),
		})
		if err != nil {
			t.Fatal(err)
		}
		got := decodeResult(t, res.Body)
		if got.Error != "" {
			t.Fatalf("callback: %s", got.Error)
		}
		if got.Userinfo["email"] != testbed.DexEmail || got.Userinfo["name"] != testbed.DexUser {
			t.Errorf("userinfo = %v, want email %s and name %s", got.Userinfo, testbed.DexEmail, testbed.DexUser)
		}
	})

	pool := x509.NewCertPool()
	pem, err := os.ReadFile(d.CAFile)
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("Dex's CA file %s: %v", d.CAFile, err)
	}
	clientCert, err := tls.LoadX509KeyPair(d.ClientCert, d.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		config *tls.Config
		ok     bool
	}{
		{"client certificate", &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{clientCert}}, true},
		{"no client certificate", &tls.Config{RootCAs: pool}, false},
		{"untrusted server", &tls.Config{Certificates: []tls.Certificate{clientCert}}, false},
	}
	for _, tt := range tests {
		t.Run("grpc "+tt.name, func(t *testing.T) {
			conn, err := grpc.NewClient(d.GRPCAddr, grpc.WithTransportCredentials(credentials.NewTLS(tt.config)))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			resp, err := dexapi.NewDexClient(conn).ListClients(ctx, &dexapi.ListClientReq{})
			if !tt.ok {
				if err == nil {
					t.Fatal("the gRPC API answered")
				}
				t.Logf("refused as it should be: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("ListClients: %v", err)
			}
			var ids []string
			for _, c := range resp.Clients {
				ids = append(ids, c.Id)
			}
			if strings.Join(ids, ",") != static.ClientID {
				t.Errorf("ListClients = %v, want the static client %s", ids, static.ClientID)
			}
		})
	}
}
