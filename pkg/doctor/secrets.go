package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/hubctl/hubctl/pkg/hub"
	"github.com/hubctl/hubctl/pkg/secret"
)

var (
	checkSecretsResolve = Register(&Check{ID: "secrets.resolve", Title: "Secret resolves",
		Doc: "every secret reference resolves here: its variable is set, its file readable and closed to group and others"})
	checkSecretsLiteral = Register(&Check{ID: "secrets.literal", Title: "No literal secret in git",
		Doc: "a secret written literally in the spec is a warning when git tracks the spec file"})
)

func init() { addFamily(rankSecrets, planSecrets) }

// gitTimeout bounds git ls-files: a hung git (a lock, a network
// filesystem) must not hold the run.
const gitTimeout = 5 * time.Second

func planSecrets(p *Plan) {
	env := p.Env
	var literals []string
	for _, s := range env.Config.Secrets() {
		p.Add(checkSecretsResolve, s.SpecPath, nil, func(context.Context) Outcome { return resolveSecret(env, s) })
		if s.Ref.Kind == secret.Literal {
			literals = append(literals, s.SpecPath)
		}
	}
	if len(literals) > 0 && env.Doc != nil {
		file := env.Doc.File
		p.Add(checkSecretsLiteral, file, nil, func(ctx context.Context) Outcome { return literalsInGit(ctx, file, literals) })
	}
}

// secretTask is the secrets.resolve task of the secret at specPath, for
// the checks that use its value; nil when there is none.
func (p *Plan) secretTask(specPath string) *Task {
	for _, t := range p.Tasks() {
		if t.Check == checkSecretsResolve && t.Target == specPath {
			return t
		}
	}
	return nil
}

func resolveSecret(env *Env, s hub.Secret) Outcome {
	switch s.Ref.Kind {
	case secret.Env:
		if _, err := env.Secret(s); err != nil {
			return Failed(fmt.Sprintf("export %s where doctor runs, as the hub's environment has it", s.Ref.Env), "%s: %v", s.SpecPath, err)
		}
		return Passed("$%s is set", s.Ref.Env)
	case secret.File:
		return resolveSecretFile(env, s)
	case secret.K8s:
		if _, err := env.Secret(s); err == nil {
			return Passed("%s is read from $%s, which the deployment maps it to", s.Ref, s.HubEnv)
		}
		return Skipped("hubctl render doctor-job runs doctor in the cluster, where it is checked",
			"%s is in the cluster (%s)", s.SpecPath, s.Ref)
	case secret.Literal:
		if _, err := env.Secret(s); err != nil {
			return Failed("", "%s: %v", s.SpecPath, err)
		}
		return Passed("%s is written in the spec itself", s.SpecPath)
	}
	return Skipped("", "%s has no value", s.SpecPath)
}

func resolveSecretFile(env *Env, s hub.Secret) Outcome {
	path := env.Resolver.Path(s.Ref)
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Failed(fmt.Sprintf("create %s, or correct %s.file (relative paths start at the spec's directory)", path, s.SpecPath),
			"%s: %s does not exist", s.SpecPath, path)
	}
	if err != nil {
		return Failed("", "%s: %v", s.SpecPath, err)
	}
	if _, err := env.Secret(s); err != nil {
		hint := ""
		if errors.Is(err, fs.ErrPermission) {
			hint = "make it readable by the user doctor runs as"
		}
		return Failed(hint, "%s: %v", s.SpecPath, err)
	}
	// Windows has no group and other bits to check: os reports 0666 or
	// 0444 for every file.
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return Failed("chmod 600 "+path, "%s: %s has mode %04o: group or others can read or change it", s.SpecPath, path, perm)
	}
	return Passed("%s is readable, and by its owner alone", path)
}

// literalsInGit warns when git tracks the spec file that holds literal
// secrets: validate warns about literals already, but cannot know that
// they are in a repository's history.
func literalsInGit(ctx context.Context, file string, literals []string) Outcome {
	which := strings.Join(literals, ", ")
	if _, err := os.Stat(file); err != nil {
		return Skipped("", "the spec is not a file doctor can look for in git (%s)", file)
	}
	if _, err := exec.LookPath("git"); err != nil {
		return Passed("%s holds literal secrets (%s); git is not installed here, so it is taken as untracked", file, which)
	}
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "ls-files", "--error-unmatch", "--", filepath.Base(file))
	cmd.Dir = filepath.Dir(file)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
	err := cmd.Run()
	if ctx.Err() != nil {
		return Skipped("", "git ls-files did not answer within %s", gitTimeout)
	}
	if err == nil {
		return Warned("reference them instead ({env: NAME}, {file: PATH} or {k8sSecret: {name: N, key: K}}) and change the secrets: git history keeps the old values",
			"%s holds literal secrets (%s) and git tracks it", file, which)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return Skipped("", "could not run git ls-files: %v", err)
	}
	// git exits 1 for an untracked file and 128 outside a repository.
	return Passed("%s holds literal secrets (%s), but git does not track it", file, which)
}
