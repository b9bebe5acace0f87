package testbed

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const podManifests = `apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  app.py: print("hi")
  settings.yaml: "a: 1"
---
apiVersion: v1
kind: Secret
metadata: {name: app}
data:
  token: c2VjcmV0LXRva2Vu
stringData:
  files/ca.pem: PEM
---
apiVersion: v1
kind: Service
metadata: {name: proxy-api}
spec:
  ports: [{name: http, port: 8001, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: headless}
spec: {clusterIP: None, ports: [{port: 1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      serviceAccountName: app-sa
      volumes:
        - {name: config, configMap: {name: app}}
        - {name: secret, secret: {secretName: app, items: [{key: token, path: api/token}]}}
        - {name: files, secret: {secretName: app, items: [{key: files/ca.pem, path: ca.pem}]}}
        - {name: data, persistentVolumeClaim: {claimName: app-data}}
        - {name: optional, secret: {secretName: absent, optional: true}}
      containers:
        - name: other
        - name: app
          command: [python]
          args: [/etc/app/app.py, --token-dir, $(DIR), $$(DIR)]
          volumeMounts:
            - {name: config, mountPath: /etc/app/app.py, subPath: app.py}
            - {name: config, mountPath: /etc/app/config/}
            - {name: secret, mountPath: /etc/app/secret}
            - {name: files, mountPath: /etc/ssl/ca.pem, subPath: ca.pem}
            - {name: data, mountPath: /srv/data}
            - {name: optional, mountPath: /etc/optional}
          env:
            - {name: DIR, value: /etc/app/secret}
            - {name: TOKEN_FILE, value: $(DIR)/api/token}
            - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
            - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
            - {name: TOKEN, valueFrom: {secretKeyRef: {name: app, key: token}}}
            - {name: MAYBE, valueFrom: {secretKeyRef: {name: app, key: nope, optional: true}}}
`

func TestMaterialize(t *testing.T) {
	ms, err := ParseManifests([]byte(podManifests))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	c, err := ms.Materialize(root, "Deployment", "app", "app", PodPlace{Namespace: "jhub", PodName: "app-0"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"etc/app/app.py":               `print("hi")`,
		"etc/app/config/settings.yaml": "a: 1",
		"etc/app/config/app.py":        `print("hi")`,
		"etc/app/secret/api/token":     "secret-token",
		"etc/ssl/ca.pem":               "PEM",
	} {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, dir := range []string{"srv/data", "etc/optional"} {
		if info, err := os.Stat(filepath.Join(root, dir)); err != nil || !info.IsDir() {
			t.Errorf("%s: want an empty directory, got %v", dir, err)
		}
	}
	wantEnv := map[string]string{
		"DIR": "/etc/app/secret", "TOKEN_FILE": "/etc/app/secret/api/token", "NS": "jhub", "SA": "app-sa", "TOKEN": "secret-token",
		"PROXY_API_SERVICE_HOST": "127.0.0.1", "PROXY_API_SERVICE_PORT": "8001", "PROXY_API_SERVICE_PORT_HTTP": "8001",
		"PROXY_API_PORT": "tcp://127.0.0.1:8001", "PROXY_API_PORT_8001_TCP": "tcp://127.0.0.1:8001",
		"PROXY_API_PORT_8001_TCP_PROTO": "tcp", "PROXY_API_PORT_8001_TCP_PORT": "8001", "PROXY_API_PORT_8001_TCP_ADDR": "127.0.0.1",
	}
	if !reflect.DeepEqual(c.Env, wantEnv) {
		t.Errorf("env = %v\nwant %v", c.Env, wantEnv)
	}
	if want := []string{"python", "/etc/app/app.py", "--token-dir", "/etc/app/secret", "$(DIR)"}; !reflect.DeepEqual(c.Args, want) {
		t.Errorf("args = %q, want %q", c.Args, want)
	}
	if len(c.Mounts) != 6 {
		t.Errorf("mounts = %v", c.Mounts)
	}
}

func TestMaterializeRefuses(t *testing.T) {
	for _, tc := range []struct{ change, want string }{
		{"{name: data, persistentVolumeClaim: {claimName: app-data}}", ""},
		{"{name: config, configMap: {name: app}}\n        - {name: data, hostPath: {path: /}}", "unsupported volume source [hostPath]"},
		{"{name: data, secret: {secretName: missing}}", "Secret missing is not in the manifests"},
	} {
		m := strings.Replace(podManifests, "{name: data, persistentVolumeClaim: {claimName: app-data}}", tc.change, 1)
		m = strings.Replace(m, "- {name: config, configMap: {name: app}}\n        - {name: config, configMap: {name: app}}", "- {name: config, configMap: {name: app}}", 1)
		ms, err := ParseManifests([]byte(m))
		if err != nil {
			t.Fatal(err)
		}
		_, err = ms.Materialize(t.TempDir(), "Deployment", "app", "app", PodPlace{})
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.change, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.change, err, tc.want)
		}
	}
	ms, _ := ParseManifests([]byte(podManifests))
	if _, err := ms.Materialize(t.TempDir(), "Deployment", "app", "sidecar", PodPlace{}); err == nil || !strings.Contains(err.Error(), "no container sidecar") {
		t.Errorf("unknown container: %v", err)
	}
}
