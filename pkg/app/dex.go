package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	dexapi "github.com/dexidp/dex/api/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// DexOptions say where Dex's gRPC API is and how to authenticate to it.
type DexOptions struct {
	// Address is the API's HOST:PORT (Dex's grpc.addr).
	Address string
	// CAFile verifies Dex's certificate; empty trusts the system's CAs.
	CAFile string
	// CertFile and KeyFile are a client certificate, for a Dex whose
	// grpc.tlsClientCA asks for one.
	CertFile, KeyFile string
	// Insecure talks plaintext gRPC, which only a loopback Address may use:
	// a CreateClient carries the client secret.
	Insecure bool
	// DryRun, when set, receives each request that would change a client
	// (secrets masked) instead of Dex; the operation then ends with
	// ErrDryRun. Reads still reach Dex.
	DryRun io.Writer
}

// dexTimeout bounds each call when the caller's context has no deadline:
// a Dex that accepts the connection and never answers must not hang hubctl.
const dexTimeout = 30 * time.Second

// NewDex manages clients through Dex's gRPC API (github.com/dexidp/dex/api/v2),
// since Dex has no dynamic registration. Dex records no scopes, grant types,
// auth methods or PKCE per client: any registered client may ask for any
// scope Dex supports, and both client_secret_basic and client_secret_post
// work, so only the redirect URIs and the name are managed.
func NewDex(o DexOptions) (Backend, error) {
	host, _, err := net.SplitHostPort(o.Address)
	if err != nil || host == "" {
		return nil, fmt.Errorf("the Dex gRPC address %q is not HOST:PORT (Dex's grpc.addr, for example dex.example.org:5557)", o.Address)
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, fmt.Errorf("a client certificate for Dex needs both --dex-cert-file and --dex-key-file")
	}
	var creds credentials.TransportCredentials
	if o.Insecure {
		if o.CAFile != "" || o.CertFile != "" {
			return nil, fmt.Errorf("plaintext gRPC to Dex cannot use a CA or client certificate: drop the insecure setting or the TLS files")
		}
		if !isLoopback(host) {
			return nil, fmt.Errorf("plaintext gRPC to Dex is allowed only on a loopback address, not %s: set grpc.tlsCert and grpc.tlsKey in Dex's config and give --dex-ca-file", host)
		}
		creds = insecure.NewCredentials()
	} else {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if o.CAFile != "" {
			pem, err := os.ReadFile(o.CAFile)
			if err != nil {
				return nil, fmt.Errorf("reading Dex's CA file: %w", err)
			}
			cfg.RootCAs = x509.NewCertPool()
			if !cfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("the Dex CA file %s holds no PEM certificate", o.CAFile)
			}
		}
		if o.CertFile != "" {
			cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("loading the Dex client certificate %s and key %s: %w", o.CertFile, o.KeyFile, err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		creds = credentials.NewTLS(cfg)
	}
	return &dex{address: o.Address, creds: creds, dryRun: o.DryRun, mTLS: o.CertFile != "", plaintext: o.Insecure}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type dex struct {
	address   string
	creds     credentials.TransportCredentials
	dryRun    io.Writer
	mTLS      bool
	plaintext bool
}

func (d *dex) Name() string { return "dex" }

// call runs f on a connection of its own: the Backend has no Close, and a
// hubctl run makes a handful of calls at most.
func (d *dex) call(ctx context.Context, f func(context.Context, dexapi.DexClient) error) error {
	opts := []grpc.DialOption{grpc.WithTransportCredentials(d.creds)}
	if d.dryRun != nil {
		opts = append(opts, grpc.WithUnaryInterceptor(d.printChanges))
	}
	conn, err := grpc.NewClient(d.address, opts...)
	if err != nil {
		return fmt.Errorf("Dex gRPC API at %s: %w", d.address, err)
	}
	defer conn.Close()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, dexTimeout)
		defer cancel()
	}
	return f(ctx, dexapi.NewDexClient(conn))
}

// printChanges is the dry run: it prints every call but the reads and
// stops it there.
func (d *dex) printChanges(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if strings.HasSuffix(method, "/ListClients") || strings.HasSuffix(method, "/GetVersion") {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	msg, ok := req.(proto.Message)
	if !ok {
		return ErrDryRun
	}
	msg = proto.Clone(msg)
	if c, ok := msg.(*dexapi.CreateClientReq); ok && c.Client != nil && c.Client.Secret != "" {
		c.Client.Secret = "********"
	}
	raw, err := protojson.Marshal(msg)
	if err != nil {
		return err
	}
	// protojson varies its spacing from build to build on purpose;
	// json.Indent makes the printout stable.
	var body bytes.Buffer
	if err := json.Indent(&body, raw, "", "  "); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(d.dryRun, "gRPC %s %s\n\n%s\n", d.address, method, body.String()); err != nil {
		return err
	}
	return ErrDryRun
}

// explain turns a gRPC failure into one line that says what to change.
func (d *dex) explain(op string, err error) error {
	if errors.Is(err, ErrDryRun) {
		return err
	}
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("Dex %s at %s: %w", op, d.address, err)
	}
	msg := st.Message()
	hint := ""
	switch {
	case st.Code() == codes.Unavailable && strings.Contains(msg, "handshake"):
		hint = "the TLS handshake failed: check --dex-ca-file against the CA of Dex's grpc.tlsCert"
		if !d.mTLS {
			hint += ", and give --dex-cert-file and --dex-key-file if Dex sets grpc.tlsClientCA"
		}
	case st.Code() == codes.Unavailable && !d.mTLS && !d.plaintext && strings.Contains(msg, "certificate required"):
		hint = "Dex asks for a client certificate (grpc.tlsClientCA): give --dex-cert-file and --dex-key-file"
	case st.Code() == codes.Unavailable && strings.Contains(msg, "bad certificate"):
		hint = "Dex refused the client certificate: issue --dex-cert-file from the CA in Dex's grpc.tlsClientCA"
	case st.Code() == codes.Unavailable:
		hint = "check that Dex runs, that grpc.addr in its config is " + d.address + ", and that it is reachable from here"
		// Under TLS 1.3 a missing client certificate shows only as a
		// connection the server closed.
		if !d.mTLS && !d.plaintext {
			hint += "; if Dex sets grpc.tlsClientCA, give --dex-cert-file and --dex-key-file"
		}
	case st.Code() == codes.DeadlineExceeded:
		hint = "Dex did not answer in time: check that " + d.address + " is Dex's grpc.addr and not its web port"
	case strings.Contains(msg, "static clients"):
		hint = "this client is one of Dex's staticClients, which its gRPC API cannot change: edit staticClients in Dex's config, or register the hub under another client id"
	}
	if hint != "" {
		return fmt.Errorf("Dex %s at %s: %s: %s", op, d.address, msg, hint)
	}
	return fmt.Errorf("Dex %s at %s: %s (%s)", op, d.address, msg, st.Code())
}

// dexClientID is the id a new client gets: the one the spec or the state
// knows, else one made from the display name, since Dex, unlike the
// RFC 7591 registries, takes the id from the caller (it would make a random
// one otherwise, which a second create could not find again).
func dexClientID(c Client) string {
	if c.ClientID != "" {
		return c.ClientID
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(c.DisplayName) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	if id := strings.TrimSuffix(b.String(), "-"); id != "" {
		return id
	}
	return "jupyterhub"
}

// newDexSecret makes the client secret hubctl gives Dex: Dex would make
// one itself, but hubctl then has to read it back, and a rotate, which Dex
// has no call for, has to choose one anyway.
func newDexSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a client secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// DexExistsError is a create whose client id Dex has already. It is an
// *ExistsError for the flows and matches ErrClientExists. Named says the
// spec or the state gave the id; otherwise the id was made from the
// display name, for a client hubctl does not know, and create-or-update
// cannot take it over, since the secret Dex holds for it is unknown here.
type DexExistsError struct {
	*ExistsError
	Named bool
}

func (e *DexExistsError) Error() string {
	if e.Named {
		return e.ExistsError.Error()
	}
	return fmt.Sprintf("Dex has a client %s already, which the spec does not name: "+
		"to take it over, set login.clientId: %s and run hubctl app rotate %s, which gives it a new secret and stores it; "+
		"for a new client, set login.clientId to another id", e.ClientID, e.ClientID, e.Name)
}

func (e *DexExistsError) Unwrap() error { return e.ExistsError }

// Is makes it match ErrClientExists, as the other registries' refusals do.
func (e *DexExistsError) Is(target error) bool { return target == ErrClientExists }

func (d *dex) Create(ctx context.Context, c Client) (Registration, error) {
	secret, err := newDexSecret()
	if err != nil {
		return Registration{}, err
	}
	want := &dexapi.Client{Id: dexClientID(c), Secret: secret, Name: c.DisplayName, RedirectUris: c.RedirectURIs}
	var resp *dexapi.CreateClientResp
	err = d.call(ctx, func(ctx context.Context, api dexapi.DexClient) error {
		resp, err = api.CreateClient(ctx, &dexapi.CreateClientReq{Client: want})
		return err
	})
	if err != nil {
		return Registration{}, d.explain("CreateClient", err)
	}
	if resp.AlreadyExists {
		exists := &ExistsError{Name: c.Name, ClientID: want.Id, Backend: d.Name()}
		if got, ok, err := d.Get(ctx, Client{ClientID: want.Id}, Stored{}); err == nil && ok {
			exists.Differs = Differences(c, got)
		}
		return Registration{}, &DexExistsError{ExistsError: exists, Named: c.ClientID != ""}
	}
	return Registration{ClientID: want.Id, ClientSecret: secret, RedirectURIs: want.RedirectUris}, nil
}

// find reads the client with ListClients: GetClient would send its secret
// over the wire for nothing, and answers an unknown id with a bare
// "not found" of code Unknown rather than NotFound.
func (d *dex) find(ctx context.Context, id string) (*dexapi.ClientInfo, error) {
	var resp *dexapi.ListClientResp
	err := d.call(ctx, func(ctx context.Context, api dexapi.DexClient) error {
		var err error
		resp, err = api.ListClients(ctx, &dexapi.ListClientReq{})
		return err
	})
	if err != nil {
		return nil, d.explain("ListClients", err)
	}
	for _, info := range resp.Clients {
		if info.Id == id {
			return info, nil
		}
	}
	return nil, nil
}

func (d *dex) Get(ctx context.Context, c Client, prev Stored) (Registration, bool, error) {
	id := firstNonEmpty(prev.ClientID, c.ClientID)
	if id == "" {
		return Registration{}, false, nil
	}
	info, err := d.find(ctx, id)
	if err != nil || info == nil {
		return Registration{}, false, err
	}
	// Never nil, so that a client without redirect URIs differs from a spec
	// that has some.
	uris := append([]string{}, info.RedirectUris...)
	return Registration{ClientID: info.Id, RedirectURIs: uris}, true, nil
}

func (d *dex) Update(ctx context.Context, c Client, prev Stored) (Registration, error) {
	id := firstNonEmpty(prev.ClientID, c.ClientID)
	if id == "" {
		return Registration{}, fmt.Errorf("%s has no client id: run hubctl app create %s first", c.Name, c.Name)
	}
	// Dex keeps a field whose value is empty, so the redirect URIs are sent
	// as a list even when the spec has none.
	req := &dexapi.UpdateClientReq{Id: id, Name: c.DisplayName, RedirectUris: append([]string{}, c.RedirectURIs...)}
	var resp *dexapi.UpdateClientResp
	err := d.call(ctx, func(ctx context.Context, api dexapi.DexClient) error {
		var err error
		resp, err = api.UpdateClient(ctx, req)
		return err
	})
	if err != nil {
		return Registration{}, d.explain("UpdateClient", err)
	}
	if resp.NotFound {
		return Registration{}, fmt.Errorf("Dex has no client %s: hubctl app create %s registers it again", id, c.Name)
	}
	return Registration{ClientID: id, RedirectURIs: req.RedirectUris}, nil
}

// Rotate deletes the client and creates it again under the same id with a
// new secret: Dex's UpdateClient cannot change a secret (api/v2 v2.4.0 has
// no such field), and a client's secret is otherwise fixed. The old secret
// stops working at once. Everything else the client had (name, redirect
// URIs, trusted peers, logo) is carried over; refresh tokens Dex issued to
// it stay valid, as they are bound to the id. Between the two calls the
// client does not exist, so a hub login in that moment fails.
func (d *dex) Rotate(ctx context.Context, c Client, prev Stored) (Registration, error) {
	id := firstNonEmpty(prev.ClientID, c.ClientID)
	if id == "" {
		return Registration{}, fmt.Errorf("%s has no client id: run hubctl app create %s first", c.Name, c.Name)
	}
	info, err := d.find(ctx, id)
	if err != nil {
		return Registration{}, err
	}
	if info == nil {
		return Registration{}, fmt.Errorf("Dex has no client %s: hubctl app create %s registers it again", id, c.Name)
	}
	if info.Public {
		return Registration{}, fmt.Errorf("Dex client %s is public and has no secret to rotate: %w", id, ErrNotSupported)
	}
	secret, err := newDexSecret()
	if err != nil {
		return Registration{}, err
	}
	again := &dexapi.Client{Id: id, Secret: secret, Name: info.Name, RedirectUris: info.RedirectUris,
		TrustedPeers: info.TrustedPeers, LogoUrl: info.LogoUrl}
	err = d.call(ctx, func(ctx context.Context, api dexapi.DexClient) error {
		if _, err := api.DeleteClient(ctx, &dexapi.DeleteClientReq{Id: id}); err != nil {
			return d.explain("DeleteClient", err)
		}
		resp, err := api.CreateClient(ctx, &dexapi.CreateClientReq{Client: again})
		if err == nil && resp.AlreadyExists {
			err = fmt.Errorf("another client %s appeared at Dex meanwhile", id)
		} else if err != nil {
			err = d.explain("CreateClient", err)
		}
		if err != nil {
			return fmt.Errorf("rotating %s deleted Dex client %s, and creating it again with a new secret failed: %w; "+
				"run hubctl app create %s to register it again", c.Name, id, err, c.Name)
		}
		return nil
	})
	if err != nil {
		return Registration{}, err
	}
	return Registration{ClientID: id, ClientSecret: secret, RedirectURIs: append([]string{}, info.RedirectUris...)}, nil
}

func (d *dex) Delete(ctx context.Context, c Client, prev Stored) error {
	id := firstNonEmpty(prev.ClientID, c.ClientID)
	if id == "" {
		return fmt.Errorf("%s has no client id: nothing to delete", c.Name)
	}
	// A NotFound reply is fine: the client is gone, which is what was asked.
	err := d.call(ctx, func(ctx context.Context, api dexapi.DexClient) error {
		_, err := api.DeleteClient(ctx, &dexapi.DeleteClientReq{Id: id})
		return err
	})
	if err != nil {
		return d.explain("DeleteClient", err)
	}
	return nil
}
