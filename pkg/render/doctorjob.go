package render

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/secret"
	"github.com/hubctl/hubctl/pkg/spec"
)

// DoctorJobOptions place and shape the Job.
type DoctorJobOptions struct {
	Options
	Namespace string
	// Image is an image with hubctl on its PATH.
	Image string
	// SpecText is the spec file's bytes, which the Job reads from a
	// ConfigMap as doctor would read the file.
	SpecText []byte
	// HubToken, when set, is the Kubernetes Secret key holding the hub's
	// admin token, given to doctor as HUBCTL_HUB_TOKEN.
	HubToken *secret.K8sRef
	// Args are doctor's extra arguments (--format, check IDs).
	Args []string
}

// doctorJobName names the Job and its ConfigMap.
const doctorJobName = "hubctl-doctor"

// specDir is where the spec is mounted in the Job's container: relative
// file references resolve beside it, as on the operator's machine.
const specDir = "/etc/hubctl"

// NetworkAccessHubLabel is the label the chart's hub NetworkPolicy admits
// pods by.
const NetworkAccessHubLabel = "hub.jupyter.org/network-access-hub"

// DoctorJob renders a ConfigMap holding the spec and a Job running
// `hubctl doctor` in the hub's namespace, where cluster-internal URLs
// resolve. Secrets reach it as the hub gets them: from hubctl's Secret and
// the spec's own k8sSecret references, never written into the manifests.
func DoctorJob(s *spec.Spec, cfg *hub.Config, opts DoctorJobOptions) ([]byte, error) {
	var literal []string
	for _, sec := range cfg.Secrets() {
		if sec.Ref.Kind == secret.Literal {
			literal = append(literal, sec.SpecPath)
		}
	}
	if len(literal) > 0 {
		return nil, fmt.Errorf("%s holds a literal secret, which the Job's ConfigMap would publish: use an env, file or k8sSecret reference", strings.Join(literal, ", "))
	}
	cmData := mapNode("hubctl.yaml", strNode(string(opts.SpecText)))
	mounts := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	mounts.Content = append(mounts.Content, mapNode("name", strNode("spec"),
		"mountPath", strNode(specDir+"/hubctl.yaml"), "subPath", strNode("hubctl.yaml"), "readOnly", boolNode(true)))
	if s.Login != nil && s.Login.CAFile != "" {
		ca, err := readCAFile(opts.Options, s.Login.CAFile)
		if err != nil {
			return nil, err
		}
		at, err := mountPath(s.Login.CAFile)
		if err != nil {
			return nil, fmt.Errorf("login.caFile: %w", err)
		}
		add(cmData, "ca.pem", strNode(ca))
		mounts.Content = append(mounts.Content, mapNode("name", strNode("spec"),
			"mountPath", strNode(at), "subPath", strNode("ca.pem"), "readOnly", boolNode(true)))
	}

	env := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, sec := range cfg.Secrets() {
		switch sec.Ref.Kind {
		case secret.Env:
			env.Content = append(env.Content, secretEnv(sec.Ref.Env, cfg.ExistingSecret, sec.SecretKey))
		case secret.File:
			// As a variable, not a mounted file: the file's path does not
			// exist in the container, so doctor reads the variable the
			// deployment maps it to (doctor.Env.Secret), and no file mode
			// or owner has to suit the container's user.
			env.Content = append(env.Content, secretEnv(sec.HubEnv, cfg.ExistingSecret, sec.SecretKey))
		case secret.K8s:
			if sec.HubEnv == "" {
				return nil, fmt.Errorf("%s: no variable to pass the Kubernetes Secret in", sec.SpecPath)
			}
			env.Content = append(env.Content, secretEnv(sec.HubEnv, sec.Ref.K8s.Name, sec.Ref.K8s.Key))
		}
	}
	if opts.HubToken != nil {
		env.Content = append(env.Content, secretEnv("HUBCTL_HUB_TOKEN", opts.HubToken.Name, opts.HubToken.Key))
	}

	volumes := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	volumes.Content = append(volumes.Content, mapNode("name", strNode("spec"),
		"configMap", mapNode("name", strNode(doctorJobName))))

	args := []string{"doctor", "-f", specDir + "/hubctl.yaml", "--require-all"}
	args = append(args, opts.Args...)
	container := mapNode(
		"name", strNode("doctor"),
		"image", strNode(opts.Image),
		// command, not the image's entrypoint: any image with hubctl on its
		// PATH will do.
		"command", listNode([]string{"hubctl"}),
		"args", listNode(args),
	)
	if len(env.Content) > 0 {
		add(container, "env", env)
	}
	add(container, "volumeMounts", mounts)
	add(container, "securityContext", mapNode(
		"runAsNonRoot", boolNode(true),
		"runAsUser", intNode(65534),
		"allowPrivilegeEscalation", boolNode(false),
		"readOnlyRootFilesystem", boolNode(true),
		"capabilities", mapNode("drop", listNode([]string{"ALL"})),
	))
	containers := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{container}}

	labels := func(extra ...any) *yaml.Node {
		m := mapNode("app.kubernetes.io/name", strNode(doctorJobName), "app.kubernetes.io/managed-by", strNode("hubctl"))
		m.Content = append(m.Content, mapNode(extra...).Content...)
		return m
	}
	meta := func() *yaml.Node {
		m := mapNode("name", strNode(doctorJobName))
		if opts.Namespace != "" {
			add(m, "namespace", strNode(opts.Namespace))
		}
		add(m, "labels", labels())
		return m
	}
	configMap := mapNode("apiVersion", strNode("v1"), "kind", strNode("ConfigMap"), "metadata", meta(), "data", cmData)
	configMap.HeadComment = "The spec doctor reads, rendered by hubctl from " + opts.Source + " (no secret values)."
	job := mapNode(
		"apiVersion", strNode("batch/v1"),
		"kind", strNode("Job"),
		"metadata", meta(),
		"spec", mapNode(
			"backoffLimit", intNode(0),
			"ttlSecondsAfterFinished", intNode(86400),
			"template", mapNode(
				// The chart's hub NetworkPolicy admits pods with this label;
				// without it, hub.apiUrl is unreachable from the Job.
				"metadata", mapNode("labels", labels(NetworkAccessHubLabel, quotedNode("true"))),
				"spec", mapNode(
					"restartPolicy", strNode("Never"),
					"automountServiceAccountToken", boolNode(false),
					"containers", containers,
					"volumes", volumes,
				),
			),
		),
	)
	job.HeadComment = "Runs hubctl doctor inside the cluster: kubectl logs job/" + doctorJobName + " shows its report."
	var out []byte
	for _, n := range []*yaml.Node{configMap, job} {
		b, err := encodeYAML(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}})
		if err != nil {
			return nil, err
		}
		if out != nil {
			out = append(out, "---\n"...)
		}
		out = append(out, b...)
	}
	return out, nil
}

// secretEnv is an env entry read from a Secret's key.
func secretEnv(name, secretName, key string) *yaml.Node {
	return mapNode("name", strNode(name), "valueFrom",
		mapNode("secretKeyRef", mapNode("name", strNode(secretName), "key", strNode(key))))
}

// mountPath is where a file the spec names sits in the container: an
// absolute path as it is, a relative one under the spec's directory.
func mountPath(p string) (string, error) {
	if filepath.IsAbs(p) {
		return path.Clean(filepath.ToSlash(p)), nil
	}
	clean := path.Clean(filepath.ToSlash(p))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", errors.New("a relative path outside the spec's directory cannot be laid out in the Job; make it absolute or move the file beside the spec")
	}
	return specDir + "/" + clean, nil
}
