package testbed

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Manifests are Kubernetes objects as helm template prints them, parsed
// into plain maps.
type Manifests []map[string]any

// ParseManifests reads YAML streams of Kubernetes objects (helm template's
// output, kubectl-style Secrets); empty documents are skipped.
func ParseManifests(streams ...[]byte) (Manifests, error) {
	var out Manifests
	for _, data := range streams {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var obj map[string]any
			err := dec.Decode(&obj)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("manifests: %w", err)
			}
			if obj != nil {
				out = append(out, obj)
			}
		}
	}
	return out, nil
}

// Find returns the object of kind and name.
func (ms Manifests) Find(kind, name string) (map[string]any, bool) {
	for _, o := range ms {
		if str(o, "kind") == kind && str(o, "metadata", "name") == name {
			return o, true
		}
	}
	return nil, false
}

// Container is one container of a workload as a kubelet would start it:
// its volumes written under Root at their mount paths, its environment
// resolved, its command line.
type Container struct {
	Root string
	// Mounts are the container paths something was mounted at.
	Mounts []string
	Env    map[string]string
	// Args is command and args, as the container runs them.
	Args []string
}

// PodPlace is what a kubelet knows about the pod that the manifests do
// not say: its name and namespace, and the addresses the cluster gave it
// and its Services.
type PodPlace struct {
	Namespace string
	PodName   string
	// ServiceHost is the address every Service's environment variables
	// name (a cluster IP on a real cluster).
	ServiceHost string
}

var envRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\$`)

// Materialize lays out container of the workload (a Deployment,
// StatefulSet, DaemonSet, Job or Pod) named name under root, from the
// manifests alone: each volume (configMap, secret, projected, emptyDir,
// persistentVolumeClaim) at its mountPath (subPath included), and the
// environment from env, envFrom and the Services' links, as the kubelet
// builds them. It knows nothing of any chart; a volume or value source it
// does not handle is an error, never silently left out.
func (ms Manifests) Materialize(root, kind, name, container string, place PodPlace) (*Container, error) {
	obj, ok := ms.Find(kind, name)
	if !ok {
		return nil, fmt.Errorf("no %s %s in the manifests", kind, name)
	}
	podSpec := mapAt(obj, "spec", "template", "spec")
	if kind == "Pod" {
		podSpec = mapAt(obj, "spec")
	}
	if podSpec == nil {
		return nil, fmt.Errorf("%s %s has no pod template", kind, name)
	}
	var ctr map[string]any
	for _, c := range listAt(podSpec, "containers") {
		if m, _ := c.(map[string]any); str(m, "name") == container {
			ctr = m
		}
	}
	if ctr == nil {
		return nil, fmt.Errorf("%s %s has no container %s", kind, name, container)
	}
	if place.ServiceHost == "" {
		place.ServiceHost = "127.0.0.1"
	}
	k := &kubelet{ms: ms, place: place, podSpec: podSpec}
	out := &Container{Root: root, Env: map[string]string{}}
	volumes := map[string]map[string]any{}
	for _, v := range listAt(podSpec, "volumes") {
		m, _ := v.(map[string]any)
		volumes[str(m, "name")] = m
	}
	for _, vm := range listAt(ctr, "volumeMounts") {
		m, _ := vm.(map[string]any)
		vol, ok := volumes[str(m, "name")]
		if !ok {
			return nil, fmt.Errorf("volumeMount %s names no volume", str(m, "name"))
		}
		files, dir, err := k.volumeFiles(vol)
		if err != nil {
			return nil, fmt.Errorf("volume %s: %w", str(vol, "name"), err)
		}
		mountPath := str(m, "mountPath")
		if err := writeMount(root, mountPath, str(m, "subPath"), files, dir); err != nil {
			return nil, fmt.Errorf("volumeMount %s at %s: %w", str(m, "name"), mountPath, err)
		}
		out.Mounts = append(out.Mounts, mountPath)
	}
	// Service links come first: the container's own env may use them and
	// overrides them.
	if b, ok := podSpec["enableServiceLinks"].(bool); !ok || b {
		k.serviceLinks(out.Env)
	}
	for _, ef := range listAt(ctr, "envFrom") {
		m, _ := ef.(map[string]any)
		prefix := str(m, "prefix")
		data, err := k.envFromSource(m)
		if err != nil {
			return nil, err
		}
		for key, v := range data {
			out.Env[prefix+key] = v
		}
	}
	for _, e := range listAt(ctr, "env") {
		m, _ := e.(map[string]any)
		name := str(m, "name")
		if from := mapAt(m, "valueFrom"); from != nil {
			v, set, err := k.valueFrom(from)
			if err != nil {
				return nil, fmt.Errorf("env %s: %w", name, err)
			}
			if set {
				out.Env[name] = v
			}
			continue
		}
		out.Env[name] = expand(str(m, "value"), out.Env)
	}
	for _, key := range []string{"command", "args"} {
		for _, a := range listAt(ctr, key) {
			out.Args = append(out.Args, expand(fmt.Sprint(a), out.Env))
		}
	}
	return out, nil
}

// expand replaces $(VAR) with variables defined before, as the kubelet
// does; $$ is a literal $, and an undefined reference stays as written.
func expand(s string, env map[string]string) string {
	return envRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

type kubelet struct {
	ms      Manifests
	place   PodPlace
	podSpec map[string]any
}

// data returns the keys of a ConfigMap or Secret, decoded.
func (k *kubelet) data(kind, name string, optional bool) (map[string][]byte, error) {
	obj, ok := k.ms.Find(kind, name)
	if !ok {
		if optional {
			return nil, nil
		}
		return nil, fmt.Errorf("%s %s is not in the manifests", kind, name)
	}
	out := map[string][]byte{}
	encoded := "binaryData"
	if kind == "Secret" {
		encoded = "data"
	}
	for key, v := range mapAt(obj, encoded) {
		b, err := base64.StdEncoding.DecodeString(fmt.Sprint(v))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %s.%s is not base64", kind, name, encoded, key)
		}
		out[key] = b
	}
	plain := "data"
	if kind == "Secret" {
		plain = "stringData"
	}
	for key, v := range mapAt(obj, plain) {
		out[key] = []byte(scalarString(v))
	}
	return out, nil
}

// volumeFiles returns a volume's files (relative paths), or dir for a
// volume that starts empty.
func (k *kubelet) volumeFiles(vol map[string]any) (files map[string][]byte, dir bool, err error) {
	switch {
	case mapAt(vol, "configMap") != nil:
		src := mapAt(vol, "configMap")
		return k.projectKeys("ConfigMap", str(src, "name"), src)
	case mapAt(vol, "secret") != nil:
		src := mapAt(vol, "secret")
		return k.projectKeys("Secret", str(src, "secretName"), src)
	case mapAt(vol, "projected") != nil:
		files = map[string][]byte{}
		for _, s := range listAt(mapAt(vol, "projected"), "sources") {
			m, _ := s.(map[string]any)
			var part map[string][]byte
			switch {
			case mapAt(m, "configMap") != nil:
				part, _, err = k.projectKeys("ConfigMap", str(mapAt(m, "configMap"), "name"), mapAt(m, "configMap"))
			case mapAt(m, "secret") != nil:
				part, _, err = k.projectKeys("Secret", str(mapAt(m, "secret"), "name"), mapAt(m, "secret"))
			default:
				err = fmt.Errorf("a projected source other than configMap or secret")
			}
			if err != nil {
				return nil, false, err
			}
			for p, b := range part {
				files[p] = b
			}
		}
		return files, false, nil
	case vol["emptyDir"] != nil || mapAt(vol, "persistentVolumeClaim") != nil:
		// A new claim is empty too.
		return nil, true, nil
	}
	keys := make([]string, 0, len(vol))
	for key := range vol {
		if key != "name" {
			keys = append(keys, key)
		}
	}
	return nil, false, fmt.Errorf("unsupported volume source %v", keys)
}

// projectKeys is a configMap or secret volume source: every key as a
// file, or only items, each at its path.
func (k *kubelet) projectKeys(kind, name string, src map[string]any) (map[string][]byte, bool, error) {
	optional, _ := src["optional"].(bool)
	data, err := k.data(kind, name, optional)
	if err != nil {
		return nil, false, err
	}
	items := listAt(src, "items")
	if len(items) == 0 {
		return data, false, nil
	}
	out := map[string][]byte{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		b, ok := data[str(m, "key")]
		if !ok {
			if optional {
				continue
			}
			return nil, false, fmt.Errorf("%s %s has no key %s", kind, name, str(m, "key"))
		}
		out[str(m, "path")] = b
	}
	return out, false, nil
}

func writeMount(root, mountPath, subPath string, files map[string][]byte, dir bool) error {
	if !filepath.IsAbs(mountPath) {
		return errors.New("mountPath is not absolute")
	}
	target := filepath.Join(root, mountPath)
	if subPath != "" {
		if b, ok := files[subPath]; ok {
			// One key of the volume as a file.
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o644)
		}
		// A directory inside the volume.
		sub := map[string][]byte{}
		for p, b := range files {
			if rest, ok := strings.CutPrefix(p, subPath+"/"); ok {
				sub[rest] = b
			}
		}
		files = sub
	}
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		clean := filepath.Clean(p)
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("key path %q leaves the volume", p)
		}
		f := filepath.Join(target, clean)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f, files[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (k *kubelet) envFromSource(m map[string]any) (map[string]string, error) {
	var kind, name string
	var optional bool
	switch {
	case mapAt(m, "configMapRef") != nil:
		kind, name = "ConfigMap", str(mapAt(m, "configMapRef"), "name")
		optional, _ = mapAt(m, "configMapRef")["optional"].(bool)
	case mapAt(m, "secretRef") != nil:
		kind, name = "Secret", str(mapAt(m, "secretRef"), "name")
		optional, _ = mapAt(m, "secretRef")["optional"].(bool)
	default:
		return nil, errors.New("envFrom with neither configMapRef nor secretRef")
	}
	data, err := k.data(kind, name, optional)
	if err != nil {
		return nil, fmt.Errorf("envFrom: %w", err)
	}
	out := map[string]string{}
	for key, b := range data {
		out[key] = string(b)
	}
	return out, nil
}

// valueFrom resolves an env valueFrom; set is false for an optional key
// that is not there.
func (k *kubelet) valueFrom(from map[string]any) (string, bool, error) {
	keyRef := func(kind string, ref map[string]any) (string, bool, error) {
		optional, _ := ref["optional"].(bool)
		data, err := k.data(kind, str(ref, "name"), optional)
		if err != nil {
			return "", false, err
		}
		b, ok := data[str(ref, "key")]
		if !ok {
			if optional {
				return "", false, nil
			}
			return "", false, fmt.Errorf("%s %s has no key %s", kind, str(ref, "name"), str(ref, "key"))
		}
		return string(b), true, nil
	}
	switch {
	case mapAt(from, "secretKeyRef") != nil:
		return keyRef("Secret", mapAt(from, "secretKeyRef"))
	case mapAt(from, "configMapKeyRef") != nil:
		return keyRef("ConfigMap", mapAt(from, "configMapKeyRef"))
	case mapAt(from, "fieldRef") != nil:
		switch path := str(mapAt(from, "fieldRef"), "fieldPath"); path {
		case "metadata.namespace":
			return k.place.Namespace, true, nil
		case "metadata.name":
			return k.place.PodName, true, nil
		case "spec.serviceAccountName":
			return str(k.podSpec, "serviceAccountName"), true, nil
		case "status.podIP", "status.hostIP", "spec.nodeName":
			return "127.0.0.1", true, nil
		default:
			return "", false, fmt.Errorf("unsupported fieldRef %s", path)
		}
	}
	return "", false, errors.New("unsupported valueFrom (only secretKeyRef, configMapKeyRef, fieldRef)")
}

// serviceLinks adds the variables the kubelet sets for every Service of
// the namespace: NAME_SERVICE_HOST, NAME_SERVICE_PORT, one
// NAME_SERVICE_PORT_PORTNAME per named port, and the Docker-link ones.
func (k *kubelet) serviceLinks(env map[string]string) {
	for _, o := range k.ms {
		if str(o, "kind") != "Service" {
			continue
		}
		spec := mapAt(o, "spec")
		host := k.place.ServiceHost
		if ip := str(spec, "clusterIP"); ip == "None" {
			continue // headless: no variables
		} else if ip != "" {
			host = ip
		}
		prefix := strings.ToUpper(strings.ReplaceAll(str(o, "metadata", "name"), "-", "_"))
		ports := listAt(spec, "ports")
		if len(ports) == 0 {
			continue
		}
		env[prefix+"_SERVICE_HOST"] = host
		for i, p := range ports {
			m, _ := p.(map[string]any)
			port := scalarString(m["port"])
			proto := strings.ToUpper(str(m, "protocol"))
			if proto == "" {
				proto = "TCP"
			}
			if i == 0 {
				env[prefix+"_SERVICE_PORT"] = port
				env[prefix+"_PORT"] = fmt.Sprintf("%s://%s:%s", strings.ToLower(proto), host, port)
			}
			if n := str(m, "name"); n != "" {
				env[prefix+"_SERVICE_PORT_"+strings.ToUpper(strings.ReplaceAll(n, "-", "_"))] = port
			}
			link := fmt.Sprintf("%s_PORT_%s_%s", prefix, port, proto)
			env[link] = fmt.Sprintf("%s://%s:%s", strings.ToLower(proto), host, port)
			env[link+"_PROTO"] = strings.ToLower(proto)
			env[link+"_PORT"] = port
			env[link+"_ADDR"] = host
		}
	}
}

func mapAt(m map[string]any, path ...string) map[string]any {
	cur := m
	for _, p := range path {
		next, _ := cur[p].(map[string]any)
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

func listAt(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

func str(m map[string]any, path ...string) string {
	if len(path) > 1 {
		m = mapAt(m, path[:len(path)-1]...)
	}
	if m == nil {
		return ""
	}
	return scalarString(m[path[len(path)-1]])
}

// scalarString is a YAML scalar as Kubernetes reads a string field.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}
